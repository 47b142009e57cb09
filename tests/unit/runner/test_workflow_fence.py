"""A mask from the login thread is never written inside a ``::stop-commands::`` fence of the
run's thread, where the runner would not read it as a command."""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from build_push_py import proc
from build_push_py.runner.workflow import Workflow, commands_stopped


def test_a_mask_waits_for_the_fence_to_close(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)  # where github-action-utils prints masks
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    masked = threading.Event()

    def login_thread() -> None:
        wf.mask("ecr-token-Zq7")
        masked.set()

    with wf.untrusted():
        wf.info("a branch name from the event")
        thread = threading.Thread(target=login_thread)
        thread.start()
        time.sleep(0.2)  # the thread has had time to print, were it not held
        held = not masked.is_set()
        wf.info("::warning::text from outside")
    thread.join(timeout=5)

    lines = out.getvalue().splitlines()
    assert held
    token = lines[0].removeprefix("::stop-commands::")
    assert lines.index(f"::{token}::") < lines.index("::add-mask ::ecr-token-Zq7")


def test_a_warning_from_another_thread_waits_for_the_fence_to_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    with wf.untrusted():
        thread = threading.Thread(target=wf.warning, args=("the registry answered 429",))
        thread.start()
        time.sleep(0.2)
        wf.info("buildx output")
    thread.join(timeout=5)

    lines = out.getvalue().splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    [warning] = [line for line in lines if "the registry answered 429" in line]
    assert warning.startswith("::warning")
    assert lines.index(f"::{token}::") < lines.index(warning)


RUNNER = {"PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": "true"}


def _fences(lines: list[str]) -> tuple[list[int], list[int]]:
    """Where fences start, and where the lines that end them (by their token) are."""
    starts = [i for i, line in enumerate(lines) if line.startswith("::stop-commands::")]
    tokens = {lines[i].removeprefix("::stop-commands::") for i in starts}
    ends = [i for i, line in enumerate(lines) if line in {f"::{t}::" for t in tokens}]
    return starts, ends


def test_a_streamed_program_inside_a_fence_is_not_fenced_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the build does: its argv printed in ``untrusted()``, then buildx streamed there."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)  # where proc.run echoes
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    with wf.untrusted():
        wf.info("docker buildx build --tag a-branch-name .")
        done = proc.run(["echo", "::warning::from BuildKit"], env=RUNNER, stream=True)
    assert done.returncode == 0

    lines = out.getvalue().splitlines()
    starts, ends = _fences(lines)
    assert starts == [0]
    assert ends == [len(lines) - 1]
    assert lines[1:-1] == ["docker buildx build --tag a-branch-name .", "::warning::from BuildKit"]


def test_a_mask_waits_for_the_outermost_fence(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mask made while a streamed program runs in ``untrusted()`` is written after the
    outer fence closes, not when the program's ends."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    masked = threading.Event()

    def login_thread() -> None:
        wf.mask("ecr-token-Zq7")
        masked.set()

    thread = threading.Thread(target=login_thread)
    with wf.untrusted():
        wf.info("docker buildx build .")
        program = "echo started; sleep 0.3; echo '::error::the end'"
        # the thread masks while the program runs
        timer = threading.Timer(0.1, thread.start)
        timer.start()
        proc.run(["sh", "-c", program], env=RUNNER, stream=True)
        time.sleep(0.2)  # the program's fence, were it one of its own, has closed
        held = not masked.is_set()
        wf.info("after the build")
    timer.join()
    thread.join(timeout=5)

    lines = out.getvalue().splitlines()
    assert held
    starts, ends = _fences(lines)
    assert len(starts) == 1
    assert len(ends) == 1
    assert lines.index("after the build") < ends[0] < lines.index("::add-mask ::ecr-token-Zq7")


def test_a_mask_waits_for_a_streamed_programs_fence(monkeypatch: pytest.MonkeyPatch) -> None:
    """``proc.run`` fences a streamed program's output itself (``buildx create``, cosign):
    a mask waits for that fence too."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    thread = threading.Thread(target=wf.mask, args=("ecr-token-Zq7",))
    timer = threading.Timer(0.1, thread.start)
    timer.start()
    proc.run(["sh", "-c", "echo started; sleep 0.4; echo done"], env=RUNNER, stream=True)
    timer.join()
    thread.join(timeout=5)

    lines = out.getvalue().splitlines()
    starts, ends = _fences(lines)
    assert starts == [0]
    assert ends == [3]
    assert lines[1:3] == ["started", "done"]
    assert lines[4:] == ["::add-mask ::ecr-token-Zq7"]


def test_a_fence_left_by_an_error_is_closed_and_the_next_one_opens() -> None:
    lines: list[str] = []
    with (
        pytest.raises(RuntimeError),
        commands_stopped(lines.append),
        commands_stopped(lines.append),
    ):
        raise RuntimeError("the build failed")
    with commands_stopped(lines.append):
        lines.append("the next step's text")

    starts, ends = _fences(lines)
    assert starts == [0, 2]
    assert ends == [1, 4]
    assert lines[1] != lines[4]  # a token of its own
