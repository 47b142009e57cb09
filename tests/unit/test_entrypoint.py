"""``entrypoint.py`` as the runner starts it: exit codes, the one error line, dry runs.

These run the real entry point in a subprocess with a runner-like environment and no
Docker at all (PATH holds only the Python interpreter's folder, DOCKER_HOST points nowhere).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import responses
from support.runner import parse_file_commands, runner_env

from build_push_py import __main__ as entry

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "fixtures" / "events"
NO_DOCKER = {"PATH": str(Path(sys.executable).parent), "DOCKER_HOST": "unix:///nonexistent.sock"}


def fixture_env(name: str) -> dict[str, str]:
    env = {}
    for line in (EVENTS / f"{name}.env").read_text().splitlines():
        key, _, value = line.partition("=")
        if key:
            env[key] = value
    if "GITHUB_EVENT_PATH" in env:
        env["GITHUB_EVENT_PATH"] = str(EVENTS / env["GITHUB_EVENT_PATH"])
    return env


def run_entry(
    tmp_path: Path,
    inputs: dict[str, str],
    event: str = "tag_semver",
    env_extra: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    github = fixture_env(event) | dict(env_extra or {})
    env = runner_env(tmp_path, inputs, event_name=github.get("GITHUB_EVENT_NAME", ""),
                     github=github, base=NO_DOCKER)  # fmt: skip
    if "GITHUB_EVENT_PATH" not in github:
        env.pop("GITHUB_EVENT_PATH")
    done = subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py")],
        env=env, capture_output=True, text=True, check=False, timeout=60, cwd=cwd,
    )  # fmt: skip
    outputs = parse_file_commands(Path(env["GITHUB_OUTPUT"]).read_text())
    return done, outputs


@pytest.mark.parametrize(
    ("inputs", "names"),
    [
        pytest.param({"tags": "type=unknown"}, ["tags", "type=unknown"], id="unknown-tag-type"),
        pytest.param(
            {"tags": "type=raw,value=x,enable=maybe"}, ["tags", "enable"], id="enable-not-bool"
        ),
        pytest.param(
            {"tags": "type=raw,value=x,priority=high"}, ["tags", "priority"], id="priority-not-int"
        ),
        pytest.param(
            {"tags": "type=raw,value=x,priority=" + "1" * 5000},
            ["tags", "priority"],
            id="priority-of-5000-digits",
        ),
        pytest.param(
            {"tags": "type=match,pattern=v(.*),group=" + "1" * 5000},
            ["tags", "group"],
            id="group-of-5000-digits",
        ),
        pytest.param({"images": "Not A/Valid::Image"}, ["images"], id="invalid-image"),
        pytest.param(
            {"tags": "type=match,pattern=(unclosed"}, ["tags", "pattern"], id="regex-not-compiling"
        ),
        pytest.param({"flavor": "colour=blue"}, ["flavor", "colour"], id="unknown-flavor-key"),
        pytest.param({"push": "sometimes"}, ["push", "auto"], id="push-not-auto-true-false"),
        pytest.param({"dry-run": "perhaps"}, ["dry-run"], id="dry-run-not-bool"),
        pytest.param({"username": "u"}, ["password"], id="username-without-password"),
        pytest.param(
            {"secret-files": "key=/nonexistent/file", "username": "u", "password": "p"},
            ["secret-files", "/nonexistent/file"],
            id="secret-file-missing-found-before-login",
        ),
    ],
)
def test_bad_input_is_one_error_line_and_exit_1(
    tmp_path: Path, inputs: dict[str, str], names: list[str]
) -> None:
    done, outputs = run_entry(tmp_path, {"images": "ghcr.io/o/app", **inputs})
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout
    for name in names:
        assert name in errors[0]
    assert "Traceback" not in done.stderr
    assert outputs == {}  # failed before anything was computed or written


@pytest.mark.parametrize(
    ("inputs", "env_extra", "output", "expected"),
    [
        pytest.param({"tags": "type=pep440,pattern={{version}},value=1." + "1" * 5000}, {},
                     "version", "1.Infinity", id="pep440-of-5000-digits-is-js-infinity"),
        pytest.param({"tags": "type=sha"}, {"DOCKER_METADATA_SHORT_SHA_LENGTH": "-Infinity"},
                     "version", "sha-", id="short-sha-length-minus-infinity"),
        pytest.param({"tags": "type=sha"}, {"DOCKER_METADATA_SHORT_SHA_LENGTH": "1e400"},
                     "version", "sha-860c1904a1ce19322e91ac35af1ab07466440c37",
                     id="short-sha-length-1e400"),
        pytest.param({"labels": "1" * 5000 + "=x"}, {}, "labels", "1" * 5000 + "=x",
                     id="label-key-of-5000-digits"),
    ],
)  # fmt: skip
def test_hostile_values_that_are_valid_give_outputs(
    tmp_path: Path, inputs: dict[str, str], env_extra: dict[str, str], output: str, expected: str
) -> None:
    done, outputs = run_entry(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true", **inputs},
                              env_extra=env_extra)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert expected in outputs[output].splitlines()


def test_commit_date_out_of_range_warns_and_uses_now(tmp_path: Path) -> None:
    # a pull request's author chooses its commit date; the payload carries it
    payload = json.loads((EVENTS / "push_branch.json").read_text())
    for commit in [*payload["commits"], payload["head_commit"]]:
        commit["timestamp"] = "9999-12-31T23:59:59-12:00"
    event = tmp_path / "event-with-date.json"
    event.write_text(json.dumps(payload))
    done, outputs = run_entry(
        tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true",
                   "tags": "type=raw,value={{commit_date 'YYYY'}}"},
        "push_branch", {"GITHUB_EVENT_PATH": str(event), "SOURCE_DATE_EPOCH": "1700000000"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["version"] == "2023"
    warnings = [line for line in done.stdout.splitlines() if line.startswith("::warning")]
    assert any("is out of range" in line for line in warnings)


@pytest.mark.parametrize(
    ("env_extra", "names"),
    [
        pytest.param({"SOURCE_DATE_EPOCH": "253402300799"}, ["SOURCE_DATE_EPOCH", "out of range"],
                     id="source-date-epoch-in-year-9999"),
        pytest.param({"DOCKER_METADATA_SHORT_SHA_LENGTH": "NaN"},
                     ["DOCKER_METADATA_SHORT_SHA_LENGTH"], id="short-sha-length-nan"),
    ],
)  # fmt: skip
def test_bad_environment_is_one_error_line_and_exit_1(
    tmp_path: Path, env_extra: dict[str, str], names: list[str]
) -> None:
    done, outputs = run_entry(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true",
                                         "tags": "type=sha"}, env_extra=env_extra)  # fmt: skip
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout
    for name in names:
        assert name in errors[0]
    assert "Traceback" not in done.stderr
    assert outputs == {}


@pytest.mark.parametrize("variable", ["BUILDX_BIN", "COSIGN_BIN"])
@pytest.mark.parametrize("path", ["bin/tool", "./tool", "tool"])
def test_a_relative_program_path_is_one_error_and_runs_nothing(
    tmp_path: Path, variable: str, path: str
) -> None:
    """The working directory is the checkout: a pull request's content, programs included."""
    checkout, marker = tmp_path / "checkout", tmp_path / "ran"
    for found in (checkout / path, checkout / "bin" / path):
        found.parent.mkdir(parents=True, exist_ok=True)
        found.write_text(f"#!/bin/sh\n: > {marker}\n")
        found.chmod(0o755)
    done, outputs = run_entry(
        tmp_path,
        {"images": "ghcr.io/o/app", "dry-run": "true"},
        env_extra={variable: path, "PATH": f"{checkout / 'bin'}:{NO_DOCKER['PATH']}"},
        cwd=checkout,
    )
    assert not marker.exists()
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout
    assert f"{variable}={path!r} must be an absolute path" in errors[0]
    assert "Traceback" not in done.stderr
    assert outputs == {}


def test_payload_nested_too_deeply_is_one_error_naming_the_event_path(tmp_path: Path) -> None:
    event = tmp_path / "deep-event.json"
    event.write_text("[" * 200_000 + "]" * 200_000)
    done, outputs = run_entry(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true"},
                              env_extra={"GITHUB_EVENT_PATH": str(event)})  # fmt: skip
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout
    assert "GITHUB_EVENT_PATH" in errors[0]
    assert "nested too deeply" in errors[0]
    assert "Traceback" not in done.stderr
    assert outputs == {}


def test_ref_that_is_not_utf8_gives_outputs_with_replacement_characters(tmp_path: Path) -> None:
    # bytes that are not UTF-8 reach os.environ as surrogate escapes: 'caf\xe9' is caf\udce9
    done, outputs = run_entry(
        tmp_path,
        {"images": "ghcr.io/o/app", "dry-run": "true", "tags": "type=ref,event=branch",
         "labels": "branch={{branch}}"},
        "push_branch", {"GITHUB_REF": "refs/heads/caf\udce9"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert outputs["version"] == "caf-"
    assert "branch=caf\ufffd" in outputs["labels"].splitlines()


@pytest.mark.parametrize(
    "event",
    ["push_branch", "tag_semver", "tag_prerelease", "pull_request", "schedule", "release",
     "workflow_dispatch", "empty"],
)  # fmt: skip
def test_dry_run_needs_no_docker_and_writes_every_output(tmp_path: Path, event: str) -> None:
    done, outputs = run_entry(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true"}, event)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (
        "version",
        "tags",
        "tag-names",
        "labels",
        "annotations",
        "json",
        "bake-file-tags",
        "bake-file-labels",
        "bake-file-annotations",
        "bake-file",
    ):
        assert name in outputs, name  # fmt: skip
    for name in ("bake-file", "bake-file-tags"):
        assert Path(outputs[name]).is_file()
    assert "docker buildx build" in done.stdout


def test_dry_run_never_imports_the_docker_sdk(tmp_path: Path) -> None:
    env = runner_env(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true"}, base=NO_DOCKER)
    code = (
        "import runpy, sys\n"
        f"sys.argv = [{str(ROOT / 'entrypoint.py')!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(ROOT / 'entrypoint.py')!r}, run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "assert 'docker' not in sys.modules, 'docker SDK imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@responses.activate
def test_ghes_api_url_with_a_path_feeds_the_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    responses.get(
        # PyGithub spells out the default port when the base URL has a path
        "https://ghe.example:443/api/v3/repos/octocat/Hello-World",
        json={"name": "Hello-World", "full_name": "octocat/Hello-World",
              "description": "From the enterprise server", "private": False,
              "html_url": "https://ghe.example/octocat/Hello-World",
              "default_branch": "master", "license": {"spdx_id": "Apache-2.0"}},
    )  # fmt: skip
    env = runner_env(
        tmp_path,
        {"images": "ghcr.io/o/app", "dry-run": "true", "github-token": "t0ken"},
        github=fixture_env("tag_semver") | {"GITHUB_API_URL": "https://ghe.example/api/v3",
                                            "GITHUB_SERVER_URL": "https://ghe.example"},
        base={"PATH": os.environ.get("PATH", "")},
    )  # fmt: skip
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert entry.main() == 0
    labels = parse_file_commands(Path(env["GITHUB_OUTPUT"]).read_text())["labels"].splitlines()
    assert "org.opencontainers.image.description=From the enterprise server" in labels
    assert "org.opencontainers.image.licenses=Apache-2.0" in labels
    assert len(responses.calls) == 1


def test_failure_summary_shows_the_error_and_the_yaml_fix_as_text(tmp_path: Path) -> None:
    github = fixture_env("tag_semver")
    env = runner_env(tmp_path, {"images": "ghcr.io/o/app", "username": "<b>octo</b>"},
                     github=github, base=NO_DOCKER)  # fmt: skip
    done = subprocess.run([sys.executable, str(ROOT / "entrypoint.py")], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 1
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("### build-push-py failed\n")
    # the message (with the user's text) and the fix sit in fenced blocks: nothing renders
    fences = [line for line in summary.splitlines() if line.startswith("```")]
    assert fences == ["```", "```", "```yaml", "```"]
    assert "input 'password': Password required for 'docker.io' (user '<b>octo</b>')" in summary
    assert "password: ${{ secrets.GITHUB_TOKEN }}" in summary


MASKED_INPUTS = {
    "password": "plain-pass-0123456",
    "github-token": "ghp_token0123456789",
    "registry-auth": "- registry: ghcr.io\n  username: octo\n  password: \"auth-pass-0123456\"\n"
                     "- {registry: docker.io, username: u, password: flow-pass-0123456}",
    "secrets": 'NPM_TOKEN=npm-secret-0123456\n"MULTI=line-one-0123456\nline-two-0123456"',
    "tls-key": "Bag Attributes\n    localKeyID: 01 00 00 00\n"
               "-----BEGIN PRIVATE KEY-----\nMIIBkeybody0123456\n-----END PRIVATE KEY-----",
    "secret-envs": "FROM_ENV=MY_SECRET_VAR, OTHER=MISSING_VAR",
}  # fmt: skip
MASK_COMMAND = re.compile(r"^::add-mask ?::", re.MULTILINE)
SECRET_WORDS = ["plain-pass", "ghp_token", "auth-pass", "flow-pass", "npm-secret", "line-one",
                "line-two", "MIIBkeybody", "env-secret"]  # fmt: skip


@pytest.mark.parametrize(
    ("inputs", "values"),
    [
        pytest.param(
            {"password": MASKED_INPUTS["password"], "github-token": MASKED_INPUTS["github-token"],
             "secrets": MASKED_INPUTS["secrets"], "secret-envs": MASKED_INPUTS["secret-envs"],
             "tls-key": MASKED_INPUTS["tls-key"], "username": "octo", "tags": '"unclosed'},
            ["npm-secret-0123456", "line-one-0123456", "env-secret-0123456"],
            id="password-token-secrets-env-tls-key-then-an-error",
        ),
        pytest.param(
            {"registry-auth": MASKED_INPUTS["registry-auth"], "tags": '"unclosed'},
            ["auth-pass-0123456", "flow-pass-0123456"], id="registry-auth-then-an-error",
        ),
        pytest.param(
            {"registry-auth": "- username: u\n  password: [auth-pass-0123456"},
            ["auth-pass-0123456"], id="registry-auth-that-does-not-parse",
        ),
        pytest.param(
            {"registry-auth": MASKED_INPUTS["registry-auth"], "secrets": MASKED_INPUTS["secrets"],
             "secret-envs": MASKED_INPUTS["secret-envs"]},
            ["auth-pass-0123456", "npm-secret-0123456", "env-secret-0123456"],
            id="a-whole-dry-run",
        ),
    ],
)  # fmt: skip
def test_secrets_are_masked_before_any_other_output(
    tmp_path: Path, inputs: dict[str, str], values: list[str]
) -> None:
    github = fixture_env("tag_semver") | {"MY_SECRET_VAR": "env-secret-0123456"}
    env = runner_env(tmp_path, {"images": "ghcr.io/o/app", "dry-run": "true", **inputs},
                     github=github, base=NO_DOCKER)  # fmt: skip
    done = subprocess.run([sys.executable, str(ROOT / "entrypoint.py")], env=env,
                          capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    first = list(itertools.takewhile(MASK_COMMAND.match, lines))
    masks = [line.partition("::")[2].partition("::")[2] for line in first]
    secret_lines = [
        line
        for name in ("password", "github-token", "registry-auth", "secrets", "tls-key")
        for line in inputs.get(name, "").splitlines()
        if line.strip()
    ]
    assert set(secret_lines + values) <= set(masks)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    later = "\n".join([*lines[len(first) :], done.stderr, summary])
    assert not MASK_COMMAND.search(later)  # no mask comes after other output
    for word in SECRET_WORDS:
        assert word not in later


def test_metadata_log_groups_as_upstream_with_their_lines_as_data(tmp_path: Path) -> None:
    done, _ = run_entry(
        tmp_path,
        {"images": "ghcr.io/o/app", "dry-run": "true", "tags": "type=semver,pattern={{version}}"},
        "tag_non_version",
        {"RUNNER_DEBUG": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    titles = [line.removeprefix("::group::") for line in lines if line.startswith("::group::")]
    assert titles == [
        "Context info", "Webhook payload", "Processing images input", "Processing tags input",
        "Processing flavor input", "Docker labels", "Annotations", "JSON output",
        "Bake file definition (tags)", "Bake file definition (labels)",
        "Bake file definition (annotations)",
    ]  # fmt: skip
    warnings = [line.split("::", 2)[2] for line in lines if line.startswith("::warning")]
    assert warnings[-3:] == [
        "release1 is not a valid semver. More info: https://semver.org/",
        "No Docker image version has been generated. Check tags input.",
        "No Docker tag has been generated. Check tags input.",
    ]
    # a group's lines come from outside: the runner reads no workflow command in them
    for start, line in enumerate(lines):
        if line.startswith("::group::"):
            body = lines[start + 1 : lines.index("::endgroup::", start)]
            token = body[0].removeprefix("::stop-commands::")
            assert body[0] != token
            assert body[-1] == f"::{token}::"


@pytest.mark.parametrize(
    ("inputs", "event"),
    [
        pytest.param({"push": "true"}, "pull_request", id="push-true"),
        pytest.param({}, "push_branch", id="auto-pushes-on-push"),
        pytest.param({"push": "true", "push-by-digest": "true"}, "push_branch",
                     id="push-by-digest"),
    ],
)  # fmt: skip
def test_push_without_images_is_one_error_before_the_build(
    tmp_path: Path, inputs: dict[str, str], event: str
) -> None:
    # a dry run makes the same plan, and stops at the same check
    done, _ = run_entry(tmp_path, {"images": "", "dry-run": "true", **inputs}, event)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout
    assert "input 'images': is empty, so the push has no image name" in errors[0]
    assert "Traceback" not in done.stderr
