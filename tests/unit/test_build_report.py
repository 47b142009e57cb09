"""What a build reports besides its outputs, through a whole run (app.run) with a fake buildx
that writes the metadata file buildx 0.29.1 wrote for a Dockerfile with two check warnings,
and a local artifact service: the annotations, ``checks-fail-on-warnings``, the build
record's export and upload, the job summary and its switches."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.artifact_server import ArtifactServer, running, runtime_token
from support.fakes import FakeRunner
from support.runner import parse_file_commands, runner_env

from build_push_py import app
from build_push_py.buildx.result import BuildFailed
from build_push_py.errors import ActionError
from build_push_py.plan.report import ReportSettings
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import build
from build_push_py.steps.job import Job
from build_push_py.steps.outputs import report_failure

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "buildx"
METADATA = json.loads((FIXTURE / "metadata-check-warnings.json").read_text())
DOCKERFILE = "FROM localhost/bpp-test/busybox:latest as base\nRUN true\nENV PASSWORD=x\n"
RECORD = b"PK\x03\x04 a build record"
TOKEN = runtime_token("Actions.Results:7:8")
INSPECT = """\
Name:          default
Driver:        docker

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.25.1-moby
Platforms:        linux/amd64
"""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArtifactServer]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with running(TOKEN) as found:
        yield found


def _after(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


FAILED = 'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully'


def _buildx(
    metadata: dict[str, Any] | None, *, version: str = "v0.29.1", fail: bool = False,
    call_stdout: str = "", local_ref: str = "", stderr: str = FAILED,
) -> FakeRunner:  # fmt: skip
    """buildx as the fake: ``build`` writes ``metadata`` (buildx writes none when a build
    fails) and ``local_ref`` into buildx's local state, ``history export`` a record."""
    runner = FakeRunner()

    def build(argv: list[str]) -> None:
        if metadata is not None:
            Path(_after(argv, "--metadata-file")).write_text(json.dumps(metadata))
        if local_ref:
            env = runner.calls[-1].env or {}
            state = Path(env["DOCKER_CONFIG"], "buildx", "refs", "default", "default")
            state.mkdir(parents=True)
            (state / local_ref).write_text('{"Target":"default","DockerfilePath":""}')

    def export(argv: list[str]) -> None:
        Path(_after(argv, "--output")).write_bytes(RECORD)

    runner.on(["docker", "buildx", "version"], stdout=f"github.com/docker/buildx {version} abc\n")
    runner.on(["docker", "buildx", "inspect"], stdout=INSPECT)
    runner.on(["docker", "buildx", "build"], effect=build, returncode=1 if fail else 0,
              stdout=call_stdout, stderr=stderr if fail else "")  # fmt: skip
    runner.on(["docker", "buildx", "history", "export"], effect=export)
    return runner


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "sub" / "Dockerfile.dev").write_text(DOCKERFILE)
    monkeypatch.chdir(ws)  # the action runs in the workspace, and so does buildx
    return ws


class Run:
    def __init__(self, env: dict[str, str], runner: FakeRunner, out: str, error: ActionError | None
                 ) -> None:  # fmt: skip
        self.env, self.runner, self.log, self.error = env, runner, out, error
        files = Path(env["GITHUB_OUTPUT"]).parent
        self.outputs = parse_file_commands((files / "output").read_text())
        self.summary = (files / "summary").read_text()

    def calls(self, *prefix: str) -> list[list[str]]:
        return [c.argv for c in self.runner.calls if c.argv[: len(prefix)] == list(prefix)]


def _run(
    workspace: Path, capsys: pytest.CaptureFixture[str], inputs: dict[str, str],
    runner: FakeRunner, extra_env: dict[str, str] | None = None,
) -> Run:  # fmt: skip
    base = {"images": "ghcr.io/octo/app", "push": "false", "cache": "false",
            "file": "sub/Dockerfile.dev"}  # fmt: skip
    env = runner_env(workspace.parent, {**base, **inputs})
    env["GITHUB_WORKSPACE"] = str(workspace)
    env.update(extra_env or {})
    out = io.StringIO()
    wf = Workflow(env, out=out)
    error = None
    try:
        app.run(Job(env, wf, runner))
    except ActionError as exc:
        error = exc
        report_failure(wf, exc)
    return Run(env, runner, out.getvalue() + capsys.readouterr().out, error)


def _annotations(run: Run) -> list[str]:
    return [line for line in run.log.splitlines() if line.startswith("::warning title=")]


def _service_env(server: ArtifactServer) -> dict[str, str]:
    return {"ACTIONS_RESULTS_URL": server.url + "/", "ACTIONS_RUNTIME_TOKEN": TOKEN}


def test_warnings_become_annotations_and_the_record_an_artifact(
    workspace: Path, capsys: pytest.CaptureFixture[str], server: ArtifactServer
) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA), _service_env(server))
    assert run.error is None
    assert _annotations(run) == [
        "::warning title=The 'as' keyword should match the case of the 'from' keyword,"
        "file=sub/Dockerfile.dev,line=1::FromAsCasing: 'as' and 'FROM' keywords' casing do not"
        " match%0AMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
        "::warning title=Sensitive data should not be used in the ARG or ENV commands,"
        "file=sub/Dockerfile.dev,line=3::SecretsUsedInArgOrEnv: Do not use ARG or ENV"
        ' instructions for sensitive data (ENV "PASSWORD")%0AMore info:'
        " https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/",
    ]
    name = ".octo-org~hello-world~TC2DKU.dockerbuild"
    [export] = run.calls("docker", "buildx", "history", "export")
    assert export[:6] == ["docker", "buildx", "history", "export", "--builder", "default"]
    assert export[-2:] == ["--finalize", "tc2dkuhjwmngpittn57roxged"]
    assert Path(_after(export, "--output")).name == name
    assert server.artifacts[name].content == RECORD
    artifact = server.artifacts[name].artifact_id
    assert run.outputs["check-warnings"] == "2"
    assert run.outputs["build-record-artifact"] == str(artifact)
    assert Path(run.outputs["build-record"]).read_bytes() == RECORD
    url = f"https://github.com/octo-org/hello-world/actions/runs/123456789/artifacts/{artifact}"
    assert f"Artifact download URL: {url}" in run.log
    assert "| Build check warnings | 2 |" in run.summary
    assert (
        f'| Build record | <a href="{url}"><code>{name}</code></a> ({len(RECORD)} Bytes) |'
        in run.summary
    )


def test_checks_fail_on_warnings_fails_after_the_outputs(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(workspace, capsys, {"checks-fail-on-warnings": "true"}, _buildx(METADATA))
    assert str(run.error) == (
        "the Dockerfile's build checks found 2 warnings and checks-fail-on-warnings is true"
    )
    assert [line for line in run.log.splitlines() if line.startswith("::error")] == [
        "::error ::the Dockerfile's build checks found 2 warnings and checks-fail-on-warnings"
        " is true"
    ]
    assert run.outputs["digest"] == METADATA["containerimage.digest"]
    assert run.outputs["check-warnings"] == "2"
    assert "checks-fail-on-warnings: false" in run.summary


def test_without_warnings_checks_fail_on_warnings_passes(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = {k: v for k, v in METADATA.items() if k != "buildx.build.warnings"}
    run = _run(workspace, capsys, {"checks-fail-on-warnings": "true"}, _buildx(metadata))
    assert run.error is None
    assert run.outputs["check-warnings"] == "0"


def test_annotations_switched_off_still_count(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA),
               {"DOCKER_BUILD_CHECKS_ANNOTATIONS": "false"})  # fmt: skip
    assert _annotations(run) == []
    assert run.outputs["check-warnings"] == "2"


@pytest.mark.parametrize(
    ("inputs", "env", "summary", "exported", "uploaded"),
    [
        pytest.param({}, {}, True, True, True, id="defaults"),
        pytest.param({}, {"DOCKER_BUILD_SUMMARY": "false"}, False, False, False,
                     id="env-summary-off"),
        pytest.param({"build-summary": "false"}, {}, False, False, False, id="input-summary-off"),
        pytest.param({"build-summary": "true"}, {"DOCKER_BUILD_SUMMARY": "false"}, True, True,
                     True, id="input-over-env"),
        pytest.param({"build-record-upload": "false"}, {}, True, True, False, id="upload-off"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_UPLOAD": "false"}, True, True, False,
                     id="env-upload-off"),
        pytest.param({"call": "outline"}, {}, True, False, False, id="subrequest"),
        pytest.param({}, {"GITHUB_SERVER_URL": "https://ghes.example"}, True, True, False,
                     id="enterprise-server"),
    ],
)  # fmt: skip
def test_switches(
    workspace: Path, capsys: pytest.CaptureFixture[str], server: ArtifactServer, *,
    inputs: dict[str, str], env: dict[str, str], summary: bool, exported: bool, uploaded: bool,
) -> None:  # fmt: skip
    run = _run(workspace, capsys, inputs, _buildx(METADATA), {**_service_env(server), **env})
    assert run.error is None
    assert ("### build-push-py" in run.summary) == summary
    assert bool(run.calls("docker", "buildx", "history", "export")) == exported
    assert bool(run.outputs["build-record"]) == exported
    assert bool(server.artifacts) == uploaded
    assert bool(run.outputs["build-record-artifact"]) == uploaded


@pytest.mark.parametrize(
    ("server_url", "has_service"),
    [
        ("https://github.com", True),
        ("http://github.com", True),
        ("https://GitHub.com:443/", True),
        ("https://acme.ghe.com", True),
        ("https://ACME.GHE.COM:8443", True),
        ("https://github.localhost", True),
        ("https://ghes.example", False),
        ("https://ghes.example/.ghe.com", False),
        ("https://ghes.example/?on=.ghe.com", False),
    ],
)
def test_the_server_with_an_artifact_service_is_known_by_its_host(
    server_url: str, has_service: bool
) -> None:
    """Only a GitHub Enterprise Server has none: the URL's host decides, not its text."""
    env = {"GITHUB_SERVER_URL": server_url}
    job = Job(env, Workflow(env, out=io.StringIO()), FakeRunner())
    reason = build._service(job, ReportSettings())
    assert isinstance(reason, str)  # no ACTIONS_RESULTS_URL: a reason either way
    assert ("GitHub Enterprise Server" in reason) is not has_service


@pytest.mark.parametrize(
    ("faults", "warning"),
    [
        pytest.param({"CreateArtifact": [400]}, "CreateArtifact answered HTTP 400",
                     id="create-refused"),
        pytest.param({"blob": [403]}, "uploading block 1 answered HTTP 403", id="blob-refused"),
    ],
)  # fmt: skip
def test_a_failed_upload_is_one_warning(
    workspace: Path, capsys: pytest.CaptureFixture[str], server: ArtifactServer,
    faults: dict[str, list[int]], warning: str,
) -> None:  # fmt: skip
    server.faults = faults
    run = _run(workspace, capsys, {}, _buildx(METADATA), _service_env(server))
    assert run.error is None
    failures = [line for line in run.log.splitlines() if "could not upload" in line]
    assert len(failures) == 1
    assert failures[0].startswith("::warning ::could not upload the build record")
    assert warning in failures[0]
    assert run.outputs["build-record-artifact"] == ""
    assert "not uploaded" in run.summary


def test_no_service_no_upload_no_warning(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA))
    assert "Not uploading the build record: the runner offers no artifact service" in run.log
    assert "could not" not in run.log


def test_a_failed_build_reports_from_the_local_state(
    workspace: Path, capsys: pytest.CaptureFixture[str], server: ArtifactServer
) -> None:
    """buildx writes no metadata file for a failed build; its ref is in the local state."""
    runner = _buildx(None, fail=True, local_ref="wq8du58v1jn7az1q269iea29w")
    run = _run(workspace, capsys, {}, runner, _service_env(server))
    assert isinstance(run.error, BuildFailed)
    [export] = run.calls("docker", "buildx", "history", "export")
    assert export[-1] == "wq8du58v1jn7az1q269iea29w"
    assert ".octo-org~hello-world~WQ8DU5.dockerbuild" in server.artifacts
    assert run.outputs["check-warnings"] == "0"
    assert "| Build record | <a href=" in run.summary


# buildx >= 0.30 may put the event payload into the metadata file: text anyone can write.
HOSTILE = "::set-env name=LD_PRELOAD::/tmp/x.so"


def test_the_metadata_is_an_output_never_printed(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = {**METADATA, "buildx.build.provenance": {"event": {"title": f"\n{HOSTILE}\n"}}}
    run = _run(workspace, capsys, {}, _buildx(metadata))
    assert run.error is None
    output = json.loads(run.outputs["metadata"])
    assert HOSTILE in output["buildx.build.provenance"]["event"]["title"]
    assert "LD_PRELOAD" not in run.log
    assert "containerimage" not in run.log


def test_a_failed_build_is_one_error_line_of_buildxs_error(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr = f"#6 ERROR: x\n\x1b[31m{FAILED}\x1b[0m\n{HOSTILE}\n"
    run = _run(workspace, capsys, {}, _buildx(None, fail=True, stderr=stderr))
    assert isinstance(run.error, BuildFailed)
    errors = [line for line in run.log.splitlines() if line.startswith("::error")]
    assert errors == [f"::error ::buildx failed with: {FAILED}"]
    assert "LD_PRELOAD" not in run.summary


def test_old_buildx_exports_no_record(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA, version="v0.22.0"))
    assert "Build summary requires Buildx >= 0.23.0" in run.log
    assert not run.calls("docker", "buildx", "history", "export")


def test_buildx_0_23_exports_without_finalize(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA, version="v0.23.0"))
    [export] = run.calls("docker", "buildx", "history", "export")
    assert "--finalize" not in export


def test_call_check_fails_with_its_first_stdout_line(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stdout = "Check complete, 2 warnings have been found!\n\nWARNING: FromAsCasing - ...\n"
    run = _run(workspace, capsys, {"call": "check"}, _buildx(None, fail=True, call_stdout=stdout))
    assert isinstance(run.error, BuildFailed)
    assert "Check complete, 2 warnings have been found!" in str(run.error)
    assert "Build summary skipped for check subrequest" in run.log


def test_removed_variables_warn_once(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(
        workspace,
        capsys,
        {},
        _buildx(METADATA),
        {"DOCKER_BUILD_NO_SUMMARY": "true", "DOCKER_BUILD_EXPORT_LEGACY": "true"},
    )
    removed = [line for line in run.log.splitlines() if "ignored here" in line]
    assert len(removed) == 1


def test_an_invalid_switch_fails_before_the_build(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(workspace, capsys, {}, _buildx(METADATA), {"DOCKER_BUILD_SUMMARY": "maybe"})
    assert isinstance(run.error, ActionError)
    assert "DOCKER_BUILD_SUMMARY" in str(run.error)
    assert not run.calls("docker", "buildx", "build")


def test_a_failed_export_leaves_no_directory(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = _buildx(METADATA)
    failing = FakeRunner().on(["docker", "buildx", "history", "export"], returncode=1,
                              stderr="ERROR: no record")  # fmt: skip
    runner.script[:0] = failing.script  # answers before the export that works
    run = _run(workspace, capsys, {}, runner)
    assert run.error is None
    assert "could not export the build record" in run.log
    assert list(Path(run.env["RUNNER_TEMP"]).glob("build-record-*")) == []


def test_a_cancelled_build_exports_no_record(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signalled during the build: no new program starts (the record's export) before the
    running ones are stopped."""
    from build_push_py import proc  # noqa: PLC0415

    runner = _buildx(METADATA)
    cancel = FakeRunner().on(["docker", "buildx", "build"], effect=lambda _: proc.interrupt(0))
    runner.script[:0] = cancel.script  # the build is signalled while it runs
    try:
        run = _run(workspace, capsys, {}, runner)
    finally:
        proc.stop(0)
    assert run.calls("docker", "buildx", "build")
    assert "No build record: the step is being cancelled" in run.log
    assert not run.calls("docker", "buildx", "history", "export")
    assert list(Path(run.env["RUNNER_TEMP"]).glob("build-record-*")) == []
