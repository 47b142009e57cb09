"""The clean-up removes only what the run created: the Docker config directory that
``steps.login.new_config_dir`` made (in the runner's temp directory, with its marker) and a
builder named as ``buildx.commands.create_builder`` names them. A state that says otherwise
(tampered with below) is not acted on."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fakes import FakeRunner

from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import login, outputs
from build_push_py.steps.job import Job
from build_push_py.steps.post import post

CONFIG = outputs.STATE_CONFIG
TOKEN = outputs.STATE_CONFIG_TOKEN
BUILDER = outputs.STATE_BUILDER


def _job(env: dict[str, str], runner: FakeRunner | None = None) -> Job:
    return Job(env, Workflow(env, out=io.StringIO()), runner or FakeRunner())


def _made_by_the_action(temp: Path) -> dict[str, str]:
    """The state the main step leaves: a real ``new_config_dir`` in ``temp``."""
    env = {"RUNNER_TEMP": str(temp)}
    job = _job(env)
    config_dir = login.new_config_dir(job, parse(read_raw({})))
    (Path(config_dir) / "config.json").write_text('{"auths": {}}')
    return dict(job.wf.saved_state)


def test_removes_the_config_dir_it_made(tmp_path: Path) -> None:
    state = _made_by_the_action(tmp_path)
    post(_job({"RUNNER_TEMP": str(tmp_path)}), state)
    assert not Path(state[CONFIG]).exists()


def test_keeps_the_config_dir_with_logout_false(tmp_path: Path) -> None:
    state = _made_by_the_action(tmp_path)
    post(_job({"RUNNER_TEMP": str(tmp_path)}), {**state, outputs.STATE_LOGOUT: "false"})
    assert Path(state[CONFIG]).is_dir()


# Each case turns the state of a real run into one the action cannot prove it made.
Tamper = Callable[[Path, dict[str, str]], Path]


def _callers_dir(temp: Path, state: dict[str, str]) -> Path:
    victim = temp.parent / "home" / ".docker"
    victim.mkdir(parents=True)
    state[CONFIG] = str(victim)
    return victim


def _outside_temp(temp: Path, state: dict[str, str]) -> Path:
    elsewhere = temp.parent / "elsewhere"
    elsewhere.mkdir()
    moved = Path(state[CONFIG]).rename(elsewhere / Path(state[CONFIG]).name)
    state[CONFIG] = str(moved)
    return moved


def _other_name(temp: Path, state: dict[str, str]) -> Path:
    renamed = Path(state[CONFIG]).rename(temp / "cache")
    state[CONFIG] = str(renamed)
    return renamed


def _no_marker(temp: Path, state: dict[str, str]) -> Path:
    (Path(state[CONFIG]) / login.MARKER).unlink()
    return Path(state[CONFIG])


def _other_token(temp: Path, state: dict[str, str]) -> Path:
    state[TOKEN] = "0" * 32
    return Path(state[CONFIG])


def _no_token(temp: Path, state: dict[str, str]) -> Path:
    del state[TOKEN]
    return Path(state[CONFIG])


def _symlink(temp: Path, state: dict[str, str]) -> Path:
    """A link in the temp dir, named right, to a directory holding the right marker."""
    victim = temp.parent / "victim"
    Path(state[CONFIG]).rename(victim)
    link = temp / "docker-config-link"
    link.symlink_to(victim)
    state[CONFIG] = str(link)
    return victim


def _dotdot(temp: Path, state: dict[str, str]) -> Path:
    victim = _outside_temp(temp, state)
    state[CONFIG] = str(temp / ".." / "elsewhere" / victim.name)
    return victim


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_callers_dir, id="callers-own-directory"),
        pytest.param(_outside_temp, id="outside-the-temp-dir"),
        pytest.param(_dotdot, id="dot-dot-out-of-the-temp-dir"),
        pytest.param(_other_name, id="not-named-docker-config"),
        pytest.param(_no_marker, id="no-marker-file"),
        pytest.param(_other_token, id="marker-token-differs"),
        pytest.param(_no_token, id="no-token-in-state"),
        pytest.param(_symlink, id="symlink-to-elsewhere"),
    ],
)
def test_a_config_dir_it_cannot_prove_it_made_is_kept(
    tmp_path: Path, tamper: Tamper, capsys: pytest.CaptureFixture[str]
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    state = _made_by_the_action(temp)
    kept = tamper(temp, state)
    (kept / "precious").write_text("keep me")
    post(_job({"RUNNER_TEMP": str(temp)}), state)
    assert (kept / "precious").read_text() == "keep me"
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: not removing {state[CONFIG]}: ")


@pytest.mark.parametrize(
    ("name", "removed"),
    [
        pytest.param("build-push-py-0a1b2c3d", True, id="generated-name"),
        pytest.param("default", False, id="the-engines-builder"),
        pytest.param("mybuilder", False, id="a-users-builder"),
        pytest.param("build-push-py-0a1b2c3", False, id="seven-hex-digits"),
        pytest.param("build-push-py-0A1B2C3D", False, id="upper-case-hex"),
        pytest.param("build-push-py-0a1b2c3d-x", False, id="suffix"),
        pytest.param("--help", False, id="an-option"),
    ],
)
def test_removes_only_a_builder_it_named(
    tmp_path: Path, name: str, removed: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    post(_job({"RUNNER_TEMP": str(tmp_path)}, runner), {BUILDER: name})
    assert [c.argv for c in runner.calls] == ([["docker", "buildx", "rm", name]] if removed else [])
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == (0 if removed else 1)
    if not removed:
        assert warnings[0].startswith(f"warning: not removing builder {name!r}: ")


def test_a_builder_is_removed_with_the_proven_config_dir_only(tmp_path: Path) -> None:
    state = _made_by_the_action(tmp_path)
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    env = {"RUNNER_TEMP": str(tmp_path)}
    state = {**state, BUILDER: "build-push-py-0a1b2c3d"}
    post(_job(env, runner), state)
    assert runner.calls[0].env is not None
    assert runner.calls[0].env["DOCKER_CONFIG"] == state[CONFIG]

    runner = FakeRunner().on(["docker", "buildx", "rm"])
    post(_job({**env, "DOCKER_CONFIG": "/home/u/.docker"}, runner), {**state, CONFIG: "/etc"})
    assert runner.calls[0].env is not None
    assert runner.calls[0].env["DOCKER_CONFIG"] == "/home/u/.docker"
