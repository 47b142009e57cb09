"""Registry faults, survived or reported: the action against reg-a behind tests/support/faults.py.

The proxy listens on ``reg-a.test:<free port>``, in the registries' network namespace (the
stack's certificate names reg-a.test, its CA is trusted system-wide; the engine gets a
``certs.d`` entry for the new port) and passes what it does not fail on to reg-a, whose API
the tests then ask what it holds.
A summary of the faults injected and survived is printed at the end of the module
(``pytest -s``).
"""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack import DOCKER_CERTS_DIR, Registry, Stack, registry_socket
from support.runner import ActionRun, run_action, runner_env

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

from support.faults import Fault, FaultProxy, Target

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
# metadata-action: type=raw gives the value, type=sha "sha-" and the 7-character short sha
EXPECTED_TAGS = ["sha-860c190", "v1"]
SURVIVED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if SURVIVED:
        print("\nfaults injected and survived:", dict(sorted(SURVIVED.items())))


def _proxy(stack: Stack, reg: Registry, target: Target, **kwargs: object) -> FaultProxy:
    pki = stack.state_dir / "pki"
    return FaultProxy(
        reg.port, pki / "server.crt", pki / "server.key", reg.ca, target,
        realm=reg.name, lifetime=120, upstream_host=reg.name, listener=registry_socket(),
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
def trusted_port() -> Iterator[list[int]]:
    """Ports of reg-a.test the engine should trust (certs.d), removed after the test."""
    ports: list[int] = []
    yield ports
    for port in ports:
        shutil.rmtree(DOCKER_CERTS_DIR / f"reg-a.test:{port}", ignore_errors=True)


def _trust(reg: Registry, port: int, ports: list[int]) -> str:
    host = f"{reg.name}:{port}"
    (DOCKER_CERTS_DIR / host).mkdir(parents=True, exist_ok=True)
    shutil.copy(reg.ca, DOCKER_CERTS_DIR / host / "ca.crt")
    ports.append(port)
    return host


def _run(stack: Stack, reg: Registry, host: str, tmp_path: Path, **inputs: str) -> ActionRun:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    (ws / "hello.txt").write_text(uuid.uuid4().hex)  # a new image each time
    env = runner_env(
        ws,
        {
            "images": f"{host}/{inputs.pop('repo')}",
            "tags": "type=raw,value=v1\ntype=sha",
            "registry": host,
            "username": reg.user,
            "password": reg.password,
            "push": "true",
            "retries": "3",
            "retry-max-wait": "2s",
        }
        | inputs,
        github={"GITHUB_SHA": SHA},
        base=stack.env(),
    )
    return run_action(env, timeout=300)


def _retry_lines(run: ActionRun) -> list[str]:
    return [ln for ln in run.stdout.splitlines() if "; retry " in ln or "giving up" in ln]


def _repo(kind: str) -> str:
    return f"bpp-test/faults-{kind}-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("fault", list(Fault), ids=[f.value for f in Fault])
def test_login_survives_two_faults(
    stack: Stack, reg_a: Registry, tmp_path: Path, trusted_port: list[int], fault: Fault
) -> None:
    proxy = _proxy(stack, reg_a, Target.LOGIN, faults=[fault, fault])
    try:
        host = _trust(reg_a, proxy.port, trusted_port)
        repo = _repo("login")
        run = _run(stack, reg_a, host, tmp_path, repo=repo)
    finally:
        proxy.close()
    assert run.returncode == 0, run.stdout + run.stderr
    assert proxy.injected == Counter({fault: 2})
    lines = _retry_lines(run)
    assert len(lines) == 2, lines
    assert all(ln.startswith(f"Login to {host} failed (") for ln in lines)
    assert reg_a.tags(repo) == EXPECTED_TAGS
    for tag in EXPECTED_TAGS:
        assert reg_a.manifest_digest(repo, tag) == run.outputs["digest"]
    SURVIVED[f"login {fault.value}"] += 2


@pytest.mark.parametrize("fault", list(Fault), ids=[f.value for f in Fault])
def test_push_survives_an_outage_longer_than_buildkits_own_retries(
    stack: Stack, reg_a: Registry, tmp_path: Path, trusted_port: list[int], fault: Fault
) -> None:
    # BuildKit fails at once on a 429 (after skipping a 429 on a blob check), so a 3 s outage
    # already needs the action's retries; other faults it retries itself for about 7 s.
    outage = 3.0 if fault is Fault.TOO_MANY else 9.0
    proxy = _proxy(stack, reg_a, Target.PUSH, outage=(fault, outage))
    try:
        host = _trust(reg_a, proxy.port, trusted_port)
        repo = _repo("push")
        started = time.monotonic()
        run = _run(stack, reg_a, host, tmp_path, repo=repo)
        took = time.monotonic() - started
    finally:
        proxy.close()
    assert run.returncode == 0, run.stdout + run.stderr
    lines = _retry_lines(run)
    assert lines, run.stdout
    assert all(ln.startswith("Build and push failed (") for ln in lines)
    assert reg_a.tags(repo) == EXPECTED_TAGS
    for tag in EXPECTED_TAGS:
        assert reg_a.manifest_digest(repo, tag) == run.outputs["digest"]
    SURVIVED[f"push {fault.value}"] += proxy.injected[fault]
    print(f"\npush {fault.value}: {proxy.injected[fault]} faults, {len(lines)} retries, "
          f"{took:.1f} s")  # fmt: skip


def _free_port() -> int:
    """A port of the registries' address that nothing listens on."""
    with registry_socket() as sock:
        return int(sock.getsockname()[1])


def test_registry_down_fails_after_the_retries_in_bounded_time(
    stack: Stack, reg_a: Registry, tmp_path: Path, trusted_port: list[int]
) -> None:
    host = _trust(reg_a, _free_port(), trusted_port)  # nothing listens there
    started = time.monotonic()
    run = _run(stack, reg_a, host, tmp_path, repo=_repo("down"), retries="2",
               **{"retry-max-wait": "1s"})  # fmt: skip
    took = time.monotonic() - started
    assert run.returncode == 1
    assert len(_retry_lines(run)) == 3  # two retries, then giving up
    errors = run.errors()
    assert len(errors) == 1
    assert f"login to {host}" in errors[0]
    assert "connection refused" in errors[0]
    assert "docker buildx build" not in run.stdout
    assert took < 20, took


def test_wrong_credentials_fail_at_once_without_retries(
    stack: Stack, reg_a: Registry, tmp_path: Path, trusted_port: list[int]
) -> None:
    proxy = _proxy(stack, reg_a, Target.LOGIN)
    try:
        host = _trust(reg_a, proxy.port, trusted_port)
        repo = _repo("badpass")
        run = _run(stack, reg_a, host, tmp_path, repo=repo,
                   password="wrong-" + uuid.uuid4().hex)  # fmt: skip
    finally:
        proxy.close()
    assert run.returncode == 1
    assert _retry_lines(run) == []
    assert "401 Unauthorized" in run.errors()[0]
    with_credentials = [r for r in proxy.requests if r.startswith("GET /v2/ ")]
    assert len(with_credentials) == 1, proxy.requests  # one try only
    assert reg_a.tags(repo) == []


def test_engine_stopped_is_a_clear_error_and_nothing_is_pushed(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    stopped = tmp_path / "stopped.sock"  # a dockerd that is not running
    repo = _repo("noengine")
    started = time.monotonic()
    run = _run(
        Stack(stack.state_dir, f"unix://{stopped}", stack.docker, stack.bin_dir,
              stack.registries, None),
        reg_a, reg_a.host, tmp_path, repo=repo,
    )  # fmt: skip
    assert run.returncode == 1
    assert time.monotonic() - started < 20
    assert _retry_lines(run) == []
    errors = run.errors()
    assert len(errors) == 1
    assert "Docker engine" in errors[0]
    assert "Traceback" not in run.stderr
    assert reg_a.tags(repo) == []
