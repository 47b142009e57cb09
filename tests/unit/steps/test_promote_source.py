"""The facts of a promotion's source: a context BuildKit fetches itself is not the checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from build_push_py.buildx.argv import RunFacts
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.plan import promote as p
from build_push_py.steps.promote import source_facts

SYNTAX = "# syntax=docker/dockerfile:1\nFROM scratch\n"


def _commit(repo: Path) -> str:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.test"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return head.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with a Dockerfile at its root and an ``app`` directory, and the action's
    working directory at its root."""
    root = tmp_path / "ws"
    (root / "app").mkdir(parents=True)
    (root / "Dockerfile").write_text(SYNTAX)
    (root / "app" / "main.txt").write_text("app\n")
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    monkeypatch.chdir(root)
    return root


def _facts(sha: str, context: str, file: str = "") -> p.SourceFacts:
    return source_facts(parse_build_inputs({"context": context, "file": file}), RunFacts(), sha)


@pytest.mark.parametrize(
    "context",
    ["git@github.com:o/r.git#main", "ssh://git@github.com/o/r.git", "https://example.test/c.tar"],
)
def test_a_remote_context_is_not_the_checkout(repo: Path, context: str) -> None:
    sha = _commit(repo)
    assert _facts(sha, context) == p.SourceFacts(sha, False, "")
