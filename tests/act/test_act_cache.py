"""A GitHub Actions cache round trip with a real cache server: act's (the v1 cache API).

With no ``cache-from``/``cache-to`` and a runner that provides a cache, the action uses
``type=gha``. The first run exports the layers; after the engine's build cache is pruned, the
second run can only get its RUN step from that cache.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from act.act_support import make_repo, run_act
from image.action_image import PYTHON_BASE, ActionImage
from stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.act]


def test_gha_cache_round_trip_through_acts_cache_server(
    stack: Stack, act: Path, action_image: ActionImage, base_image: str, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", action_image.ref)
    project = repo / "cacheproject"
    project.mkdir()
    # A step no earlier build has cached (the nonce is part of its cache key).
    (project / "Dockerfile").write_text(
        f"FROM {base_image}\nRUN echo {uuid.uuid4().hex} > /nonce\n"
    )
    subprocess.run(["git", "-C", str(repo), "add", "--all"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "cache project"], check=True)  # fmt: skip
    servers = [
        "--artifact-server-path", str(tmp_path / "artifacts"),
        "--cache-server-path", str(tmp_path / "cache-server"),
    ]  # fmt: skip
    event = {"ref": "refs/heads/main", "repository": {"default_branch": "main"}}

    def once() -> str:
        run = run_act(stack, act, repo, "cache.yml", event=event, job_image=PYTHON_BASE,
                      env={}, secrets={}, extra_args=servers)  # fmt: skip
        assert run.returncode == 0, run.log[-6000:]
        return run.log

    first = once()
    assert "type=gha,scope=" in first  # the default cache, not one the workflow asked for
    assert not run_step_cached(first)
    assert "exporting to GitHub Actions Cache" in first
    subprocess.run([str(stack.docker), "builder", "prune", "-af"], env=stack.env(),
                   capture_output=True, check=True)  # fmt: skip
    second = once()
    assert "importing cache manifest from gha" in second
    assert run_step_cached(second), second[-4000:]


def run_step_cached(log: str) -> bool:
    """Was the Dockerfile's RUN step taken from a cache? (buildx: ``#6 [2/2] RUN ...`` then
    ``#6 CACHED``; act puts ``[job]   | `` before each line.)"""
    lines = [line.split("| ", 1)[-1] for line in log.splitlines()]
    step = next(line.split()[0] for line in lines if "] RUN echo" in line)
    return f"{step} CACHED" in lines
