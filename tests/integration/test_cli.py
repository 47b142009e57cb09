"""``build-push-py run`` on a laptop: the same job through the CLI, cleanup included."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from stack import Registry, Stack

pytestmark = pytest.mark.integration


def test_cli_run_pushes_and_removes_its_credentials(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    repo = f"bpp-test/cli-{uuid.uuid4().hex[:8]}"
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    (checkout / "hello.txt").write_text("hello\n")
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "first"],
                 ["tag", "v2.0.1"]):  # fmt: skip
        subprocess.run([*git, *args], check=True)
    temp = tmp_path / "temp"
    temp.mkdir()
    # The password comes from the environment (INPUT_PASSWORD), not from argv.
    env = {k: v for k, v in stack.env().items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env |= {"TMPDIR": str(temp), "INPUT_PASSWORD": reg_a.password}
    done = subprocess.run(
        [sys.executable, "-m", "build_push_py.cli", "run", "--workdir", str(checkout),
         "--ref", "refs/tags/v2.0.1", "--images", f"{reg_a.host}/{repo}",
         "--tags", "type=semver,pattern={{version}}", "--registry", reg_a.host,
         "--username", reg_a.user, "--push", "true"],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert reg_a.tags(repo) == ["2.0.1", "latest"]
    assert reg_a.password not in done.stdout + done.stderr
    assert "::" not in done.stdout  # a terminal gets plain lines, no workflow commands
    assert not list(temp.glob("docker-config-*")), "credentials left behind"
    # No output names the bake files outside a runner: none are written to be left behind.
    assert not list(temp.glob("metadata-*")), "bake files left behind"
