"""Signing with the real cosign (Debian's, through ``COSIGN_BIN``) and a generated key pair,
against the TLS + password registries; checked with ``cosign verify`` of our own."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.checks import registry_auth, repo_name, workspace
from support.cosign import COSIGN, key_pair, verify
from support.fanout import authfile, build_and_push_by_digest, merge
from support.runner import ActionRun, run_action, runner_env

from build_push_py.plan.digests import digest_file_name

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"


def signed_run(stack: Stack, ws: Path, inputs: dict[str, str], key: str, pw: str) -> ActionRun:
    env = runner_env(
        ws,
        {"sign-key": key, "sign-key-password": pw, "sign-tlog": "false", **inputs},
        github={"GITHUB_SHA": SHA},
        base=stack.env() | {"COSIGN_BIN": COSIGN},
    )
    return run_action(env)


def test_a_pushed_image_is_signed_and_verifies_with_its_key_only(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    password = "cosign-pw-" + uuid.uuid4().hex
    key, public = key_pair(tmp_path / "keys", password)
    _, other_public = key_pair(tmp_path / "other-keys", "other-" + uuid.uuid4().hex)
    repo = repo_name("sign")
    image = f"{reg_a.host}/{repo}"
    ws = workspace(tmp_path, "FROM scratch\nCOPY hello.txt /\n", {"hello.txt": "signed\n"})

    run = signed_run(stack, ws, {
        "images": image, "tags": "type=raw,value=v1", "push": "true",
        "registry-auth": registry_auth(reg_a),
    }, key, password)  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    digest = run.outputs["digest"]
    ref = f"{image}@{digest}"
    assert run.outputs["signed"] == "true"
    assert run.outputs["cosign-verify-command"] == (
        f"cosign verify --key cosign.pub --insecure-ignore-tlog=true {ref}"
    )
    assert ref in run.summary
    assert verify(stack, tmp_path, reg_a, ref, public) == 0
    assert verify(stack, tmp_path, reg_a, ref, other_public) != 0

    # The same content under another repository, pushed without signing: nothing verifies.
    unsigned_repo = repo_name("unsigned")
    unsigned = run_action(runner_env(ws, {
        "images": f"{reg_a.host}/{unsigned_repo}", "tags": "type=raw,value=v1",
        "push": "true", "registry-auth": registry_auth(reg_a), "sign": "false",
    }, github={"GITHUB_SHA": SHA}, base=stack.env()))  # fmt: skip
    assert unsigned.returncode == 0, unsigned.stdout + unsigned.stderr
    assert unsigned.outputs["signed"] == "false"
    unsigned_ref = f"{reg_a.host}/{unsigned_repo}@{unsigned.outputs['digest']}"
    assert verify(stack, tmp_path, reg_a, unsigned_ref, public) != 0


def test_the_merge_job_signs_the_index_once_and_not_the_platform_images(
    stack: Stack, reg_a: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "cosign-pw-" + uuid.uuid4().hex
    key, public = key_pair(tmp_path / "keys", password)
    repo = repo_name("sign-merge")
    images = [f"{reg_a.host}/{repo}"]
    auth = authfile(tmp_path, reg_a)
    digests = [
        build_and_push_by_digest(stack, tmp_path, p, images, auth)
        for p in ("linux/amd64", "linux/arm64")
    ]
    ws = tmp_path / "merge"
    (ws / "digests").mkdir(parents=True)
    for digest in digests:
        (ws / "digests" / digest_file_name(digest)).touch()

    env_extra = {"sign-key": key, "sign-key-password": password, "sign-tlog": "false"}
    monkeypatch.setenv("COSIGN_BIN", COSIGN)  # the merge helper's base is this environment
    run = merge(stack, ws, images, [reg_a], **{"digests-dir": "digests", **env_extra})

    assert run.returncode == 0, run.stdout + run.stderr
    index = f"{images[0]}@{run.outputs['digest']}"
    assert run.outputs["cosign-verify-command"].splitlines() == [
        f"cosign verify --key cosign.pub --insecure-ignore-tlog=true {index}"
    ]
    assert run.stdout.count(" sign --yes --key ") == 1  # one signature: the index's
    assert verify(stack, tmp_path, reg_a, index, public) == 0
    for digest in digests:
        assert verify(stack, tmp_path, reg_a, f"{images[0]}@{digest}", public) != 0
    assert json.loads(run.outputs["json"])["tags"]
