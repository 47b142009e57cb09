"""A mask from the login thread is never written inside a ``::stop-commands::`` fence of the
run's thread, where the runner would not read it as a command."""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from build_push_py.runner.workflow import Workflow


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
