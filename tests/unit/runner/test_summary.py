"""The job summary is ours: text from outside (buildx's log, a RUN step's output, an input
line) is shown, never rendered as Markdown or HTML, and cannot close the block it sits in."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from build_push_py.errors import CommandError
from build_push_py.runner.summary import cell, code_block
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.outputs import report_failure

# What a pull request's RUN step can print, aimed at the summary of the run that builds it.
HOSTILE = [
    pytest.param("</code></pre><h1>Build approved</h1>", id="close-and-heading"),
    pytest.param('<img src="https://tracker.example/p.gif">', id="tracking-pixel"),
    pytest.param("[Re-run with admin token](https://evil.example/)", id="markdown-link"),
    pytest.param("```\n# Approved\n```", id="fence-of-its-own"),
    pytest.param("````\n<script>alert(1)</script>", id="longer-fence-and-script"),
    pytest.param("a | b |\n|---|\n| c", id="table-cells"),
]
# HTML that a Markdown renderer would turn into elements, outside code.
_LIVE_TAG = re.compile(r"<(?!/?(code|br)>)[a-zA-Z/!]")


def _outside_fences(markdown: str) -> str:
    """The text of ``markdown`` that is not inside a fenced block."""
    kept, fence = [], ""
    for line in markdown.splitlines():
        if fence:
            if line.startswith(fence) and line.strip("`") == "":
                fence = ""
            continue
        opened = re.match(r"(`{3,})", line)
        if opened:
            fence = opened.group(1)
            continue
        kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_shows_the_text_and_renders_nothing(text: str) -> None:
    shown = cell(text)
    assert not _LIVE_TAG.search(shown)
    assert "|" not in shown.removeprefix("<code>").removesuffix("</code>")
    assert "\n" not in shown


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_block_cannot_be_closed_from_inside(text: str) -> None:
    block = code_block(f"before\n{text}\nafter")
    assert _outside_fences(block) == ""
    # the text comes back whole between the fences
    assert block.splitlines()[1:-1] == ["before", *text.splitlines(), "after"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_failed_build_reports_its_log_as_text(tmp_path: Path, text: str) -> None:
    summary = tmp_path / "summary"
    summary.touch()
    wf = Workflow(
        {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, out=io.StringIO()
    )
    error = CommandError("docker buildx build", ["docker"], 1, stderr=f"#5 RUN ./x\n{text}\n")
    report_failure(wf, error)
    written = summary.read_text()
    outside = _outside_fences(written)
    assert outside.startswith("### build-push-py failed")
    assert not _LIVE_TAG.search(outside)
    assert "](" not in outside
