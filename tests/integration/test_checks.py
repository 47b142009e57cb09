"""Dockerfile build checks and the build record on the real engine (28.5 with its own
BuildKit, buildx 0.29): the annotations in the log point at the right file and line,
``checks-fail-on-warnings`` fails the step with one error, and ``docker buildx history
export`` writes the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from stack import Stack
from support.checks import repo_name, workspace
from support.runner import ActionRun, run_action, runner_env

pytestmark = pytest.mark.integration


def _dockerfile(base_image: str) -> str:
    # FromAsCasing on line 2, SecretsUsedInArgOrEnv on line 4.
    return (
        f"# the warnings are not on line 1\nFROM {base_image} as base\nRUN true\nENV PASSWORD=x\n"
    )


def _annotations(run: ActionRun) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("::warning title=")]


def _run(stack: Stack, tmp_path: Path, base_image: str, **inputs: str) -> ActionRun:
    ws = workspace(tmp_path, "")
    (ws / "docker").mkdir()
    (ws / "docker" / "app.Dockerfile").write_text(_dockerfile(base_image))
    env = runner_env(ws, {
        "images": f"localhost/{repo_name('checks')}", "push": "false",
        "file": "docker/app.Dockerfile", **inputs,
    }, base=stack.env())  # fmt: skip
    return run_action(env)


def test_check_warnings_are_annotations_and_the_record_is_exported(
    stack: Stack, base_image: str, tmp_path: Path
) -> None:
    run = _run(stack, tmp_path, base_image)
    assert run.returncode == 0, run.stdout + run.stderr
    found = _annotations(run)
    assert len(found) == 2, run.stdout
    # BuildKit lists the warnings in no fixed order (seen both ways on the same engine).
    [casing] = [a for a in found if "::FromAsCasing: " in a]
    [secret] = [a for a in found if "::SecretsUsedInArgOrEnv: " in a]
    assert ",file=docker/app.Dockerfile,line=2::FromAsCasing: 'as' and 'FROM' keywords'" in casing
    assert casing.endswith(
        "do not match%0AMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/"
    )
    assert ",file=docker/app.Dockerfile,line=4::SecretsUsedInArgOrEnv: " in secret
    assert run.outputs["check-warnings"] == "2"
    assert "| Build check warnings | 2 |" in run.summary

    record = Path(run.outputs["build-record"])
    assert record.name.startswith(".octo-org~hello-world~")
    assert record.name.endswith(".dockerbuild")
    assert record.stat().st_size > 0
    assert f"Build record written to {record}" in run.stdout
    # No artifact service in this environment: the record stays a file, without a warning.
    assert run.outputs["build-record-artifact"] == ""
    assert "could not" not in run.stdout


def test_checks_fail_on_warnings_fails_with_one_error(
    stack: Stack, base_image: str, tmp_path: Path
) -> None:
    run = _run(stack, tmp_path, base_image, **{"checks-fail-on-warnings": "true"})
    assert run.returncode == 1
    assert run.errors() == [
        "::error ::the Dockerfile's build checks found 2 warnings and checks-fail-on-warnings"
        " is true"
    ]
    assert run.outputs["imageid"].startswith("sha256:")  # the outputs came first
    assert len(_annotations(run)) == 2


def test_call_check_fails_with_the_first_line_of_its_report(
    stack: Stack, base_image: str, tmp_path: Path
) -> None:
    run = _run(stack, tmp_path, base_image, call="check")
    assert run.returncode == 1
    [error] = run.errors()
    assert "Check complete, 2 warnings have been found!" in error
    assert "Build summary skipped for check subrequest" in run.stdout


def test_summary_switched_off_exports_nothing(
    stack: Stack, base_image: str, tmp_path: Path
) -> None:
    run = _run(stack, tmp_path, base_image, **{"build-summary": "false"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["build-record"] == ""
    assert "### build-push-py" not in run.summary
    assert len(_annotations(run)) == 2
