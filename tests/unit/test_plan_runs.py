"""A dry run and a real run of the same inputs on the same buildx, both through a fake
runner: the dry run prints exactly the ``docker buildx build`` argv the real run executes."""

from __future__ import annotations

import io
import itertools
import shlex
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import pytest
from support.fakes import FakeEngine, FakeRunner
from support.runner import parse_file_commands, runner_env

from build_push_py import app
from build_push_py.buildx.builder import BUILDER_PREFIX
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.build import DRY_RUN_DIR, NEW_BUILDER
from build_push_py.steps.job import Job


class Event(NamedTuple):
    """The run's event: its name, payload and the variables it changes or adds."""

    name: str = "push"
    payload: Mapping[str, Any] = MappingProxyType({})
    github: Mapping[str, str] = MappingProxyType({})


INSPECT = """\
Name:          default
Driver:        docker

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.25.1-moby
Platforms:        linux/amd64
Features:
 Cache export:         true
 Docker exporter:      true
 Multi-platform build: true
 OCI exporter:         true
"""
SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"  # support.runner's GITHUB_SHA
HEAD_SHA = "f11797113e5a9b86bd976329c5dbb8a8bfdfadfa"
REPO_URL = "https://github.com/octo-org/hello-world.git"
PULL_REQUEST = Event(
    "pull_request",
    {"number": 15, "pull_request": {"head": {"sha": HEAD_SHA}}, "repository": {"private": True}},
    {"GITHUB_REF": "refs/pull/15/merge", "DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF": "true"},
)
QUERY = Event(github={"BUILDX_SEND_GIT_QUERY_AS_INPUT": "true"})
# (inputs, event, the context the build gets: the pinned default git context where asked)
CASES = [
    pytest.param({"images": "ghcr.io/octo/app", "push": "false"}, Event(), ".", id="default"),
    pytest.param(
        {
            "images": "ghcr.io/octo/app\nreg.example/app",
            "tags": "type=ref,event=branch\ntype=sha",
            "build-args": "A=1\nB=two words",
            "secrets": "token=s3cret-token\nother=second-value",
            "platforms": "linux/amd64,linux/arm64",
            "labels": "org.example.team=web",
            "push": "true",
            "github-token": "ghs_fake",
            "context": "{{defaultContext}}",
        },
        Event(),
        f"{REPO_URL}#{SHA}",
        id="secrets-platforms-git-context",
    ),
    pytest.param({"images": "ghcr.io/octo/app", "load": "true"}, Event(), ".", id="load"),
    pytest.param(
        {"images": "ghcr.io/octo/app", "push-by-digest": "true", "push": "true"},
        Event(),
        ".",
        id="by-digest",
    ),
    pytest.param(
        {"images": "ghcr.io/octo/app", "github-token": "ghs_fake", "context": "{{defaultContext}}"},
        PULL_REQUEST,
        f"{REPO_URL}#{HEAD_SHA}",
        id="pull-request-head",
    ),
    pytest.param(
        {"images": "ghcr.io/octo/app", "push": "true", "context": "{{defaultContext}}"},
        QUERY,
        f"{REPO_URL}?ref={SHA}",
        id="git-query-form",
    ),
]


def _runner(build_argv: list[list[str]]) -> FakeRunner:
    runner = FakeRunner()
    runner.on(["docker", "buildx", "version"], stdout="github.com/docker/buildx v0.29.1 abc\n")
    runner.on(["docker", "buildx", "inspect"], stdout=INSPECT)
    runner.on(["docker", "buildx", "create"])
    runner.on(["docker", "buildx", "build"], effect=build_argv.append)
    return runner


def _run(
    tmp_path: Path, inputs: dict[str, str], event: Event, *, dry_run: bool
) -> tuple[str, list[list[str]]]:
    env = runner_env(
        tmp_path,
        {**inputs, "dry-run": "true" if dry_run else "false"},
        event_name=event.name,
        payload=event.payload,
        github=event.github,
    )
    env["SOURCE_DATE_EPOCH"] = "1700000000"  # the same "now" for both runs
    out = io.StringIO()
    built: list[list[str]] = []
    runner = _runner(built)
    app.run(Job(env, Workflow(env, out=out), runner, engine=FakeEngine()))
    outputs = parse_file_commands(Path(env["GITHUB_OUTPUT"]).read_text())
    assert outputs["tags"]  # the metadata was computed and written in both runs
    created = [c.argv[4] for c in runner.calls if c.argv[:3] == ["docker", "buildx", "create"]]
    return out.getvalue(), [[NEW_BUILDER if a in created else a for a in b] for b in built]


@pytest.mark.parametrize(("inputs", "event", "context"), CASES)
def test_dry_run_prints_the_argv_the_run_executes(
    tmp_path: Path, inputs: dict[str, str], event: Event, context: str
) -> None:
    log, built = _run(tmp_path / "dry", inputs, event, dry_run=True)
    assert built == []
    printed = [line.strip() for line in log.splitlines() if line.startswith("  docker buildx")]
    assert len(printed) == 1
    planned = shlex.split(printed[0])[1:]

    real_log, built = _run(tmp_path / "real", inputs, event, dry_run=False)
    assert len(built) == 1
    [shown] = [line for line in real_log.splitlines() if line.startswith("docker buildx build")]
    made = [NEW_BUILDER if a.startswith(BUILDER_PREFIX) else a for a in shlex.split(shown)]
    assert made == built[0]  # the real run prints what it executes, too
    executed = built[0][1:]
    work = {str(Path(a).parent) for a in executed if a.endswith("/metadata.json")}
    assert len(work) == 1  # the real run's build directory
    build_dir = work.pop()
    normalised = [a.replace(build_dir, DRY_RUN_DIR) for a in executed]
    assert normalised == planned
    assert not any("{{" in arg for arg in planned)  # every label and tag is rendered
    assert "--attest" in planned or "load" in inputs  # the builder's provenance rule is in both
    assert planned[-1] == context


def test_the_build_is_passed_the_variables_its_secret_envs_name(tmp_path: Path) -> None:
    """buildx reads ``--secret id=x,env=NAME`` from its own environment, which has only the
    variables it is passed."""
    inputs = {"images": "ghcr.io/octo/app", "secret-envs": "a=MY_A\nb=MY_B", "push": "false"}
    env = runner_env(tmp_path, inputs)
    runner = _runner([])
    app.run(Job(env, Workflow(env, out=io.StringIO()), runner))
    [build] = [c for c in runner.calls if c.argv[:3] == ["docker", "buildx", "build"]]
    assert list(build.pass_env) == ["MY_A", "MY_B"]
    secrets = [b for a, b in itertools.pairwise(build.argv) if a == "--secret"]
    assert secrets == ["id=a,env=MY_A", "id=b,env=MY_B"]


@pytest.mark.parametrize(("sign", "signs"), [("auto", False), ("true", True)])
def test_a_pull_request_target_push_is_signed_only_on_request_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sign: str, signs: bool
) -> None:
    """On pull_request_target the built code may be a fork's: ``sign: auto`` does not give it
    the workflow's identity; ``sign: true`` does, and the run warns, naming the event."""
    inputs = {"images": "ghcr.io/octo/app", "push": "true", "sign": sign, "dry-run": "true"}
    oidc = {"ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/token",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token"}  # fmt: skip
    env = runner_env(tmp_path, inputs, event_name="pull_request_target", github=oidc)
    out = io.StringIO()
    app.run(Job(env, Workflow(env, out=out), _runner([])))
    cosign = [line for line in out.getvalue().splitlines() if line.strip().startswith("cosign")]
    warnings = [line for line in capsys.readouterr().out.splitlines() if "sign: true" in line]
    assert bool(cosign) is signs
    assert bool(warnings) is signs
    assert all("pull_request_target" in w and w.startswith("::warning") for w in warnings)


@pytest.mark.parametrize(
    ("inputs", "gets_token"),
    [
        pytest.param({}, True, id="the-default-gha-cache"),
        pytest.param({"cache-from": "type=gha,scope=x"}, True, id="a-gha-cache-given"),
        pytest.param({"cache-from": "type=registry,ref=r/c"}, False, id="another-cache"),
        pytest.param({"cache": "false"}, False, id="no-cache"),
    ],
)
def test_only_a_build_with_a_gha_cache_gets_the_runners_token(
    tmp_path: Path, inputs: dict[str, str], gets_token: bool
) -> None:
    runtime = {"ACTIONS_RUNTIME_TOKEN": "runtime-jwt", "ACTIONS_RESULTS_URL": "http://127.0.0.1:9/",
               "ACTIONS_CACHE_URL": "http://127.0.0.1:9/cache/"}  # fmt: skip
    env = runner_env(tmp_path, {"images": "ghcr.io/octo/app", "push": "false", **inputs},
                     github=runtime)  # fmt: skip
    runner = _runner([])
    app.run(Job(env, Workflow(env, out=io.StringIO()), runner))
    gha = {"ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL"}
    for call in runner.calls:
        is_build = call.argv[:3] == ["docker", "buildx", "build"]
        assert (set(call.pass_env) >= gha) is (is_build and gets_token), call.argv
        assert not set(call.pass_env) & gha or is_build
