"""Text from the event reaches logs and outputs as data: no workflow command, output, env
variable or shell command can be smuggled in through it."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from stack import Stack
from support.runner import ActionRun, run_action, runner_env

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
# The runner reads a line as a command when it starts with "::"; what follows our own
# ::stop-commands::TOKEN up to ::TOKEN:: is data.
OWN_COMMANDS = ("::add-mask", "::warning", "::error", "::group", "::endgroup", "::stop-commands")


def payload(marker: Path) -> str:
    """Newlines, workflow commands, a would-be output delimiter and shell syntax at once;
    short enough that its sanitised form is still a valid tag (at most 128 characters)."""
    return (
        "x\n::warning::INJECTED\n::set-output name=injected::1\n::add-mask::main\n"
        f"EOF\nghadelimiter_0\ninjected=1\n$(touch {marker});`touch {marker}`"
    )


def commands_outside_stop(stdout: str) -> list[str]:
    seen: list[str] = []
    stopped: str | None = None
    for line in stdout.splitlines():
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        if line.startswith("::"):
            seen.append(line)
    return seen


def check_contained(run: ActionRun, marker: Path) -> None:
    assert not marker.exists(), "a shell ran text from the event"
    assert "injected" not in run.outputs
    assert "injected" not in run.env_exports
    assert all(not name.startswith(("EOF", "ghadelimiter")) for name in run.outputs)
    # The payload's own lines, had they been printed raw, would start with these.
    injected = ("::warning::INJECTED", "::set-output", "::add-mask::main")
    for line in commands_outside_stop(run.stdout):
        assert line.startswith(OWN_COMMANDS), line
        assert not line.startswith(injected), line


@pytest.mark.parametrize(
    "channel",
    ["branch", "tag", "pr-title", "label", "build-arg", "raw-tag"],
)
def test_event_text_stays_data(stack: Stack, base_image: str, tmp_path: Path, channel: str) -> None:
    # Short on purpose (see payload); removed by the test if a shell ever creates it.
    marker = Path(tempfile.gettempdir()) / f"pw{uuid.uuid4().hex[:6]}"
    text = payload(marker)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text(f'FROM {base_image}\nARG EVIL\nRUN echo "$EVIL"\n')
    inputs = {"images": "bpp-test/hostile", "push": "false", "tags": "type=ref,event=branch\n"
              "type=ref,event=tag\ntype=ref,event=pr"}  # fmt: skip
    github = {"GITHUB_SHA": SHA}
    event, payload_doc = "push", {}
    if channel == "branch":
        github["GITHUB_REF"] = f"refs/heads/{text}"
    elif channel == "tag":
        github["GITHUB_REF"] = f"refs/tags/{text}"
    elif channel == "pr-title":
        event = "pull_request"
        github["GITHUB_REF"] = "refs/pull/7/merge"
        payload_doc = {"number": 7, "pull_request": {"number": 7, "title": text,
                       "head": {"ref": text, "sha": SHA}, "base": {"ref": "main"}}}  # fmt: skip
    elif channel == "label":
        inputs["labels"] = "org.example.note=" + text.replace("\n", " ")
        inputs["annotations"] = "org.example.note=" + text.replace("\n", " ")
    elif channel == "build-arg":
        inputs["build-args"] = '"EVIL=' + text.replace('"', '""') + '"'
    else:
        inputs["tags"] = "type=raw,value=" + text.replace("\n", " ").replace(",", " ")
    env = runner_env(ws, inputs, event_name=event, payload=payload_doc, github=github,
                     base=stack.env())  # fmt: skip
    run = run_action(env, timeout=300)
    try:
        check_contained(run, marker)
    finally:
        marker.unlink(missing_ok=True)
    assert run.returncode == 0, run.stdout + run.stderr  # the build ran, with that text in it
