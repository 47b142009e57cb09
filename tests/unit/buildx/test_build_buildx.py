"""The buildx I/O through a fake runner: no docker here."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from support.fakes import FakeRunner

from build_push_py.buildx import commands as buildx
from build_push_py.buildx.builder import BUILDER_PREFIX, BUILDKITD_FLAGS
from build_push_py.buildx.result import BuildFailed, BuildResult
from build_push_py.command import BUILDX
from build_push_py.errors import CommandError, EngineError, InputError
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.inputs.driver import BuilderSpec, Driver

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
    assert re.fullmatch(re.escape(BUILDER_PREFIX) + "[0-9a-f]{8}", name)
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
        runner, [*BUILDX, "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
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
    with pytest.raises(
        BuildFailed, match=r"^buildx failed with: ERROR: failed to solve: exit code: 1$"
    ) as caught:
        buildx.run_build(
            runner, [*BUILDX, "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
        )
    assert caught.value.result == BuildResult(metadata='{\n  "buildx.build.ref": "d/d/x"\n}')


def test_run_build_check_failure_reports_the_summary(runner: FakeRunner, tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    runner.on(["docker"], returncode=1, stdout="Check complete, 2 warnings have been found!\n..")
    with pytest.raises(BuildFailed, match=r"^Check complete, 2 warnings have been found!$"):
        buildx.run_build(
            runner, [*BUILDX, "build", "--call", "check", "."], iidfile=iidfile,
            metadata_file=metadata_file, env=ENV, call="check",
        )  # fmt: skip


LOST = (
    "ERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from "
    "server: EOF"
)
GONE = " (the Docker engine or BuildKit went away during the build)"
RUN_FAILED = (
    'ERROR: failed to solve: process "/bin/sh -c x" did not complete successfully: exit code: 1'
)


@pytest.mark.parametrize(
    ("stdout", "stderr", "call", "message"),
    [
        # build-push-action's words (src/main.ts): buildx's last line ...
        pytest.param("", f"#5 [2/2] RUN x\n#5 ERROR: exit 1\n{RUN_FAILED}\n\n  \n", "",
                     f"buildx failed with: {RUN_FAILED}", id="last-line-of-stderr"),
        pytest.param("", f"#5 [2/2] RUN x\r\n{RUN_FAILED}\r\n", "",
                     f"buildx failed with: {RUN_FAILED}", id="crlf-lines"),
        # ... or, for --call check, the first line of its report on stdout
        pytest.param("  Check complete, 2 warnings have been found!  \nWARNING: x\n", "x\n",
                     "check", "Check complete, 2 warnings have been found!", id="check-summary"),
        pytest.param("", "ERROR: failed to solve: x\n", "check", "buildx failed with: ERROR: "
                     "failed to solve: x", id="check-that-failed-otherwise"),
        pytest.param("Check complete\n", "ERROR: x\n", "", "buildx failed with: ERROR: x",
                     id="stdout-only-read-for-check"),
        # ours: the engine going away is named
        pytest.param("", f"#5 [2/2] RUN sleep 10\n{LOST}\n", "",
                     f"buildx failed with: {LOST}{GONE}", id="status-stream-closed"),
        pytest.param("", "ERROR: failed to solve: Unavailable: error reading from server: EOF\n",
                     "", "buildx failed with: ERROR: failed to solve: Unavailable: error reading "
                     f"from server: EOF{GONE}", id="solve-interrupted"),
        pytest.param("", "ERROR: failed to solve: rpc error: code = Unavailable desc = transport "
                     "is closing\n", "", "buildx failed with: ERROR: failed to solve: rpc error: "
                     f"code = Unavailable desc = transport is closing{GONE}", id="older-grpc"),
        # a RUN step's own output is quoted on "#N" lines, never as buildx's ERROR line
        pytest.param("", f"#5 0.2 error reading from server: EOF\n{RUN_FAILED}\n", "",
                     f"buildx failed with: {RUN_FAILED}", id="run-step-printed-the-words"),
        # v7.4: the last ERROR: line, not what buildx printed after it
        pytest.param("", "ERROR: unknown flag: --frobnicate\nSee 'docker buildx build --help'.\n",
                     "", "buildx failed with: ERROR: unknown flag: --frobnicate",
                     id="usage-note-after-the-error"),
        pytest.param("", "ERROR: first\n#7 [3/3] RUN y\nERROR: failed to solve: second\n"
                     "Usage: docker buildx build\n", "", "buildx failed with: ERROR: failed to "
                     "solve: second", id="several-error-lines-the-last-wins"),
        pytest.param("", f"\x1b[31m{RUN_FAILED}\x1b[0m\n\x1b[2mSee the log\x1b[0m\n", "",
                     f"buildx failed with: {RUN_FAILED}", id="ansi-colours-stripped"),
        pytest.param("", f"\x1b]8;;https://docs.docker.com\x07{RUN_FAILED}\x1b]8;;\x1b\\\n", "",
                     f"buildx failed with: {RUN_FAILED}", id="ansi-hyperlink-stripped"),
        pytest.param("", "\x1b[1;31mERROR\x1b[0m: x\n", "", "buildx failed with: ERROR: x",
                     id="ansi-inside-the-word"),
        pytest.param("", "x\x1b[KERROR: not at the start\n", "",
                     "buildx failed with: xERROR: not at the start", id="error-not-at-line-start"),
        # no ERROR: line: the last line, with the lines before it
        pytest.param("", "#5 ERROR: process killed\nKilled\n", "", "buildx failed with: Killed "
                     "(exit code 1; before it: #5 ERROR: process killed)",
                     id="progress-error-only"),
        pytest.param("", "panic: boom\n\x1b[33mgoroutine 1 [running]:\x1b[0m\n", "",
                     "buildx failed with: goroutine 1 [running]: (exit code 1; before it: panic: "
                     "boom)", id="no-error-line-ansi-stripped"),
        pytest.param("", "Killed\n", "", "buildx failed with: Killed", id="one-line-only"),
        # upstream reports no error at all here; the build still failed
        pytest.param("some output\n", " \n", "", "buildx failed with exit code 1 and no error "
                     "output", id="nothing-on-stderr"),
    ],
)  # fmt: skip
def test_build_failure_message(stdout: str, stderr: str, call: str, message: str) -> None:
    assert buildx.failure_message(stdout, stderr, 1, call) == message


@pytest.mark.parametrize(
    "stderr",
    [
        pytest.param(f"{RUN_FAILED}\n::set-env name=LD_PRELOAD::/tmp/x.so\n", id="after-error"),
        pytest.param(f"{RUN_FAILED}\r::add-mask::x\n", id="carriage-return"),
        pytest.param(f"{RUN_FAILED}\u2028::stop-commands::tok\n", id="js-line-separator"),
        pytest.param(f"{RUN_FAILED}\x1b[0m\n\x1b[0m::warning::x\n", id="behind-ansi"),
        pytest.param(f"::error::x\n{RUN_FAILED}\n", id="before-error"),
    ],
)  # fmt: skip
def test_the_error_line_carries_no_workflow_command(stderr: str) -> None:
    """A line after buildx's ERROR: line (a RUN step's output can end up there) never becomes
    part of the one error line: the message is buildx's ERROR: line alone."""
    assert buildx.failure_message("", stderr, 1) == f"buildx failed with: {RUN_FAILED}"


def test_run_build_failure_says_why(runner: FakeRunner, tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    runner.on(["docker"], returncode=1, stderr=f"#5 [2/2] RUN sleep 10\n{LOST}\n")
    with pytest.raises(BuildFailed) as caught:
        buildx.run_build(
            runner, [*BUILDX, "build", "."], iidfile=iidfile, metadata_file=metadata_file, env=ENV
        )
    assert str(caught.value) == f"buildx failed with: {LOST}{GONE}"
    assert caught.value.returncode == 1


def test_null_metadata_is_no_metadata(tmp_path: Path) -> None:
    iidfile, metadata_file = _files(tmp_path)
    Path(metadata_file).write_text("null\n")
    assert buildx.read_outputs(iidfile, metadata_file) == BuildResult()
