"""The main step removes what it made when it ends (the action has no post step): the Docker
config directory with the credentials, after a build, a failure, or SIGTERM/SIGINT (how the
runner stops a cancelled step). These run ``entrypoint.py`` in a subprocess with a stand-in
buildx (``BUILDX_BIN``), so no Docker is needed."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest
from support.engine import accepting_engine
from support.fakes import FakeRunner
from support.runner import runner_env

from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.proc import STOP_GRACE
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import login
from build_push_py.steps.cleanup import clean_up
from build_push_py.steps.job import Job

ROOT = Path(__file__).resolve().parents[2]
# Answers like buildx 0.29 on the engine's docker driver; a build succeeds, fails, or hangs
# after writing its pid to $BUILDX_TEST_STARTED (buildx's own BUILDX_ prefix gets through
# proc.child_env), or hangs ignoring SIGINT and SIGTERM.
FAKE_BUILDX = """\
#!/bin/sh
case "$1" in
  version) echo "github.com/docker/buildx v0.29.1 abc" ;;
  inspect) printf 'Name: default\\nDriver: docker\\n' ;;
  build)
    [ "$BUILDX_TEST_BUILD" = deaf ] && trap '' INT TERM  # a buildx that ignores the signal
    echo $$ > "$BUILDX_TEST_STARTED"
    case "$BUILDX_TEST_BUILD" in
      ok) exit 0 ;;
      fail) echo "ERROR: process did not complete successfully" >&2; exit 1 ;;
      hang|deaf) exec sleep 60 ;;
    esac ;;
esac
"""


def _start(
    tmp_path: Path, build: str, *, inputs: dict[str, str] | None = None,
    docker_host: str = "unix:///nonexistent.sock",
) -> tuple[subprocess.Popen[str], dict[str, str]]:  # fmt: skip
    buildx = tmp_path / "buildx"
    buildx.write_text(FAKE_BUILDX)
    buildx.chmod(0o755)
    base = {
        "PATH": os.environ.get("PATH", os.defpath),
        "DOCKER_HOST": docker_host,
        "BUILDX_BIN": str(buildx),
        "BUILDX_TEST_BUILD": build,
        "BUILDX_TEST_STARTED": str(tmp_path / "build-started"),
    }
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text("FROM scratch\n")
    given = {"images": "localhost/app", "push": "false"} | (inputs or {})
    env = runner_env(ws, given, base=base)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "entrypoint.py")], env=env, cwd=ws, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    return proc, env


def _config_dir(env: dict[str, str]) -> Path:
    """The config directory the running step made in its ``RUNNER_TEMP``."""
    [path] = Path(env["RUNNER_TEMP"]).glob(f"{login.CONFIG_PREFIX}*")
    return path


def _removed(out: str, env: dict[str, str]) -> None:
    """The step made its config directory, and its clean-up removed it."""
    assert f"removed the action's Docker config {env['RUNNER_TEMP']}/{login.CONFIG_PREFIX}" in out
    assert list(Path(env["RUNNER_TEMP"]).glob(f"{login.CONFIG_PREFIX}*")) == []


@pytest.mark.parametrize(
    ("build", "code"),
    [pytest.param("ok", 0, id="built"), pytest.param("fail", 1, id="build-failed")],
)
def test_the_config_dir_is_gone_when_the_step_ends(tmp_path: Path, build: str, code: int) -> None:
    proc, env = _start(tmp_path, build)
    with proc:
        out, err = proc.communicate(timeout=60)

    assert proc.returncode == code, out + err
    assert (tmp_path / "build-started").exists()
    _removed(out, env)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_a_cancelled_step_removes_the_config_dir_and_stops(
    tmp_path: Path, sig: signal.Signals
) -> None:
    proc, env = _start(tmp_path, "hang")
    with proc:
        try:
            deadline = time.monotonic() + 30
            while not (tmp_path / "build-started").exists():
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the build never started"
                time.sleep(0.02)
            started = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=10)
            stopped = time.monotonic() - started
            buildx_left = _lives_on(_buildx_pid(tmp_path))
        finally:
            with suppress(ProcessLookupError):  # a stand-in buildx that outlived the run
                os.killpg(proc.pid, signal.SIGKILL)

    assert proc.returncode == 130, out + err
    assert "Traceback" not in err, err
    _removed(out, env)
    assert stopped < 5  # not waiting for the build to end
    assert not buildx_left, "the run ended and left buildx running"


def test_a_step_cancelled_during_its_login_leaves_no_credentials(tmp_path: Path) -> None:
    """The login checks run in a thread; the engine here takes the connection and never
    answers. Cancelled while the step waits for the login, the run removes its config
    directory, and the login, which writes the config only after its checks, wrote none."""
    engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    engine.bind(str(tmp_path / "engine.sock"))
    engine.listen(4)
    inputs = {"registry": "registry.test", "username": "user", "password": "secret-" + "x" * 8}
    proc, env = _start(tmp_path, "ok", inputs=inputs, docker_host=f"unix://{engine.getsockname()}")
    with proc, engine:
        try:
            engine.settimeout(30)
            connection, _ = engine.accept()  # the docker SDK asks the engine's version
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=10)
            connection.close()
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err, err
    _removed(out, env)
    assert list(Path(env["RUNNER_TEMP"]).rglob("*config.json*")) == []
    assert not (tmp_path / "build-started").exists()  # nothing was built


def _buildx_pid(tmp_path: Path) -> int:
    return int((tmp_path / "build-started").read_text())


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _lives_on(pid: int, wait: float = 2.0) -> bool:
    """Whether ``pid`` is still running after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while _alive(pid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
    return False


def _wait_for_build(proc: subprocess.Popen[str], tmp_path: Path) -> None:
    started = tmp_path / "build-started"
    deadline = time.monotonic() + 30
    while not started.exists() or not started.read_text().strip():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never started"
        time.sleep(0.02)


def _secret_files(config_dir: Path) -> list[Path]:
    """Every file of the config directory but buildx's own state."""
    return [p for p in config_dir.rglob("*") if p.is_file() and "buildx" not in p.parts]


def test_a_cancelled_step_removes_secrets_before_the_build_ends_then_kills_it(
    tmp_path: Path,
) -> None:
    """buildx ignores the runner's signal here: the credentials and secret files are gone
    at once all the same, buildx gets a bounded wait (proc.STOP_GRACE), then its process
    group is killed, and the step ends before the runner's SIGKILL (10 s)."""
    inputs = {"registry": "registry.test", "username": "user", "password": "pw-" + "x" * 8,
              "secrets": "token=build-secret-value"}  # fmt: skip
    with accepting_engine(tmp_path / "engine.sock") as host:
        proc, env = _start(tmp_path, "deaf", inputs=inputs, docker_host=host)
        with proc:
            try:
                _wait_for_build(proc, tmp_path)
                config_dir = _config_dir(env)
                assert (config_dir / "config.json").is_file()
                assert any(p.read_text() == "build-secret-value" for p in
                           _secret_files(config_dir))  # fmt: skip
                buildx = _buildx_pid(tmp_path)
                proc.send_signal(signal.SIGTERM)
                signalled = time.monotonic()
                while _secret_files(config_dir) and time.monotonic() - signalled < 1:
                    time.sleep(0.01)
                left = _secret_files(config_dir)
                buildx_ran_on = _alive(buildx)
                try:
                    out, err = proc.communicate(timeout=10)
                except subprocess.TimeoutExpired:  # the runner's SIGKILL would come now
                    out, err = "", "the step did not end within 10 s"
                ended = time.monotonic() - signalled
                buildx_left = _lives_on(buildx, wait=0.5)
            finally:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with suppress(ProcessLookupError, ValueError, OSError):
                    os.kill(_buildx_pid(tmp_path), signal.SIGKILL)

    assert left == []  # within a second of the signal
    assert buildx_ran_on  # while buildx still ran
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err, err
    assert not buildx_left, "buildx was not killed"
    assert STOP_GRACE <= ended < STOP_GRACE + 3, ended
    assert not config_dir.exists()


def test_the_clean_up_removes_the_builder_then_the_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    env = {"RUNNER_TEMP": str(tmp_path)}
    job = Job(env, Workflow(env, out=io.StringIO()), runner)
    config_dir = login.new_config_dir(job, parse(read_raw({})))
    job.made.builder = "build-push-py-0a1b2c3d"
    clean_up(job)
    assert [c.argv for c in runner.calls] == [["docker", "buildx", "rm", "build-push-py-0a1b2c3d"]]
    assert runner.calls[0].env is not None
    assert runner.calls[0].env["DOCKER_CONFIG"] == config_dir  # where buildx keeps it
    assert not Path(config_dir).exists()
    assert "warning" not in capsys.readouterr().err
