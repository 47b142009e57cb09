"""The GitHub context: from the runner's environment, and from a git checkout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from build_push_py import context
from build_push_py.errors import ActionError
from build_push_py.runner.env import RunnerEnv


def test_from_env_reads_the_payload_and_tolerates_missing_values(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"full_name": "octo/from-payload"}}))
    ctx = context.from_env({"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "push"})
    assert (ctx.event_name, ctx.repository) == ("push", "octo/from-payload")
    assert (ctx.ref, ctx.sha) == ("", "")
    assert ctx.api_url == "https://api.github.com"
    assert context.from_env({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}).payload == {}


def test_from_git_takes_ref_sha_and_date_from_the_checkout(tmp_path: Path) -> None:
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    dated = {"GIT_COMMITTER_DATE": "2024-05-06T07:08:09+00:00", "PATH": "/usr/bin:/bin"}
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True, env=dated)
    subprocess.run([*git, "tag", "v1.0.0"], check=True)
    sha = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                         text=True).stdout.strip()  # fmt: skip
    env = {"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_REF": "refs/heads/other",
           "GITHUB_SHA": "0" * 40, "GITHUB_REPOSITORY": "octo/app"}  # fmt: skip
    ctx = context.from_git(RunnerEnv.from_env(env), str(tmp_path))
    assert (ctx.sha, ctx.ref) == (sha, "refs/heads/main")
    assert ctx.commit_date == "2024-05-06T07:08:09+00:00"
    assert (ctx.event_name, ctx.repository) == ("workflow_dispatch", "octo/app")
    subprocess.run([*git, "checkout", "-q", "--detach"], check=True)
    assert context.from_git(RunnerEnv.from_env(env), str(tmp_path)).ref == "refs/tags/v1.0.0"


def test_from_git_outside_a_checkout_is_git_s_error(tmp_path: Path) -> None:
    """metadata-action fails there too; the environment's ref would be another commit's."""
    env = {"GITHUB_REF": "refs/heads/x", "GITHUB_SHA": "a" * 40}
    with pytest.raises(ActionError, match=r"^fatal: not a git repository"):
        context.from_git(RunnerEnv.from_env(env), str(tmp_path))
