"""The buildx I/O through a fake runner: no docker here."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from support.fakes import FakeRunner

from build_push_py.buildx import commands as buildx
from build_push_py.buildx.builder import BUILDKITD_FLAGS, is_own_builder
from build_push_py.buildx.drivers import BuilderSpec, Driver
from build_push_py.buildx.request import parse_build_inputs
from build_push_py.buildx.result import BuildResult
from build_push_py.errors import BuildFailed, CommandError, EngineError, InputError

ENV = {"PATH": "/usr/bin", "DOCKER_CONFIG": "/tmp/cfg"}


def test_detect_version(runner: FakeRunner) -> None:
    runner.on(["docker", "buildx", "version"], stdout="github.com/docker/buildx v0.21.1 abc\n")
    assert str(buildx.detect_version(runner, ENV)) == "0.21.1"
    assert runner.calls[0].env == ENV


def test_detect_version_without_buildx(runner: FakeRunner) -> None:
    runner.on(["docker"], returncode=1, stderr="docker: 'buildx' is not a docker command.")
    with pytest.raises(EngineError, match=r"buildx is not available.*not a docker command"):
        buildx.detect_version(runner)


CONTAINER = BuilderSpec(Driver.DOCKER_CONTAINER)


def test_inspect_builder(runner: FakeRunner) -> None:
    runner.on(["docker", "buildx", "inspect"], stdout="Name: b\nDriver: docker\n")
    info = buildx.inspect_builder(runner, "b", ENV)
    assert (info.name, info.driver) == ("b", "docker")
    assert runner.calls[0].argv == ["docker", "buildx", "inspect", "b"]


def test_builder_life_cycle(runner: FakeRunner) -> None:
    runner.on(["docker", "buildx"])
    name = buildx.create_builder(runner, CONTAINER, "moby/buildkit:v0.20.2", ENV)
    buildx.remove_builder(runner, name, ENV)
    assert is_own_builder(name)  # the post step removes it
    assert [c.argv for c in runner.calls] == [
        ["docker", "buildx", "create", "--name", name, "--driver", "docker-container",
         "--driver-opt", "image=moby/buildkit:v0.20.2", "--buildkitd-flags", BUILDKITD_FLAGS],
        ["docker", "buildx", "inspect", "--bootstrap", name],
        ["docker", "buildx", "rm", name],
    ]  # fmt: skip
    assert all(c.env == ENV for c in runner.calls)


def test_builder_that_cannot_start_is_removed(runner: FakeRunner) -> None:
    runner.on(["docker", "buildx", "create"])
    runner.on(["docker", "buildx", "inspect"], returncode=1,
              stderr="ERROR: pull access denied for moby/buildkit")  # fmt: skip
    runner.on(["docker", "buildx", "rm"])
    with pytest.raises(CommandError, match=r"starting builder.*pull access denied"):
        buildx.create_builder(runner, CONTAINER, "moby/buildkit:v0.20.2")
    assert runner.calls[-1].argv[:3] == ["docker", "buildx", "rm"]


def test_check_secret_files(tmp_path: Path) -> None:
    inp = parse_build_inputs({"secret-files": f"KEY={tmp_path / 'missing.pem'}"})
    with pytest.raises(InputError, match=r"'secret-files'.*no such file"):
        buildx.check_secret_files(inp)
    (tmp_path / "missing.pem").write_text("now here")
    buildx.check_secret_files(inp)


def test_write_secret_files(tmp_path: Path) -> None:
    paths = {"A": str(tmp_path / "secret-1"), "B/../x": str(tmp_path / "secret-2")}
    buildx.write_secret_files([("A", "1"), ("B/../x", "multi\nline")], paths)
    assert {k: Path(v).read_text() for k, v in paths.items()} == {"A": "1", "B/../x": "multi\nline"}
    assert all(stat.S_IMODE(Path(p).stat().st_mode) == 0o600 for p in paths.values())


METADATA = {
    "buildx.build.ref": "default/default/abc",
    "containerimage.config.digest": "sha256:c0",
    "containerimage.digest": "sha256:d1",
    "image.name": "ghcr.io/octo/app:é",
}


def _write(path: str, text: str) -> None:
    Path(path).write_text(text)


def _files(tmp_path: Path) -> tuple[str, str]:
    return str(tmp_path / "iid.txt"), str(tmp_path / "metadata.json")


def test_run_build_reads_outputs(runner: FakeRunner, tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)

    def write(_: list[str]) -> None:
        Path(iidfile).write_text("sha256:1d\n")
        Path(metadata_file).write_text(json.dumps(METADATA))

    runner.on(["docker", "buildx", "build"], effect=write)
    result = buildx.run_build(
        runner, ["buildx", "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
    )
    assert (result.imageid, result.digest) == ("sha256:1d", "sha256:d1")
    # JSON.stringify(metadata, null, 2): two-space indent, ", " never at line ends, no escapes
    assert result.metadata == (
        "{\n"
        '  "buildx.build.ref": "default/default/abc",\n'
        '  "containerimage.config.digest": "sha256:c0",\n'
        '  "containerimage.digest": "sha256:d1",\n'
        '  "image.name": "ghcr.io/octo/app:é"\n'
        "}"
    )
    call = runner.calls[0]
    assert call.stream
    assert call.env == {**ENV, "BUILDX_METADATA_WARNINGS": "true"}


def test_run_build_failure_keeps_partial_outputs(runner: FakeRunner, tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    runner.on(
        ["docker", "buildx", "build"],
        returncode=1,
        stderr="#5 ERROR: process did not complete\n------\nERROR: failed to solve: exit code: 1\n",
        effect=lambda _: _write(metadata_file, '{"buildx.build.ref": "d/d/x"}'),
    )
    with pytest.raises(BuildFailed, match=r"exit code 1.*failed to solve") as caught:
        buildx.run_build(
            runner, ["buildx", "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
        )
    assert caught.value.result == BuildResult(metadata='{\n  "buildx.build.ref": "d/d/x"\n}')


def test_run_build_check_failure_reports_the_summary(runner: FakeRunner, tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    runner.on(["docker"], returncode=1, stdout="Check complete, 2 warnings have been found!\n..")
    with pytest.raises(BuildFailed, match=r"--call check failed: Check complete, 2 warn"):
        buildx.run_build(
            runner, ["buildx", "build", "--call", "check", "."], iidfile=iidfile,
            metadata_file=metadata_file, env=ENV, call="check",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("last_line", "engine_named"),
    [
        # buildx 0.2x against dockerd 26 stopped mid-build (tests/integration/test_engine_restart)
        pytest.param("ERROR: failed to receive status: rpc error: code = Unavailable desc = "
                     "error reading from server: EOF", True, id="status-stream-closed"),
        pytest.param("ERROR: failed to solve: Unavailable: error reading from server: EOF",
                     True, id="solve-interrupted"),
        pytest.param("ERROR: failed to solve: rpc error: code = Unavailable desc = transport "
                     "is closing", True, id="older-grpc"),
        # a RUN step's own output is quoted on "#N" lines, never as buildx's ERROR line
        pytest.param("#5 0.2 error reading from server: EOF\nERROR: failed to solve: process "
                     '"/bin/sh -c x" did not complete successfully: exit code: 1', False,
                     id="run-step-printed-the-words"),
    ],
)  # fmt: skip
def test_run_build_names_the_engine_when_buildkit_went_away(
    runner: FakeRunner, tmp_path: Path, last_line: str, engine_named: bool
) -> None:
    iidfile, metadata_file = _files(tmp_path)
    runner.on(["docker"], returncode=1, stderr=f"#5 [2/2] RUN sleep 10\n{last_line}\n")
    with pytest.raises(BuildFailed) as caught:
        buildx.run_build(
            runner, ["buildx", "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
        )
    message = str(caught.value)
    assert message.startswith("docker buildx build failed (exit code 1): ")
    assert message.endswith(last_line.splitlines()[-1])
    assert ("the Docker engine or BuildKit went away" in message) is engine_named


def test_null_metadata_is_no_metadata(tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    Path(metadata_file).write_text("null\n")
    assert buildx.read_outputs(iidfile, metadata_file) == BuildResult()
