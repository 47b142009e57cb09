"""An argv built option by option: an option without a value leaves no word. A buildx
command line starts with ``docker buildx``, as the log prints it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_push_py.buildx import builder, drivers, imagetools
from build_push_py.buildx.argv import RunFacts, buildx_argv
from build_push_py.buildx.commands import buildx_runner, export_record_argv
from build_push_py.buildx.version import BuildxVersion
from build_push_py.command import BUILDX, Command, buildx
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.inputs.driver import BuilderSpec, Driver


def test_options_with_a_value_appear_in_order() -> None:
    argv = Command(["docker", "buildx", "create"])
    argv.add_opt("--name", "b1")
    argv.add_many("--driver-opt", ["image=moby/buildkit", "network=host"])
    argv.add_flag("--use", True)
    assert argv == [
        "docker", "buildx", "create", "--name", "b1",
        "--driver-opt", "image=moby/buildkit", "--driver-opt", "network=host", "--use",
    ]  # fmt: skip


def test_an_option_without_a_value_leaves_no_word() -> None:
    argv = Command(["cosign"])
    argv.add_opt("--key", "")
    argv.add_opt("--key", None)
    argv.add_many("--tag", [])
    argv.add_flag("--yes", False)
    assert argv == ["cosign"]


def _buildx_argvs() -> dict[str, list[str]]:
    """One argv of every builder of a buildx command."""
    build = buildx_argv(
        parse_build_inputs({"context": "."}), tags=["app:1"], labels=[], annotations=[],
        version=BuildxVersion(0, 29, 1), push=False, metadata_file="m", iidfile="i",
        builder=None, cache_from=(), cache_to=(), secret_files={},
        facts=RunFacts(default_provenance=False),
    )  # fmt: skip
    return {
        "build": build,
        "create": drivers.create_argv("b1", BuilderSpec(Driver.DOCKER_CONTAINER), "moby/bk", {}),
        "inspect": builder.inspect_argv("b1", bootstrap=True),
        "rm": builder.remove_argv("b1"),
        "history export": export_record_argv("b1", "x1", "r.dockerbuild", BuildxVersion(0, 29, 1)),
        "imagetools inspect": imagetools.inspect_argv("app@sha256:1"),
        "imagetools inspect --raw": imagetools.inspect_raw_argv("app@sha256:1"),
        "imagetools create": imagetools.create_argv("app", ["app:1"], ["sha256:1"], []),
    }


@pytest.mark.parametrize(
    ("subcommand", "argv"), [pytest.param(s, argv, id=s) for s, argv in _buildx_argvs().items()]
)
def test_every_buildx_argv_is_the_command_line_the_log_prints(
    subcommand: str, argv: list[str]
) -> None:
    """``docker buildx`` first, as a user would type it: the runner maps that prefix to the
    buildx binary, and the log prints the argv as it is."""
    assert argv[: len(BUILDX) + len(subcommand.split())] == [*BUILDX, *subcommand.split()]


def test_the_runner_runs_the_buildx_binary_for_the_docker_buildx_prefix(tmp_path: Path) -> None:
    """``docker buildx version`` runs ``$BUILDX_BIN version``; other programs run as given."""
    script = tmp_path / "buildx"
    script.write_text('#!/bin/sh\necho "$0 $*"\n', encoding="utf-8")
    script.chmod(0o755)
    run = buildx_runner({"BUILDX_BIN": str(script), "PATH": os.defpath})
    assert run(buildx("version")).stdout == f"{script} version\n"
    assert run(["sh", "-c", "echo sh"]).stdout == "sh\n"
