"""Every input of the action is a flag of both CLI commands (but ``dry-run``: ``plan`` is
the dry run), and every input's group is one the README and the CLI list."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from build_push_py.cli import _parser, runner_env, secret_flags
from build_push_py.inputs.table import GROUPS, INPUTS, SECRET_INPUTS, env_name


@pytest.mark.parametrize("command", ["plan", "run"])
def test_every_input_is_a_flag(command: str, tmp_path: Path) -> None:
    """Each flag parses and reaches the step as the input's variable."""
    names = [spec.name for spec in INPUTS if spec.name != "dry-run"]
    args = _parser().parse_args(
        [command, "--ref", "refs/heads/main", "--sha", "a" * 40, "--repository", "o/r",
         *(arg for name in names for arg in (f"--{name}", f"value of {name}"))]
    )  # fmt: skip
    env = runner_env(args, {}, str(tmp_path))
    assert {name: env.get(env_name(name)) for name in names} == {
        name: f"value of {name}" for name in names
    }


def test_every_group_is_listed() -> None:
    assert {spec.group for spec in INPUTS} <= set(GROUPS)


SECRET = "s3cret-value"


@pytest.mark.parametrize("name", SECRET_INPUTS)
def test_a_secret_given_as_a_flag_is_warned_of_by_name(name: str) -> None:
    args = _parser().parse_args(["plan", f"--{name}", SECRET, "--images", "example/app"])
    (warning,) = secret_flags(args)
    assert warning.startswith(f"--{name} on the command line is visible to other users")
    assert f"--input-file {name}=PATH" in warning
    assert SECRET not in warning


def test_no_warning_without_secret_flags() -> None:
    assert secret_flags(_parser().parse_args(["plan", "--images", "example/app"])) == []


def _cli(tmp_path: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "build_push_py.cli", "plan", "--workdir", str(tmp_path),
         "--ref", "refs/heads/main", "--sha", "a" * 40, "--images", "example/app", *argv],
        env={"PATH": os.defpath}, input=stdin, capture_output=True, text=True, check=False,
        timeout=60,
    )  # fmt: skip


def test_the_command_line_warns_of_a_password_flag(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--password", SECRET, "--username", "me")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: --")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: --password on the command line is visible")
    assert SECRET not in done.stdout + done.stderr


def test_secrets_from_a_file_and_standard_input(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text(f"{SECRET}\n")
    args = _parser().parse_args(["plan", "--input-file", f"password={password}",
                                 "--input-file", "secrets=-", "--repository", "o/r",
                                 "--file", "Dockerfile.ci"])  # fmt: skip
    stdin = io.StringIO("A=1\nB=2\n")
    with mock.patch("sys.stdin", stdin):
        env = runner_env(args, {}, str(tmp_path))
    assert env["INPUT_PASSWORD"] == SECRET  # the file's last line end is not part of it
    assert env["INPUT_SECRETS"] == "A=1\nB=2"
    assert env["INPUT_FILE"] == "Dockerfile.ci"  # --file is another flag than --input-file
    assert secret_flags(args) == []


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        pytest.param(["--input-file", "passwort=/x"], "give NAME=PATH, NAME an input's name",
                     id="unknown-input"),
        pytest.param(["--input-file", "password"], "give NAME=PATH", id="no-path"),
        pytest.param(["--password", "x", "--input-file", "password=-"], "password is given twice",
                     id="flag-and-file"),
        pytest.param(["--input-file", "password=/nonexistent/pw"], "cannot read it",
                     id="no-such-file"),
        pytest.param(["--input-file", "password=LATIN-1"], "it is not UTF-8", id="not-utf-8"),
    ],
)  # fmt: skip
def test_an_input_file_that_cannot_be_used_is_one_error(
    tmp_path: Path, argv: list[str], problem: str
) -> None:
    latin1 = tmp_path / "latin-1"
    latin1.write_bytes(b"caf\xe9-s3cret")
    done = _cli(tmp_path, *[arg.replace("LATIN-1", str(latin1)) for arg in argv])
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert problem in errors[0]
    assert "Traceback" not in done.stderr
    assert "s3cret" not in done.stderr
