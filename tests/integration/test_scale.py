"""Fan-out / fan-in against the real engine and registries: two build "jobs", one merge.

This engine's docker driver cannot push by digest (buildx: "push-by-digest is currently not
implemented for docker driver"), and a ``docker-container`` builder needs an image from Docker
Hub, which is out of reach here. So each build job runs the action with an OCI output, and
skopeo pushes that image by digest only (no tag), as ``push-by-digest`` would. The merge is
the action's own, and everything is checked through the registries' API.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.runner import ActionRun, run_action, runner_env

from build_push_py.plan.digests import digest_file_name

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
PLATFORMS = ("linux/amd64", "linux/arm64")
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def registry_auth(*registries: Registry) -> str:
    return "".join(
        f"- registry: {r.host}\n  username: {r.user}\n  password: {r.password}\n"
        for r in registries
    )


def job(stack: Stack, ws: Path, inputs: dict[str, str]) -> ActionRun:
    env = runner_env(ws, inputs, github={"GITHUB_SHA": SHA}, base=stack.env())
    return run_action(env)


def authfile(tmp_path: Path, *registries: Registry) -> Path:
    import base64  # noqa: PLC0415

    auths = {
        r.host: {"auth": base64.b64encode(f"{r.user}:{r.password}".encode()).decode()}
        for r in registries
    }
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"auths": auths}))
    return path


def build_and_push_by_digest(
    stack: Stack, tmp_path: Path, platform: str, images: list[str], auth: Path
) -> str:
    """One build job: the action builds ``platform`` to an OCI archive; its ``digest`` output
    is then pushed to every image by digest only."""
    ws = tmp_path / platform.replace("/", "-")
    ws.mkdir()
    (ws / "Dockerfile").write_text(f"FROM scratch\nCOPY {ws.name}.txt /\n")
    (ws / f"{ws.name}.txt").write_text(f"built for {platform}\n")
    # One name only: each tag is an entry of the archive's index, and skopeo wants one.
    run = job(stack, ws, {
        "images": images[0], "platforms": platform, "provenance": "false",
        "outputs": f"type=oci,dest={ws / 'image.tar'}", "cache": "false",
    })  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    digest = run.outputs["digest"]
    for image in images:
        subprocess.run(
            ["skopeo", "copy", "--quiet", "--authfile", str(auth),
             f"oci-archive:{ws / 'image.tar'}", f"docker://{image}@{digest}"],
            check=True, capture_output=True, env=stack.env(),
        )  # fmt: skip
    return digest


def merge(
    stack: Stack, ws: Path, images: list[str], regs: list[Registry], **more: str
) -> ActionRun:
    return job(stack, ws, {
        "images": "\n".join(images), "tags": "type=raw,value=v1\ntype=ref,event=branch",
        "merge": "true", "push": "true", "registry-auth": registry_auth(*regs), **more,
    })  # fmt: skip


def test_two_jobs_then_merge_tags_an_index_with_both_platforms(
    stack: Stack, reg_a: Registry, reg_b: Registry, tmp_path: Path
) -> None:
    repo = f"bpp-test/scale-{uuid.uuid4().hex[:8]}"
    regs = [reg_a, reg_b]
    images = [f"{r.host}/{repo}" for r in regs]
    auth = authfile(tmp_path, *regs)
    digests = {p: build_and_push_by_digest(stack, tmp_path, p, images, auth) for p in PLATFORMS}
    assert all(reg.tags(repo) == [] for reg in regs)  # pushed by digest: no tag yet
    # The merge job downloads the digest files the build jobs uploaded.
    merge_ws = tmp_path / "merge"
    (merge_ws / "digests").mkdir(parents=True)
    for digest in digests.values():
        (merge_ws / "digests" / digest_file_name(digest)).touch()

    run = merge(stack, merge_ws, images, regs, **{"digests-dir": "digests"})

    assert run.returncode == 0, run.stdout + run.stderr
    for reg in regs:
        assert reg.tags(repo) == ["main", "v1"]
        for tag in ("main", "v1"):
            media_type, index = reg.manifest(repo, tag)
            assert media_type in INDEX_TYPES
            entries = {f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
                       for m in index["manifests"]}  # fmt: skip
            assert entries == digests
            annotations = index["annotations"]
            assert annotations["org.opencontainers.image.revision"] == SHA
            # metadata-action: type=ref,event=branch (priority 600) outranks type=raw (200).
            assert annotations["org.opencontainers.image.version"] == "main"
            assert reg.manifest_digest(repo, tag) == run.outputs["digest"]


def test_merge_with_a_missing_digest_fails_and_tags_nothing(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    repo = f"bpp-test/scale-missing-{uuid.uuid4().hex[:8]}"
    images = [f"{reg_a.host}/{repo}"]
    present = build_and_push_by_digest(
        stack, tmp_path, "linux/arm64", images, authfile(tmp_path, reg_a)
    )
    absent = "sha256:" + "0" * 64
    ws = tmp_path / "merge"
    ws.mkdir()

    run = merge(stack, ws, images, [reg_a], digests=f"{present}\n{absent}")

    assert run.returncode == 1
    errors = run.errors()
    assert len(errors) == 1
    assert f"{images[0]}@{absent}" in errors[0]
    assert "nothing was tagged" in errors[0]
    assert present not in errors[0].partition("nothing was tagged")[2]
    assert reg_a.tags(repo) == []
    assert "digest" not in run.outputs


def test_push_by_digest_on_the_docker_driver_is_refused_by_buildx(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    """Here only the engine's own builder exists: buildx itself refuses, and says why."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text("FROM scratch\nCOPY Dockerfile /\n")
    run = job(stack, ws, {
        "images": f"{reg_a.host}/bpp-test/never", "platforms": "linux/arm64",
        "push-by-digest": "true", "push": "true", "builder": "default",
        "registry-auth": registry_auth(reg_a), "digests-dir": "digests",
    })  # fmt: skip
    assert run.returncode == 1
    assert "push-by-digest is currently not implemented for docker driver" in run.stdout
    assert not (ws / "digests").exists()
