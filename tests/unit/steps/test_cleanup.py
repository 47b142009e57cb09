"""The clean-up removes what the run created, from the state it saved: the Docker config
directory that ``steps.login.new_config_dir`` made (unless ``logout: false``) and the builder
``buildx.commands.create_builder`` made, with that config."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from support.fakes import FakeRunner

from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import login, outputs
from build_push_py.steps.job import Job
from build_push_py.steps.post import post

CONFIG = outputs.STATE_CONFIG
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


def test_a_builder_is_removed_with_the_config_dir_it_was_made_with(tmp_path: Path) -> None:
    state = _made_by_the_action(tmp_path)
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    env = {"RUNNER_TEMP": str(tmp_path), "DOCKER_CONFIG": "/home/u/.docker"}
    post(_job(env, runner), {**state, BUILDER: "build-push-py-0a1b2c3d"})
    assert [c.argv for c in runner.calls] == [["docker", "buildx", "rm", "build-push-py-0a1b2c3d"]]
    assert runner.calls[0].env is not None
    assert runner.calls[0].env["DOCKER_CONFIG"] == state[CONFIG]  # where buildx keeps it
    assert not Path(state[CONFIG]).exists()


def test_a_config_dir_removed_by_someone_else_ends_the_clean_up(tmp_path: Path) -> None:
    state = _made_by_the_action(tmp_path)
    shutil.rmtree(state[CONFIG])
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    post(_job({"RUNNER_TEMP": str(tmp_path)}, runner), {**state, BUILDER: "build-push-py-0a1b2c3d"})
    assert runner.calls == []  # buildx kept the builder's record in that directory
