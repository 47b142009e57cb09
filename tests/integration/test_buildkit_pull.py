"""The BuildKit image of a ``docker-container`` builder, pulled by the engine before the
builder is made: from reg-a (TLS, htpasswd) with the step's own login, and an image that does
not exist failing at once, naming ``buildkit-image``. The "BuildKit" is the stand-in of the
image tests (``fake_buildkit``): buildx creates and starts a builder from it; a build on it
cannot run, so these runs fail after the builder was made."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from image.action_image import fake_buildkit
from stack import Registry, Stack
from support.runner import ActionRun, run_action, runner_env

pytestmark = pytest.mark.integration


def _docker(stack: Stack, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(stack.docker), *args], env=env, input=stdin, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def pushed_buildkit(stack: Stack, reg_a: Registry, docker_env: dict[str, str]) -> str:
    """The stand-in BuildKit image on reg-a under a new name the engine does not have."""
    ref = f"{reg_a.host}/bpp-test/buildkit-{uuid.uuid4().hex[:10]}:1"
    _docker(stack, docker_env, "login", "--username", reg_a.user, "--password-stdin",
            reg_a.host, stdin=reg_a.password)  # fmt: skip
    _docker(stack, docker_env, "tag", fake_buildkit(stack), ref)
    _docker(stack, docker_env, "push", "--quiet", ref)
    _docker(stack, docker_env, "rmi", ref)
    return ref


def _run(stack: Stack, reg: Registry, tmp_path: Path, image: str, retries: str) -> ActionRun:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text("FROM scratch\nCOPY Dockerfile /\n")
    env = runner_env(
        ws,
        {
            "images": f"{reg.host}/bpp-test/pull-{uuid.uuid4().hex[:8]}",
            "registry": reg.host,
            "username": reg.user,
            "password": reg.password,
            "push": "false",
            "driver": "docker-container",
            "buildkit-image": image,
            "retries": retries,
            "retry-max-wait": "10ms",  # the build on the stand-in fails: no long waits
        },
        base=stack.env(),
    )
    return run_action(env, timeout=300)


def _has_image(stack: Stack, env: dict[str, str], ref: str) -> bool:
    done = subprocess.run([str(stack.docker), "image", "inspect", ref], env=env,
                          capture_output=True, check=False)  # fmt: skip
    return done.returncode == 0


def test_the_buildkit_image_is_pulled_with_the_steps_login(
    stack: Stack, reg_a: Registry, tmp_path: Path, pushed_buildkit: str,
    docker_env: dict[str, str],
) -> None:  # fmt: skip
    run = _run(stack, reg_a, tmp_path, pushed_buildkit, "0")  # the build cannot succeed
    try:
        assert f"Pulled BuildKit image {pushed_buildkit}" in run.stdout, run.stdout + run.stderr
        assert _has_image(stack, docker_env, pushed_buildkit)
        name = run.builder  # created from it, then removed by the clean-up
        assert f"Removed builder {name}" in run.stdout
        assert "buildkit-image" not in "".join(run.errors())
    finally:
        subprocess.run([str(stack.docker), "rmi", pushed_buildkit], env=docker_env,
                       capture_output=True, check=False)  # fmt: skip


def test_an_image_that_does_not_exist_fails_at_once(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    missing = f"{reg_a.host}/bpp-test/no-such-buildkit-{uuid.uuid4().hex[:10]}:1"
    started = time.monotonic()
    run = _run(stack, reg_a, tmp_path, missing, "2")
    took = time.monotonic() - started
    assert run.returncode == 1
    [error] = run.errors()
    assert "input 'buildkit-image': the Docker engine cannot pull the BuildKit image" in error
    assert missing in error
    assert "; retry " not in run.stdout
    assert "Created builder" not in run.stdout
    assert "docker buildx build" not in run.stdout
    assert took < 30, took


def test_an_image_only_the_engine_has_is_used_as_it_is(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    """As buildx does: the stand-in exists only in the engine (its registry, localhost:443,
    does not answer), so the failed pull falls back to the engine's copy, without retries."""
    local = fake_buildkit(stack)
    run = _run(stack, reg_a, tmp_path, local, "2")
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("Pulling BuildKit image")]
    assert len(lines) == 2, run.stdout
    assert lines[1].startswith(f"Pulling BuildKit image {local} failed (")
    assert lines[1].endswith("; using the engine's copy")
    assert f"Removed builder {run.builder}" in run.stdout
