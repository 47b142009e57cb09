"""The BuildKit image pulled before a builder is created (setup-buildx-action v4.4): which
builders get one, which failures are tried again, and the error that names the input."""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

import pytest
from support.fakes import FakeEngine, FakeRunner
from support.runner import runner_env

from build_push_py import app
from build_push_py.buildkit_image import pull_buildkit_image
from build_push_py.buildx.drivers import image_to_pull
from build_push_py.errors import ActionError, InputError
from build_push_py.inputs.driver import BuilderSpec, Driver
from build_push_py.retry import RetryPolicy, retrier
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.job import Job

IMAGE = "moby/buildkit:v0.33.0"
HOST = "https://registry-1.docker.io"
MANIFEST = f"{HOST}/v2/moby/buildkit/manifests/v0.33.0"
UNAVAILABLE = "received unexpected HTTP status: 503 Service Unavailable"
NOT_FOUND = "manifest for moby/buildkit:v0.33.0 not found: manifest unknown: manifest unknown"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(BuilderSpec(Driver.DOCKER_CONTAINER), (IMAGE, "buildkit-image"),
                     id="docker-container"),
        pytest.param(BuilderSpec(Driver.DOCKER_CONTAINER, driver_opts=("network=host",
                     "image=mirror.test/buildkit:1")), ("mirror.test/buildkit:1", "driver-opts"),
                     id="image-in-driver-opts"),
        pytest.param(BuilderSpec(Driver.DOCKER_CONTAINER, endpoint="unix:///other.sock"), None,
                     id="explicit-endpoint"),
        pytest.param(BuilderSpec(Driver.REMOTE, endpoint="tcp://buildkitd:1234"), None,
                     id="remote"),
        pytest.param(BuilderSpec(Driver.KUBERNETES), None, id="kubernetes-pulls-in-cluster"),
        pytest.param(BuilderSpec(Driver.CLOUD, endpoint="org/builder"), None, id="cloud"),
    ],
)  # fmt: skip
def test_which_builders_pull(spec: BuilderSpec, expected: tuple[str, str] | None) -> None:
    assert image_to_pull(spec, IMAGE) == expected


def _pull(engine: FakeEngine, retries: int = 3) -> list[str]:
    log: list[str] = []
    retry = retrier(RetryPolicy(retries=retries), log=log.append, sleep=lambda _: None,
                    random=lambda: 0.0)  # fmt: skip
    pull_buildkit_image(engine, IMAGE, "buildkit-image", retry, log.append)
    return log


@pytest.mark.parametrize(
    ("failures", "reason"),
    [
        pytest.param([UNAVAILABLE, UNAVAILABLE], "503 Service Unavailable", id="503"),
        pytest.param([f"Get {MANIFEST}: 502 Bad Gateway"], "502 Bad Gateway", id="502"),
        pytest.param(["toomanyrequests: You have reached your pull rate limit."],
                     "429 Too Many Requests", id="429"),
        pytest.param([f'Get "{HOST}/v2/": read tcp 10.0.0.2:4711->[::1]:443: read: connection '
                      "reset by peer"], "connection reset", id="connection-reset"),
        pytest.param([f'Get "{HOST}/v2/": net/http: request canceled while waiting for '
                      "connection (Client.Timeout exceeded while awaiting headers)"], "timeout",
                     id="timeout"),
        pytest.param([f'Get "{HOST}/v2/": dial tcp [::1]:443: connect: connection refused'],
                     "connection refused", id="connection-refused"),
    ],
)  # fmt: skip
def test_transient_failures_are_tried_again(failures: list[str], reason: str) -> None:
    engine = FakeEngine(failures=list(failures))
    log = _pull(engine)
    assert engine.pulls == [IMAGE] * (len(failures) + 1)
    retries = [line for line in log if "; retry " in line]
    assert len(retries) == len(failures)
    assert all(f"Pulling BuildKit image {IMAGE} failed ({reason})" in ln for ln in retries)
    assert log[-1] == f"Pulled BuildKit image {IMAGE}"


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(NOT_FOUND, id="manifest-unknown"),
        pytest.param(f"Head \"{MANIFEST}\": unauthorized: authentication required",
                     id="unauthorized"),
        pytest.param("pull access denied for moby/buildkit, repository does not exist or may "
                     "require 'docker login': denied: requested access to the resource is denied",
                     id="access-denied"),
        pytest.param("invalid reference format", id="invalid-reference"),
        pytest.param(f'Get "{HOST}/v2/": dial tcp: lookup registry-1.docker.io: no such host',
                     id="no-such-host"),
    ],
)  # fmt: skip
def test_permanent_failures_fail_at_once_naming_the_input(failure: str) -> None:
    engine = FakeEngine(failures=[failure, failure])
    with pytest.raises(InputError) as caught:
        _pull(engine)
    assert engine.pulls == [IMAGE]
    assert caught.value.input_name == "buildkit-image"
    assert str(caught.value) == (
        f"input 'buildkit-image': the Docker engine cannot pull the BuildKit image {IMAGE}: "
        f"{failure}"
    )
    assert "buildkit-image:" in caught.value.hint


def test_a_lasting_outage_fails_after_the_retries() -> None:
    engine = FakeEngine(failures=[UNAVAILABLE] * 5)
    with pytest.raises(InputError, match=r"^input 'buildkit-image': .*503 Service Unavailable$"):
        _pull(engine, retries=2)
    assert engine.pulls == [IMAGE] * 3


@pytest.mark.parametrize("failure", [NOT_FOUND, UNAVAILABLE], ids=["permanent", "transient"])
def test_the_engines_copy_is_used_when_the_pull_fails(failure: str) -> None:
    """As buildx does: a failed pull falls back to the image the engine has."""
    engine = FakeEngine(failures=[failure], local=True)
    log = _pull(engine)
    assert engine.pulls == [IMAGE]
    assert log[-1] == f"Pulling BuildKit image {IMAGE} failed ({failure}); using the engine's copy"


class AppRun(NamedTuple):
    runner: FakeRunner
    error: ActionError | None
    log: str
    pulls_at_create: list[int]  # how many pulls the engine had seen at each buildx create


def _app_run(tmp_path: Path, inputs: dict[str, str], engine: FakeEngine) -> AppRun:
    env = runner_env(tmp_path, {"images": "ghcr.io/octo/app", "push": "false",
                                "cache": "false", **inputs})  # fmt: skip
    runner = FakeRunner()
    runner.on(["docker", "buildx", "version"], stdout="github.com/docker/buildx v0.29.1 abc\n")
    runner.on(["docker", "buildx", "inspect"], stdout="Name: default\nDriver: docker\n")
    pulls_at_create: list[int] = []
    runner.on(["docker", "buildx", "create"],
              effect=lambda _: pulls_at_create.append(len(engine.pulls)))  # fmt: skip
    runner.on(["docker", "buildx", "build"])
    runner.on(["docker", "buildx", "rm"])
    out = io.StringIO()
    error = None
    try:
        app.run(Job(env, Workflow(env, out=out), runner, engine=engine))
    except ActionError as exc:
        error = exc
    return AppRun(runner, error, out.getvalue(), pulls_at_create)


def _created(runner: FakeRunner) -> list[list[str]]:
    return [c.argv for c in runner.calls if c.argv[:3] == ["docker", "buildx", "create"]]


def test_a_run_pulls_before_it_creates_the_builder(tmp_path: Path) -> None:
    engine = FakeEngine(failures=[UNAVAILABLE])
    run = _app_run(
        tmp_path, {"driver": "docker-container", "buildkit-image": IMAGE, "retries": "1",
                   "retry-max-wait": "10ms"}, engine,
    )  # fmt: skip
    assert run.error is None
    assert engine.pulls == [IMAGE, IMAGE]
    assert run.pulls_at_create == [2]
    [(env, config_dir)] = engine.made_with
    assert env["DOCKER_CONFIG"] == config_dir  # the action's config, with its logins
    [create] = _created(run.runner)
    assert f"image={IMAGE}" in create
    assert f"Pulled BuildKit image {IMAGE}\nCreated builder build-push-py-" in run.log


def test_a_run_whose_image_cannot_be_pulled_creates_no_builder(tmp_path: Path) -> None:
    engine = FakeEngine(failures=[NOT_FOUND])
    run = _app_run(
        tmp_path, {"driver": "docker-container", "driver-opts": f"image={IMAGE}"}, engine
    )
    assert isinstance(run.error, InputError)
    assert run.error.input_name == "driver-opts"
    assert run.pulls_at_create == []
    assert not [c for c in run.runner.calls if c.argv[:3] == ["docker", "buildx", "build"]]


def test_a_remote_builder_pulls_nothing(tmp_path: Path) -> None:
    engine = FakeEngine()
    run = _app_run(tmp_path, {"driver": "remote", "endpoint": "tcp://buildkitd.test:1234"}, engine)
    assert run.error is None
    assert engine.made_with == []
    assert run.pulls_at_create == [0]


def test_the_engines_words_stay_on_one_line() -> None:
    """The engine quotes the registry, which may answer anything: never a second log line."""
    engine = FakeEngine(failures=["manifest unknown\n::set-env name=A::b\r\n::warning::x"],
                        local=True)  # fmt: skip
    log = _pull(engine)
    assert log[-1] == (
        f"Pulling BuildKit image {IMAGE} failed (manifest unknown ::set-env name=A::b "
        "::warning::x); using the engine's copy"
    )
