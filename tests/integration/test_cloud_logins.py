"""Logins whose credentials come from an API, end to end: Amazon ECR through moto's server
(the AWS SDK pointed at it with ``AWS_ENDPOINT_URL_ECR``/``_STS``), Docker Hub OIDC through a
local identity service over TLS under its real name; then the engine checks the credentials
against a TLS registry answering under the ECR or dhi.io name, and the build is pushed there."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import stack as stack_lib
from stack import Cloud, Stack
from support.checks import assert_no_secret, repo_name, workspace
from support.identity import ID_TOKEN, REQUEST_TOKEN, Answer, Script, serving
from support.runner import ActionRun, run_action, runner_env

pytestmark = pytest.mark.integration

AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
CONNECTION = "01234567-89ab-cdef-0123-456789abcdef"
DOCKERFILE = "FROM scratch\nCOPY hello.txt /\n"


@pytest.fixture(scope="session")
def cloud(stack: Stack) -> Cloud:
    return stack_lib.cloud_up(stack.state_dir)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def moto() -> Iterator[str]:
    """moto's server on loopback: its URL."""
    program = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    assert program, "moto_server is not installed: pip install -e '.[test]'"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [program, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def aws_env(moto: str, tmp_path: Path) -> dict[str, str]:
    """The AWS SDK pointed at moto, and at nothing of this machine's (no ~/.aws, no IMDS)."""
    return {
        "AWS_ENDPOINT_URL_ECR": moto,
        "AWS_ENDPOINT_URL_STS": moto,
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def push_env(
    stack: Stack, ws: Path, inputs: dict[str, str], extra: dict[str, str]
) -> dict[str, str]:
    base = {k: v for k, v in stack.env().items() if not k.startswith(("AWS_", "DOCKERHUB_"))}
    env = runner_env(ws, {"push": "true", "tags": "type=raw,value=v1", **inputs}, base=base)
    return env | extra


def pushed(run: ActionRun, registry: stack_lib.Registry, repo: str) -> None:
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.errors() == []
    assert registry.tags(repo) == ["v1"]
    assert registry.manifest_digest(repo, "v1") == run.outputs["digest"]


def test_ecr_with_access_keys(stack: Stack, cloud: Cloud, moto: str, tmp_path: Path) -> None:
    repo = repo_name("ecr-keys")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    env = push_env(stack, ws, {
        "registry": cloud.ecr.name, "username": AWS_KEY_ID, "password": AWS_SECRET,
        "images": f"{cloud.ecr.name}/{repo}",
    }, aws_env(moto, tmp_path))  # fmt: skip
    run = run_action(env)
    pushed(run, cloud.ecr, repo)
    assert "AWS ECR detected with us-east-1 region" in run.stdout
    assert f"Logged in to https://{cloud.ecr.name}\n" in run.stdout
    # what the runner is asked to mask: the token's username and password
    assert f"::add-mask ::{cloud.ecr.password}" in run.stdout
    assert f"::add-mask ::{AWS_KEY_ID}" in run.stdout
    assert_no_secret(run, AWS_SECRET, AWS_KEY_ID, cloud.ecr.password)


def test_ecr_with_the_sdks_chain_after_configure_aws_credentials(
    stack: Stack, cloud: Cloud, moto: str, tmp_path: Path
) -> None:
    """No username or password: the session credentials in the environment, as
    aws-actions/configure-aws-credentials exports them."""
    repo = repo_name("ecr-env")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    env = push_env(stack, ws, {"registry": cloud.ecr.name, "images": f"{cloud.ecr.name}/{repo}"},
                   aws_env(moto, tmp_path) | {
                       "AWS_ACCESS_KEY_ID": AWS_KEY_ID, "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
                       "AWS_SESSION_TOKEN": "session-token-Zq7", "AWS_REGION": "us-east-1",
                   })  # fmt: skip
    pushed(run_action(env), cloud.ecr, repo)


def test_ecr_with_a_web_identity_role(
    stack: Stack, cloud: Cloud, moto: str, tmp_path: Path
) -> None:
    """The SDK's chain assumes the role with the web identity token in the file (STS at
    moto), as with configure-aws-credentials' role-to-assume and no exported keys."""
    repo = repo_name("ecr-role")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    token_file = tmp_path / "web-identity-token"
    token_file.write_text(ID_TOKEN)
    env = push_env(stack, ws, {"registry": cloud.ecr.name, "images": f"{cloud.ecr.name}/{repo}"},
                   aws_env(moto, tmp_path) | {
                       "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/github-push",
                       "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
                   })  # fmt: skip
    pushed(run_action(env), cloud.ecr, repo)


def test_ecr_without_any_credentials_fails_before_the_push(
    stack: Stack, cloud: Cloud, moto: str, tmp_path: Path
) -> None:
    repo = repo_name("ecr-none")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    env = push_env(stack, ws, {"registry": cloud.ecr.name, "images": f"{cloud.ecr.name}/{repo}"},
                   aws_env(moto, tmp_path))  # fmt: skip
    run = run_action(env)
    assert run.returncode == 1
    [error] = run.errors()
    assert f"no AWS credentials for {cloud.ecr.name}" in error
    assert "Traceback" not in run.stdout + run.stderr
    assert cloud.ecr.tags(repo) == []


@pytest.fixture
def identity(cloud: Cloud) -> Iterator[Script]:
    """Docker's identity service at https://identity.docker.com (the test CA), which also
    hands out the job's OIDC token (GET)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cloud.cert), str(cloud.key))
    script = Script()
    with serving(script, host=stack_lib.IDENTITY_ADDR, port=443, context=context):
        yield script


def oidc_env(stack: Stack, ws: Path, repo: str, cloud: Cloud) -> dict[str, str]:
    return push_env(stack, ws, {
        "registry": cloud.dhi.name, "username": cloud.dhi.user,
        "images": f"{cloud.dhi.name}/{cloud.dhi.user}/{repo}",
        "sign": "false",  # the OIDC token would sign keylessly, through Sigstore
    }, {
        "DOCKERHUB_OIDC_CONNECTIONID": CONNECTION,
        "ACTIONS_ID_TOKEN_REQUEST_URL":
            f"https://{stack_lib.IDENTITY_NAME}/_apis/token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
    })  # fmt: skip


def test_docker_hub_oidc(stack: Stack, cloud: Cloud, identity: Script, tmp_path: Path) -> None:
    repo = repo_name("oidc")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    identity.answers = [Answer(429, {"error": "slow down"}, {"Retry-After": "1"}),
                        Answer(200, {"access_token": cloud.dhi.password})]  # fmt: skip
    run = run_action(oidc_env(stack, ws, repo, cloud))
    pushed(run, cloud.dhi, f"{cloud.dhi.user}/{repo}")
    assert identity.id_requests[0]["audience"] == ["https://identity.docker.com"]
    assert len(identity.exchanges) == 2
    exchange = identity.exchanges[-1]
    assert exchange["subject_token"] == [ID_TOKEN]
    assert exchange["connection_id"] == [CONNECTION]
    assert exchange["expires_in"] == ["300"]
    assert f"::add-mask ::{cloud.dhi.password}" in run.stdout
    assert_no_secret(run, cloud.dhi.password, ID_TOKEN, REQUEST_TOKEN)


def test_docker_hub_oidc_refused(
    stack: Stack, cloud: Cloud, identity: Script, tmp_path: Path
) -> None:
    repo = repo_name("oidc-refused")
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    identity.answers = [Answer(400, {"error": "invalid_target", "detail": "no such connection"})]
    run = run_action(oidc_env(stack, ws, repo, cloud))
    assert run.returncode == 1
    [error] = run.errors()
    assert "token exchange at identity.docker.com failed: HTTP 400" in error
    assert "no such connection" in error
    assert cloud.dhi.tags(f"{cloud.dhi.user}/{repo}") == []
    assert_no_secret(run, ID_TOKEN, REQUEST_TOKEN)


def test_docker_hub_oidc_without_the_token_permission_fails_first(
    stack: Stack, cloud: Cloud, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": "hello\n"})
    env = oidc_env(stack, ws, repo_name("oidc-perm"), cloud)
    del env["ACTIONS_ID_TOKEN_REQUEST_URL"]
    run = run_action(env)
    assert run.returncode == 1
    [error] = run.errors()
    assert "DOCKERHUB_OIDC_CONNECTIONID" in error
    assert "id-token: write" in error
    assert "version" not in run.outputs  # failed before the metadata was written
