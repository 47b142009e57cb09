"""The clean-up removes what the run made, as ``Job.made`` records it: the Docker config
directory that ``steps.login.new_config_dir`` made (unless ``logout: false``) and the builder
``steps.builder`` made, with that config."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from support.fakes import FakeRunner

from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import login
from build_push_py.steps.cleanup import clean_up
from build_push_py.steps.job import Job

BUILDER = "build-push-py-0a1b2c3d"


def _job(temp: Path, raw: dict[str, str] | None = None, runner: FakeRunner | None = None,
         env: dict[str, str] | None = None) -> tuple[Job, Path]:  # fmt: skip
    """A job whose run made its config dir in ``temp``, as the main step does."""
    env = {"RUNNER_TEMP": str(temp), **(env or {})}
    job = Job(env, Workflow(env, out=io.StringIO()), runner or FakeRunner())
    config_dir = Path(login.new_config_dir(job, parse(read_raw(raw or {}))))
    (config_dir / "config.json").write_text('{"auths": {}}')
    return job, config_dir


def test_removes_the_config_dir_it_made(tmp_path: Path) -> None:
    job, config_dir = _job(tmp_path)
    clean_up(job)
    assert not config_dir.exists()


def test_keeps_the_config_dir_with_logout_false(tmp_path: Path) -> None:
    job, config_dir = _job(tmp_path, {"INPUT_LOGOUT": "false"})
    clean_up(job)
    assert (config_dir / "config.json").is_file()


def test_a_builder_is_removed_with_the_config_dir_it_was_made_with(tmp_path: Path) -> None:
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    job, config_dir = _job(tmp_path, runner=runner, env={"DOCKER_CONFIG": "/home/u/.docker"})
    job.made.builder = BUILDER
    clean_up(job)
    assert [c.argv for c in runner.calls] == [["docker", "buildx", "rm", BUILDER]]
    assert runner.calls[0].env is not None
    assert runner.calls[0].env["DOCKER_CONFIG"] == str(config_dir)  # where buildx keeps it
    assert not config_dir.exists()


def test_a_config_dir_removed_by_someone_else_ends_the_clean_up(tmp_path: Path) -> None:
    runner = FakeRunner().on(["docker", "buildx", "rm"])
    job, config_dir = _job(tmp_path, runner=runner)
    job.made.builder = BUILDER
    shutil.rmtree(config_dir)
    clean_up(job)
    assert runner.calls == []  # buildx kept the builder's record in that directory


def test_a_run_that_made_nothing_removes_nothing(tmp_path: Path) -> None:
    runner = FakeRunner()
    _, theirs = _job(tmp_path)  # another run's
    env = {"RUNNER_TEMP": str(tmp_path)}
    clean_up(Job(env, Workflow(env, out=io.StringIO()), runner))
    assert theirs.is_dir()
    assert runner.calls == []
