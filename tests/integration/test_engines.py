"""What the engine decides: the containerd image store exports caches, builds several
platforms and stores attestations with the docker driver; the classic store cannot, and
the action then needs a builder of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.checks import assert_no_secret, repo_name, workspace
from support.runner import run_action, runner_env

pytestmark = pytest.mark.integration

SCRATCH = "FROM scratch\nARG TARGETPLATFORM\nCOPY hello.txt /\n"


def login(reg: Registry) -> dict[str, str]:
    return {"registry": reg.host, "username": reg.user, "password": reg.password}


def test_cache_export_to_a_local_directory(stack: Stack, reg_a: Registry, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ws = workspace(tmp_path, SCRATCH, {"hello.txt": "hi\n"})
    env = runner_env(ws, {
        "images": f"{reg_a.host}/{repo_name('localcache')}", "push": "false",
        "cache-to": f"type=local,dest={cache},mode=max",
    }, base=stack.env())  # fmt: skip
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr
    index = json.loads((cache / "index.json").read_text())
    assert index["manifests"], index
    assert "creating one" not in run.stdout  # the engine's own builder did it


def test_multi_platform_scratch_image_is_one_index(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    repo = repo_name("multi")
    ws = workspace(tmp_path, SCRATCH, {"hello.txt": "hi\n"})
    env = runner_env(ws, {
        "images": f"{reg_a.host}/{repo}", "tags": "type=raw,value=v1",
        "platforms": "linux/amd64,linux/arm64", "push": "true", **login(reg_a),
    }, base=stack.env())  # fmt: skip
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr
    media_type, index = reg_a.manifest(repo, "v1")
    assert "index" in media_type or "list" in media_type
    platforms = {
        f"{m['platform']['os']}/{m['platform']['architecture']}" for m in index["manifests"]
    }
    assert {"linux/amd64", "linux/arm64"} <= platforms
    assert reg_a.manifest_digest(repo, "v1") == run.outputs["digest"]
    assert_no_secret(run, reg_a.password)


def test_provenance_attestation_is_pushed(stack: Stack, reg_a: Registry, tmp_path: Path) -> None:
    repo = repo_name("provenance")
    ws = workspace(tmp_path, SCRATCH, {"hello.txt": "hi\n"})
    env = runner_env(ws, {
        "images": f"{reg_a.host}/{repo}", "tags": "type=raw,value=v1",
        "provenance": "mode=max", "push": "true", **login(reg_a),
    }, base=stack.env())  # fmt: skip
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "--provenance mode=max," in run.stdout or "--attest type=provenance" in run.stdout
    _, index = reg_a.manifest(repo, "v1")
    kinds = [m.get("annotations", {}).get("vnd.docker.reference.type") for m in index["manifests"]]
    assert "attestation-manifest" in kinds


def test_classic_engine_needs_a_builder_of_its_own_and_says_why(
    stack: Stack, reg_a: Registry, classic_host: str, tmp_path: Path
) -> None:
    repo = repo_name("classic")
    ws = workspace(tmp_path, SCRATCH, {"hello.txt": "hi\n"})
    env = runner_env(ws, {
        "images": f"{reg_a.host}/{repo}", "push": "true", **login(reg_a),
        "cache-to": f"type=registry,ref={reg_a.host}/{repo}:cache",
        # A BuildKit image that cannot be had here: creating the builder must fail cleanly.
        # (Its pull is refused a connection, which is retried: not here.)
        "buildkit-image": "localhost:1/no/buildkit:none", "retries": "0",
    }, base=stack.env() | {"DOCKER_HOST": classic_host})  # fmt: skip
    run = run_action(env)
    assert run.returncode == 1
    assert "cannot do cache export: creating one" in run.stdout
    errors = run.errors()
    assert len(errors) == 1, run.stdout
    assert "localhost:1/no/buildkit:none" in errors[0]
    assert "Traceback" not in run.stderr
    assert reg_a.tags(repo) == []
    assert_no_secret(run, reg_a.password)
