"""The builder probe asks buildx for its version and its builder at the same time, and reports
a missing buildx as such rather than as the failed inspection that follows from it."""

from __future__ import annotations

import io
import threading

import pytest
from support.fakes import FakeRunner

from build_push_py.buildx.version import BuildxVersion
from build_push_py.errors import EngineError
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.builder import BuilderProbe
from build_push_py.steps.job import Job

VERSION = "github.com/docker/buildx v0.29.1 abc\n"
INSPECT = "Name: default\nDriver: docker\n"


def _job(runner: FakeRunner) -> Job:
    return Job({}, Workflow({}, out=io.StringIO()), runner)


def test_version_and_inspect_run_at_the_same_time() -> None:
    # Each call waits for the other to have started: one after the other, the first would
    # break the barrier after its timeout.
    both = threading.Barrier(2, timeout=5)

    def meet(_: list[str]) -> None:
        both.wait()

    runner = (
        FakeRunner()
        .on(["docker", "buildx", "version"], stdout=VERSION, effect=meet)
        .on(["docker", "buildx", "inspect"], stdout=INSPECT, effect=meet)
    )

    version, info = BuilderProbe(_job(runner), {}, None).result()

    assert version == BuildxVersion.parse(VERSION)
    assert (info.name, info.driver) == ("default", "docker")


@pytest.mark.parametrize(
    ("inspect_rc", "inspect_out"),
    [
        pytest.param(1, "", id="inspect-fails-too"),
        pytest.param(0, INSPECT, id="inspect-answers"),
    ],
)
def test_a_missing_buildx_is_the_error_whatever_inspect_says(
    inspect_rc: int, inspect_out: str
) -> None:
    runner = (
        FakeRunner()
        .on(["docker", "buildx", "version"], returncode=1, stderr="'buildx' is not a command")
        .on(["docker", "buildx", "inspect"], returncode=inspect_rc, stdout=inspect_out)
    )

    with pytest.raises(EngineError, match="docker buildx is not available: 'buildx' is not"):
        BuilderProbe(_job(runner), {}, None).result()


def test_without_inspect_only_the_version_is_asked() -> None:
    runner = FakeRunner().on(["docker", "buildx", "version"], stdout=VERSION)

    version, info = BuilderProbe(_job(runner), {}, None, inspect=False).result()

    assert version == BuildxVersion.parse(VERSION)
    assert info.driver == ""
    assert [call.argv[:3] for call in runner.calls] == [["docker", "buildx", "version"]]
