"""The Docker engine stopped, or restarted in the middle of a build: one clear error, exit 1,
and nothing pushed to the registry.

Each test gets a dockerd of its own (``start_engine`` in tests/stack.py: its own socket, data
root, exec root, pid file and bridge), so stopping it leaves the stack's shared engines alone.
A lock file serializes test runs that would otherwise share that engine's names.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import stack as stack_lib
from stack import EngineSpec, Registry, Stack
from support.runner import ActionRun, run_action, runner_env

pytestmark = pytest.mark.integration

SPEC = EngineSpec(
    "restart-test", Path("/run/bpp-docker-restart-test.sock"), "bpp2", "172.31.252.1/24", True
)
RUN_SECONDS = 10  # long enough to be stopped in the middle of, short if left behind


@pytest.fixture
def own_engine(stack: Stack) -> Iterator[Stack]:
    """The stack, pointed at a dockerd started for this test only; stopped and its state
    removed afterwards, whatever the test did."""
    with (stack.state_dir / f"{SPEC.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stack_lib.stop_engine(stack.state_dir, SPEC, purge=True)  # left by a killed run
        try:
            host = stack_lib.start_engine(stack.state_dir, SPEC)
            engine = replace(stack, docker_host=host, classic_docker_host=None)
            engine.base_image()
            yield engine
        finally:
            stack_lib.stop_engine(stack.state_dir, SPEC, purge=True)


def _action_env(engine: Stack, reg: Registry, ws: Path, repo: str) -> dict[str, str]:
    return runner_env(
        ws,
        {
            "images": f"{reg.host}/{repo}",
            "tags": "type=raw,value=v1",
            "registry": reg.host,
            "username": reg.user,
            "password": reg.password,
            "push": "true",
        },
        base=engine.env(),
    )


def _workspace(tmp_path: Path, run_step: str) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text(f"FROM {stack_lib.BASE_IMAGE}\nRUN {run_step}\n")
    return ws


def _pids_running(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _cgroups(pid: int) -> list[Path]:
    """The directories of ``pid``'s cgroups, in every hierarchy mounted here (v1 and v2)."""
    mounts: list[tuple[str, set[str], str]] = []  # (fstype, options, mount point)
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, fs = line.partition(" - ")
        fstype, _, super_options = fs.split()
        if fstype in ("cgroup", "cgroup2"):
            mounts.append((fstype, set(super_options.split(",")), fields.split()[4]))
    dirs = []
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        wanted = set(controllers.split(",")) if controllers else set()
        for fstype, options, point in mounts:
            if (fstype == "cgroup2") == (not wanted) and wanted <= options:
                dirs.append(Path(point, path.lstrip("/")))
    return dirs


def _end_step(cgroups: list[Path]) -> None:
    """Kill what is left of a RUN step and remove its cgroups: BuildKit's process for the
    step is not ended when dockerd stops, and the restarted dockerd does not know it."""
    pids = set()
    for group in cgroups:
        with contextlib.suppress(OSError):
            pids |= {int(p) for p in (group / "cgroup.procs").read_text().split()}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    for group in cgroups:
        while group.is_dir() and time.monotonic() < deadline:
            try:
                group.rmdir()
            except OSError:  # busy until the killed processes are gone
                time.sleep(0.05)


def _single_error(run: ActionRun) -> str:
    errors = run.errors()
    assert len(errors) == 1, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    return errors[0]


def test_engine_restarted_mid_build_is_one_clear_error_and_nothing_is_tagged(
    own_engine: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    marker = f"bpp-step-{uuid.uuid4().hex}"
    # The echo after the sleep keeps the shell (and the marker in its argv) alive.
    ws = _workspace(tmp_path, f"echo started && sleep {RUN_SECONDS} && echo {marker}")
    repo = f"bpp-test/restart-{uuid.uuid4().hex[:8]}"
    env = _action_env(own_engine, reg_a, ws, repo)
    started = time.monotonic()
    step_cgroups: list[Path] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        action = pool.submit(run_action, env, timeout=45)
        try:
            while not (pids := _pids_running(marker)):
                assert not action.done(), action.result().stdout
                assert time.monotonic() - started < 30, "the RUN step did not start"
                time.sleep(0.05)
            step_cgroups = _cgroups(pids[0])
            step_seen = time.monotonic() - started
            stopping = time.monotonic()
            stack_lib.stop_engine(own_engine.state_dir, SPEC)
            stopped = time.monotonic() - stopping
            stack_lib.start_engine(own_engine.state_dir, SPEC)
            restarted = time.monotonic() - stopping - stopped
            run = action.result(timeout=45)
        finally:
            _end_step(step_cgroups)
    took = time.monotonic() - started
    print(f"\nRUN step seen after {step_seen:.1f} s; dockerd stopped in {stopped:.1f} s, "
          f"started again in {restarted:.1f} s; the action ended after {took:.1f} s")  # fmt: skip

    assert run.returncode == 1, run.stdout + run.stderr
    error = _single_error(run)
    print(error)
    assert error.partition("::")[2].partition("::")[2].startswith("buildx failed with: "), error
    assert "the Docker engine or BuildKit went away during the build" in error
    # The error quotes buildx's own last words, as streamed to the log.
    buildx_said = [ln for ln in run.stdout.splitlines() if ln.startswith("ERROR: ")]
    assert buildx_said, run.stdout
    assert buildx_said[-1] in error
    assert "; retry " not in run.stdout  # the engine going away is not worth another try
    assert run.outputs["digest"] == ""
    assert reg_a.tags(repo) == []
    assert took < 45, took


def test_engine_stopped_before_the_run_is_one_clear_error(
    own_engine: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    stack_lib.stop_engine(own_engine.state_dir, SPEC)
    ws = _workspace(tmp_path, "echo never")
    repo = f"bpp-test/stopped-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    run = run_action(_action_env(own_engine, reg_a, ws, repo), timeout=30)
    took = time.monotonic() - started
    print(f"\nthe action ended after {took:.1f} s")
    assert run.returncode == 1, run.stdout + run.stderr
    error = _single_error(run)
    print(error)
    assert "Docker engine" in error
    assert SPEC.socket.name in error  # where it looked for the engine
    assert "; retry " not in run.stdout
    assert reg_a.tags(repo) == []
    assert took < 20, took
