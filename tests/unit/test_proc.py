"""``proc.run``, the one way a program is started: the environment a child gets (an
allow-list: never the action's inputs, never a token) and a command line too long to start.

These start real processes (the Python interpreter), since a fake runner sees neither."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from build_push_py import proc
from build_push_py.buildx.commands import buildx_runner, run_build
from build_push_py.errors import ActionError

DUMP_ENV = "import os, json; print(json.dumps(dict(os.environ)))"
PATH = {"PATH": "/usr/bin:/bin"}
INPUTS = {
    "INPUT_PASSWORD": "hunter2",
    "INPUT_GITHUB-TOKEN": "ghs_input",
    "INPUT_REGISTRY-AUTH": "- registry: r\n  password: p",
    "INPUT_SECRETS": "A=1",
    "INPUT_TLS-KEY": "-----BEGIN PRIVATE KEY-----",
}


@pytest.mark.parametrize(
    ("name", "passed"),
    [
        *(pytest.param(name, True, id=name) for name in (
            "PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
            "SSL_CERT_FILE", "SSL_CERT_DIR", "http_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY",
            "SSH_AUTH_SOCK", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "BUILDX_BUILDER",
            "BUILDX_NO_DEFAULT_ATTESTATIONS", "BUILDKIT_PROGRESS",
            "ACTIONS_CACHE_SERVICE_V2", "GITHUB_SHA", "GIT_AUTHOR_NAME",
            "GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_ACTIONS", "SOURCE_DATE_EPOCH",
            "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "GIT_SSH_COMMAND",
            "KUBECONFIG", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        )),
        *(pytest.param(name, False, id=name) for name in (
            *INPUTS, "INPUT_USERNAME", "GITHUB_TOKEN", "GITHUB_PAT", "GITHUB_APP_PRIVATE_KEY",
            "GH_TOKEN", "GIT_AUTH_TOKEN", "DOCKER_PASSWORD", "DOCKERHUB_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "STATE_docker_config",
            "RUNNER_TEMP", "NPM_TOKEN", "MY_SECRET", "PYTHONPATH", "LD_PRELOAD",
            # the runner's own, passed only to a build with a type=gha cache
            "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL",
            # keys and auth by another name
            "DOCKER_AUTH_CONFIG", "GITHUB_APP_KEY", "GIT_SIGNING_KEY", "BUILDX_API_KEY",
            "GITHUB_APIKEY", "DOCKER_HUB_AUTH", "GIT_COOKIES",
        )),
    ],
)  # fmt: skip
def test_child_env_is_an_allow_list(name: str, passed: bool) -> None:
    assert (name in proc.child_env({name: "v"})) is passed


@pytest.mark.parametrize(
    ("name", "passed"),
    [
        pytest.param("MY_SECRET", True, id="named-by-the-caller"),
        pytest.param("GITHUB_TOKEN", True, id="a-token-the-caller-names"),
        pytest.param("INPUT_PASSWORD", False, id="never-an-input"),
    ],
)
def test_child_env_with_the_names_the_caller_passes(name: str, passed: bool) -> None:
    assert (name in proc.child_env({name: "v"}, pass_env=[name])) is passed


def _child_env(**kwargs: object) -> dict[str, str]:
    done = proc.run([sys.executable, "-c", DUMP_ENV], **kwargs)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr
    env: dict[str, str] = json.loads(done.stdout)
    return env


def test_a_child_never_gets_the_inputs() -> None:
    given = {**PATH, **INPUTS, "GITHUB_TOKEN": "ghs_x", "GITHUB_SHA": "abc", "MY_SECRET": "s"}
    env = _child_env(env=given, pass_env=["MY_SECRET"])
    assert not [k for k in env if k.startswith("INPUT_")]
    assert "GITHUB_TOKEN" not in env
    assert (env["GITHUB_SHA"], env["MY_SECRET"]) == ("abc", "s")
    assert not any(secret in json.dumps(env) for secret in (*INPUTS.values(), "ghs_x"))


def test_without_env_a_child_gets_only_the_search_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INPUT_PASSWORD", "hunter2")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_x")
    env = _child_env()
    assert set(env) - {"LC_CTYPE"} == {"PATH"}  # Python may set LC_CTYPE itself (PEP 538)


def test_the_build_gets_the_variables_its_secrets_name(tmp_path: Path) -> None:
    """``--secret id=x,env=NAME``: buildx reads NAME from its own environment. The stand-in
    buildx (Python) writes its environment to a file."""
    run = buildx_runner({"BUILDX_BIN": sys.executable})
    given = {**PATH, **INPUTS, "MY_SECRET": "s", "OTHER_SECRET": "o"}
    dump = tmp_path / "env.json"
    script = "import os, json, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
    argv = ["docker", "buildx", "-c", script, str(dump), "--secret", "id=x,env=MY_SECRET"]
    run_build(run, argv, iidfile=str(tmp_path / "iid"), metadata_file=str(tmp_path / "m.json"),
              env=given, pass_env=["MY_SECRET"])  # fmt: skip
    env = json.loads(dump.read_text())
    assert env.get("MY_SECRET") == "s"
    assert "OTHER_SECRET" not in env
    assert not [k for k in env if k.startswith("INPUT_")]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        pytest.param(
            # 400 images x 400 tags, as --tag arguments
            ["-c", "pass", *[w for i in range(160_000) for w in ("--tag", f"r.io/i{i}:t")]],
            r"too long.*320,003 arguments.*bytes.*--tag \(160,000 times\)",
            id="many-tags",
        ),
        pytest.param(["-c", "pass", "x" * 200_000], r"too long.*the longest 200,000 bytes",
                     id="one-long-argument"),
    ],
)  # fmt: skip
def test_a_command_line_too_long_is_an_action_error(argv: list[str], match: str) -> None:
    with pytest.raises(ActionError, match=match) as caught:
        proc.run([sys.executable, *argv], env=PATH)
    assert caught.value.hint


# What a registry, BuildKit or Sigstore may print, on a line of its own.
HOSTILE = [
    "::warning title=pwned::from the child",
    "::add-mask::nothing",
    "::stop-commands::abcdef",
    "::abcdef::",
    "::error::the end",
]
PRINT_HOSTILE = "\n".join(
    ["import sys", *(f"print({line!r}, file=sys.{f})" for line, f in
                     zip(HOSTILE, ["stdout", "stderr"] * 3, strict=False))]
) + "\nsys.stdout.write('::warning::no newline at the end')"  # fmt: skip


def _live_commands(log: str) -> list[str]:
    """The lines the runner would read as workflow commands: every ``::`` line outside a
    ``::stop-commands::TOKEN`` .. ``::TOKEN::`` fence."""
    live, stopped = [], ""
    for line in log.splitlines():
        if stopped:
            if line == f"::{stopped}::":
                stopped = ""
        elif line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        elif line.startswith("::"):
            live.append(line)
    return live


def test_a_streamed_programs_output_is_fenced_on_a_runner(
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = PATH | {"GITHUB_ACTIONS": "true"}
    done = proc.run([sys.executable, "-c", PRINT_HOSTILE], env=env, stream=True)
    log = capsys.readouterr().out
    assert done.returncode == 0
    assert all(line in log for line in HOSTILE)  # shown, as text
    assert _live_commands(log) == []
    assert log.splitlines()[0].startswith("::stop-commands::")


def test_a_created_builders_start_is_fenced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``buildx inspect --bootstrap`` prints BuildKit's log: the same fence as the build."""
    from build_push_py.buildx.commands import create_builder  # noqa: PLC0415
    from build_push_py.inputs.driver import BuilderSpec, Driver  # noqa: PLC0415

    buildx = tmp_path / "buildx"
    buildx.write_text(
        "#!/bin/sh\n[ \"$1\" = inspect ] && echo '::warning title=pwned::from BuildKit'\nexit 0\n"
    )
    buildx.chmod(0o755)
    env = PATH | {"GITHUB_ACTIONS": "true", "BUILDX_BIN": str(buildx)}
    create_builder(buildx_runner(env), BuilderSpec(driver=Driver.DOCKER_CONTAINER), "moby/buildkit",
                   env)  # fmt: skip
    log = capsys.readouterr().out
    assert "::warning title=pwned::from BuildKit" in log
    assert _live_commands(log) == []


def test_off_a_runner_the_output_is_shown_without_a_fence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    proc.run([sys.executable, "-c", PRINT_HOSTILE], env=PATH, stream=True)
    log = capsys.readouterr().out
    assert "::stop-commands::abcdef" in log
    assert not any(
        line.startswith("::stop-commands::") and line != "::stop-commands::abcdef"
        for line in log.splitlines()
    )


def test_a_cancelled_step_starts_no_program_until_its_clean_up() -> None:
    """After the signal only the clean-up's programs start (``stop`` first ends the others)."""
    program = [sys.executable, "-c", "print('ran')"]
    proc.interrupt(signal.SIGTERM)
    try:
        refused = proc.run(program, env=PATH)
    finally:
        proc.stop(0)
    assert refused.returncode != 0
    assert "cancelled" in refused.stderr
    assert proc.run(program, env=PATH).stdout == "ran\n"
