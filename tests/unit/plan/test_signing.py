"""Signing, the pure parts: when a run signs, and the cosign commands;
and the pinned binary's checksum."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shlex
from pathlib import Path

import pytest
from support.identity import REQUEST_TOKEN, Answer, Script, serving

from build_push_py.cosign import binary
from build_push_py.cosign.argv import sign_argv, sign_env, verify_command
from build_push_py.errors import EngineError, InputError
from build_push_py.inputs.sign import SignInputs, SignMode
from build_push_py.inputs.table import read_raw
from build_push_py.plan.signing import SignPlan, decide_signing, require_signer
from build_push_py.runner.env import RunnerEnv

KEY = (
    "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    "eyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9fQ==\n"
    "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
)
OIDC = {
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.actions.githubusercontent.com/x",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "tok",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_WORKFLOW_REF": "octo/app/.github/workflows/release.yml@refs/tags/v1",
    "GITHUB_EVENT_NAME": "push",
}
REF = "ghcr.io/octo/app@sha256:" + "a" * 64


def raw(**given: str) -> dict[str, str]:
    return read_raw({"INPUT_" + k.replace("_", "-").upper(): v for k, v in given.items()})


def test_sign_true_without_token_or_key_is_an_error_with_the_permissions_fix() -> None:
    with pytest.raises(InputError, match="id-token: write") as caught:
        require_signer(SignInputs(mode=SignMode.TRUE), RunnerEnv())
    assert "id-token: write" in caught.value.hint
    require_signer(SignInputs(mode=SignMode.TRUE), RunnerEnv.from_env(OIDC))
    require_signer(SignInputs(mode=SignMode.TRUE, key=KEY), RunnerEnv())
    require_signer(SignInputs(), RunnerEnv())


KEYLESS = SignPlan(
    enabled=True,
    keyless=True,
    identity="https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1",
)


@pytest.mark.parametrize(
    ("inp", "pushes", "by_digest", "env", "expected"),
    [
        pytest.param(SignInputs(), True, False, OIDC, KEYLESS, id="auto-keyless"),
        pytest.param(
            SignInputs(key=KEY),
            True,
            False,
            {"GITHUB_EVENT_NAME": "release"},
            SignPlan(enabled=True),
            id="auto-key",
        ),
        pytest.param(
            SignInputs(), True, False, {}, SignPlan(reason="no OIDC token"), id="auto-no-token"
        ),
        pytest.param(
            SignInputs(), False, False, OIDC, SignPlan(reason="nothing is pushed"), id="no-push"
        ),
        pytest.param(
            SignInputs(mode=SignMode.TRUE),
            True,
            True,
            OIDC,
            SignPlan(reason="merge job"),
            id="by-digest-signed-by-the-merge",
        ),
        pytest.param(
            SignInputs(mode=SignMode.FALSE, key=KEY),
            True,
            False,
            OIDC,
            SignPlan(reason="sign: false"),
            id="off",
        ),
    ],
)
def test_decide(
    inp: SignInputs, pushes: bool, by_digest: bool, env: dict[str, str], expected: SignPlan
) -> None:
    got = decide_signing(inp, pushes=pushes, by_digest=by_digest, runner=RunnerEnv.from_env(env))
    assert (got.enabled, got.keyless, got.identity) == (
        expected.enabled,
        expected.keyless,
        expected.identity,
    )
    assert expected.reason in got.reason
    assert not got.warning


# Events whose build may be of code from outside the repository (a fork's pull request, a
# comment's ref), pushed with push: true.
UNTRUSTED_EVENTS = ["pull_request_target", "workflow_run", "issue_comment", "pull_request", ""]


@pytest.mark.parametrize("event", UNTRUSTED_EVENTS)
@pytest.mark.parametrize("key", ["", KEY], ids=["keyless", "key"])
def test_sign_auto_signs_only_where_push_auto_pushes(event: str, key: str) -> None:
    env = OIDC | {"GITHUB_EVENT_NAME": event}
    got = decide_signing(
        SignInputs(key=key), pushes=True, by_digest=False, runner=RunnerEnv.from_env(env)
    )
    assert not got.enabled
    assert "sign: auto does not sign" in got.reason
    assert (event or "without an event") in got.reason


@pytest.mark.parametrize("event", UNTRUSTED_EVENTS)
def test_sign_true_signs_there_with_a_warning_naming_the_event(event: str) -> None:
    env = OIDC | {"GITHUB_EVENT_NAME": event}
    got = decide_signing(
        SignInputs(mode=SignMode.TRUE), pushes=True, by_digest=False, runner=RunnerEnv.from_env(env)
    )
    assert got.enabled
    assert got.keyless
    assert (f"on {event} events" if event else "without an event") in got.warning


@pytest.mark.parametrize(
    ("inp", "plan", "argv", "verify"),
    [
        pytest.param(
            SignInputs(),
            KEYLESS,
            ["cosign", "sign", "--yes", REF],
            "cosign verify --certificate-identity "
            "https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1 "
            f"--certificate-oidc-issuer https://token.actions.githubusercontent.com {REF}",
            id="keyless",
        ),
        pytest.param(
            SignInputs(key=KEY, tlog=False),
            SignPlan(enabled=True),
            ["cosign", "sign", "--yes", "--key", "/k/cosign.key",
             "--signing-config", "/k/sc.json", REF],
            f"cosign verify --key cosign.pub --insecure-ignore-tlog=true {REF}",
            id="pem-key-no-tlog",
        ),
        pytest.param(
            SignInputs(key="gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"),
            SignPlan(enabled=True),
            ["cosign", "sign", "--yes", "--key",
             "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", REF],
            "cosign verify --key gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k "
            f"{REF}",
            id="kms",
        ),
    ],
)  # fmt: skip
def test_commands(inp: SignInputs, plan: SignPlan, argv: list[str], verify: str) -> None:
    config = "/k/sc.json" if not inp.tlog else ""
    assert sign_argv("cosign", REF, inp, key_file="/k/cosign.key", signing_config=config) == argv
    assert verify_command(REF, inp, plan) == verify


def test_sign_env() -> None:
    assert sign_env(SignInputs(), KEYLESS, OIDC) == {
        "ACTIONS_ID_TOKEN_REQUEST_URL": OIDC["ACTIONS_ID_TOKEN_REQUEST_URL"],
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "tok",
    }
    assert sign_env(SignInputs(key=KEY), SignPlan(enabled=True), OIDC) == {"COSIGN_PASSWORD": ""}


def test_binary_from_cosign_bin(tmp_path: Path) -> None:
    fake = tmp_path / "cosign"
    fake.write_text("#!/bin/sh\n")
    assert binary.locate({"COSIGN_BIN": str(fake)}, tmp_path / "cache", tmp_path) == str(fake)
    with pytest.raises(EngineError, match="no such file"):
        binary.locate({"COSIGN_BIN": str(tmp_path / "none")}, tmp_path / "cache", tmp_path)


def _release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, matches: bool = True) -> bytes:
    """A stand-in release asset, served from a file URL, pinned by its checksum or not."""
    release = tmp_path / "release" / "cosign-linux-amd64"
    release.parent.mkdir()
    release.write_bytes(b"\x7fELF not really cosign")
    digest = hashlib.sha256(release.read_bytes()).hexdigest() if matches else "0" * 64
    monkeypatch.setattr(binary, "URL", release.parent.as_uri() + "/{asset}")
    monkeypatch.setattr(binary, "RELEASE", {"x86_64": ("cosign-linux-amd64", digest)})
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    return release.read_bytes()


def _run_dir(tmp_path: Path, name: str) -> Path:
    run = tmp_path / name
    run.mkdir(mode=0o700)
    return run


@pytest.mark.parametrize("matches", [True, False], ids=["checksum-matches", "checksum-differs"])
def test_binary_download_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, matches: bool
) -> None:
    asset = _release(tmp_path, monkeypatch, matches=matches)
    cache = tmp_path / "cache"
    if matches:
        path = Path(binary.locate({}, cache, _run_dir(tmp_path, "run-1")))
        assert path.read_bytes() == asset
        assert path.stat().st_mode & 0o777 == 0o700
        assert [p.name for p in cache.iterdir()] == [f"cosign-{binary.VERSION}"]
        (tmp_path / "release" / "cosign-linux-amd64").unlink()  # then found in the cache
        assert Path(binary.locate({}, cache, _run_dir(tmp_path, "run-2"))).read_bytes() == asset
    else:
        with pytest.raises(EngineError, match="has SHA-256"):
            binary.locate({}, cache, _run_dir(tmp_path, "run"))
        assert not cache.exists() or list(cache.iterdir()) == []


def test_the_download_never_writes_through_a_link_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Links where the download used to land (a fixed name) and at the cache's own name:
    neither file they point at is written."""
    asset = _release(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir()
    victims = [tmp_path / "victim-part", tmp_path / "victim-target"]
    for victim in victims:
        victim.write_text("untouched")
    # cosign-v3.1.part: the name the download had, from Path.with_suffix
    (cache / f"cosign-{binary.VERSION}").with_suffix(".part").symlink_to(victims[0])
    (cache / f"cosign-{binary.VERSION}").symlink_to(victims[1])
    path = Path(binary.locate({}, cache, _run_dir(tmp_path, "run")))
    assert [v.read_text() for v in victims] == ["untouched", "untouched"]
    assert path.read_bytes() == asset
    assert not (cache / f"cosign-{binary.VERSION}").is_symlink()


def test_what_runs_is_what_was_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached file, checked and then changed (the job's other steps can write $HOME),
    does not change what this run executes: a copy in the run's own directory."""
    asset = _release(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    run = _run_dir(tmp_path, "run")
    path = Path(binary.locate({}, cache, run))
    (cache / f"cosign-{binary.VERSION}").write_bytes(b"#!/bin/sh\necho swapped\n")
    assert path.parent == run
    assert path.read_bytes() == asset


def test_the_sign_step_hands_cosign_its_password_and_removes_the_key(tmp_path: Path) -> None:
    from support.fakes import FakeRunner  # noqa: PLC0415

    from build_push_py.buildx.argv import RunFacts  # noqa: PLC0415
    from build_push_py.buildx.version import BuildxVersion  # noqa: PLC0415
    from build_push_py.metadata import Meta  # noqa: PLC0415
    from build_push_py.plan.cache import CachePlan  # noqa: PLC0415
    from build_push_py.plan.inputs import parse  # noqa: PLC0415
    from build_push_py.plan.plan import Plan  # noqa: PLC0415
    from build_push_py.runner.workflow import Workflow  # noqa: PLC0415
    from build_push_py.steps import sign  # noqa: PLC0415
    from build_push_py.steps.job import Job  # noqa: PLC0415

    cosign = tmp_path / "cosign"
    cosign.write_text("")
    seen: list[str] = []
    runner = FakeRunner()
    runner.on([str(cosign), "sign"], effect=lambda argv: seen.append(Path(argv[4]).read_text()))
    env = {"COSIGN_BIN": str(cosign), "HOME": str(tmp_path)}
    inputs = parse(raw(sign_key=KEY, sign_key_password="pw-1234567"))
    meta = Meta("", (), False, ("reg.example/app",), (), (), (), (), (), ())
    plan = Plan(
        inputs, meta, True, CachePlan([], [], {}, []), RunFacts(), BuildxVersion(0, 29, 1),
        signing=SignPlan(enabled=True),
    )  # fmt: skip
    config = tmp_path / "config"
    config.mkdir()

    sign.sign(Job(env, Workflow(env), runner), plan, str(config), "sha256:" + "b" * 64)

    (call,) = runner.calls
    assert call.env is not None
    assert call.env["COSIGN_PASSWORD"] == "pw-1234567"
    assert "COSIGN_PASSWORD" in call.pass_env
    assert seen == [KEY + "\n"]  # the key file existed while cosign ran
    assert list(config.iterdir()) == []  # and is gone afterwards


def _jwt(claims: dict[str, str]) -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


CALLED = "octo/shared/.github/workflows/build.yml@refs/tags/v2"  # a reusable workflow
CALLER = "octo/app/.github/workflows/release.yml@refs/heads/main"


@pytest.mark.parametrize(
    ("answers", "identity"),
    [
        pytest.param(True, f"https://github.com/{CALLED}", id="the-tokens-job-workflow-ref"),
        pytest.param(False, f"https://github.com/{CALLER}", id="no-token-the-workflow-ref"),
    ],
)
def test_the_keyless_verify_command_names_the_workflow_the_certificate_names(
    tmp_path: Path, answers: bool, identity: str
) -> None:
    """In a reusable workflow the certificate names the called workflow (the token's
    job_workflow_ref), not GITHUB_WORKFLOW_REF (the caller)."""
    from support.fakes import FakeRunner  # noqa: PLC0415
    from support.runner import parse_file_commands  # noqa: PLC0415

    from build_push_py.buildx.argv import RunFacts  # noqa: PLC0415
    from build_push_py.buildx.version import BuildxVersion  # noqa: PLC0415
    from build_push_py.metadata import Meta  # noqa: PLC0415
    from build_push_py.plan.cache import CachePlan  # noqa: PLC0415
    from build_push_py.plan.inputs import parse  # noqa: PLC0415
    from build_push_py.plan.plan import Plan  # noqa: PLC0415
    from build_push_py.runner.workflow import Workflow  # noqa: PLC0415
    from build_push_py.steps import sign  # noqa: PLC0415
    from build_push_py.steps.job import Job  # noqa: PLC0415

    script = Script(id_answer=Answer(200 if answers else 500,
                                     {"value": _jwt({"job_workflow_ref": CALLED})}))  # fmt: skip
    cosign = tmp_path / "cosign"
    cosign.write_text("")
    out = tmp_path / "output"
    out.touch()
    meta = Meta("", (), False, ("reg.example/app",), (), (), (), (), (), ())
    plan = Plan(
        parse(raw()), meta, True, CachePlan([], [], {}, []), RunFacts(), BuildxVersion(0, 29, 1),
        signing=SignPlan(enabled=True, keyless=True, identity=f"https://github.com/{CALLER}"),
    )  # fmt: skip
    config = tmp_path / "config"
    config.mkdir()
    log = io.StringIO()
    with serving(script) as url:
        env = {
            "COSIGN_BIN": str(cosign), "HOME": str(tmp_path), "GITHUB_OUTPUT": str(out),
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_WORKFLOW_REF": CALLER,
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{url}/t?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
        }  # fmt: skip
        sign.sign(Job(env, Workflow(env, out=log), FakeRunner().on([str(cosign), "sign"])),
                  plan, str(config), "sha256:" + "b" * 64)  # fmt: skip

    command = parse_file_commands(out.read_text())["cosign-verify-command"]
    assert shlex.split(command)[3] == identity
    assert script.id_paths == ["/t?api-version=2.0&audience=sigstore"]
    assert script.authorizations == [f"bearer {REQUEST_TOKEN}"]
    if not answers:
        assert "reusable workflow" in log.getvalue()
    assert REQUEST_TOKEN not in log.getvalue() + command


@pytest.mark.parametrize(
    ("jwt", "ref"),
    [
        pytest.param(_jwt({"job_workflow_ref": CALLED}), CALLED, id="the-claim"),
        pytest.param(_jwt({"sub": "repo:octo/app"}), "", id="no-claim"),
        pytest.param("not-a-jwt", "", id="not-a-jwt"),
        pytest.param("a.!!!.c", "", id="unreadable-payload"),
    ],
)
def test_job_workflow_ref_is_read_without_verifying(jwt: str, ref: str) -> None:
    from build_push_py.cosign.identity import job_workflow_ref  # noqa: PLC0415

    assert job_workflow_ref(jwt) == ref
