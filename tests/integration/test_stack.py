"""The stack itself: TLS registries with auth, buildx pushing to them, RUN steps and the cache."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from stack import Registry

pytestmark = pytest.mark.integration


Result = subprocess.CompletedProcess[str]


def docker(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return subprocess.run(
        ["docker", *args], input=stdin, env=env, capture_output=True, text=True, check=False
    )


def login(env: dict[str, str], reg: Registry, password: str | None = None) -> Result:
    secret = reg.password if password is None else password
    return docker(env, "login", reg.host, "--username", reg.user, "--password-stdin", stdin=secret)


def unique_repo(prefix: str) -> str:
    # The registries keep their data between sessions: a fresh name per test run.
    return f"smoke/{prefix}-{uuid.uuid4().hex[:10]}"


def test_client_is_the_engines_release(docker_env: dict[str, str]) -> None:
    result = docker(docker_env, "version", "--format", "{{.Client.Version}} {{.Server.Version}}")
    assert result.returncode == 0, result.stderr
    client, server = result.stdout.split()
    assert client == server
    assert server.startswith("28.")


def test_login_over_tls(docker_env: dict[str, str], reg_a: Registry) -> None:
    result = login(docker_env, reg_a)

    assert result.returncode == 0, result.stderr
    assert "Login Succeeded" in result.stdout
    config = json.loads((Path(docker_env["DOCKER_CONFIG"]) / "config.json").read_text())
    assert list(config["auths"]) == [reg_a.host]


def test_login_with_wrong_password_fails(docker_env: dict[str, str], reg_a: Registry) -> None:
    result = login(docker_env, reg_a, password="not-" + reg_a.password)

    assert result.returncode != 0
    assert "401 Unauthorized" in result.stderr


def test_push_from_scratch_to_both_registries(
    docker_env: dict[str, str], reg_a: Registry, reg_b: Registry, tmp_path: Path
) -> None:
    for reg in (reg_a, reg_b):
        assert login(docker_env, reg).returncode == 0
    (tmp_path / "hello.txt").write_text("hello\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    repo = unique_repo("scratch")
    metadata = tmp_path / "metadata.json"

    result = docker(
        docker_env,
        "buildx", "build", "--push",
        "--tag", f"{reg_a.host}/{repo}:v1",
        "--tag", f"{reg_b.host}/{repo}:v1",
        "--metadata-file", str(metadata),
        str(tmp_path),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    digest = json.loads(metadata.read_text())["containerimage.digest"]
    for reg in (reg_a, reg_b):
        assert reg.tags(repo) == ["v1"]
        assert reg.manifest_digest(repo, "v1") == digest


def test_push_without_login_is_refused(
    docker_env: dict[str, str], reg_a: Registry, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY Dockerfile /\n")
    repo = unique_repo("anonymous")

    result = docker(
        docker_env, "buildx", "build", "--push", "-t", f"{reg_a.host}/{repo}:v1", str(tmp_path)
    )

    assert result.returncode != 0
    assert reg_a.tags(repo) == []


def test_run_step_on_local_base_is_cached_the_second_time(
    docker_env: dict[str, str], base_image: str, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(
        f'FROM {base_image}\nARG TOKEN\nRUN echo "token=$TOKEN" > /token.txt && cat /token.txt\n'
    )
    token = uuid.uuid4().hex
    build = [
        "buildx", "build", "--progress=plain",
        "--build-arg", f"TOKEN={token}",
        str(tmp_path),
    ]  # fmt: skip

    first = docker(docker_env, *build)
    second = docker(docker_env, *build)

    # --progress=plain: "#5 [2/2] RUN ..." names the step, "#5 0.151 token=..." is its output.
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    output = re.compile(rf"^#\d+ \d+\.\d+ token={token}$", re.MULTILINE)
    assert output.search(first.stderr)
    assert not output.search(second.stderr)
    step = re.search(r"^#(\d+) \[[^]]+\] RUN ", second.stderr, re.MULTILINE)
    assert step
    assert f"#{step[1]} CACHED" in second.stderr.splitlines()
