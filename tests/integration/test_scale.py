"""Fan-out / fan-in against the real engine and registries: two build "jobs", one merge.

This engine's docker driver cannot push by digest (buildx: "push-by-digest is currently not
implemented for docker driver"), and a ``docker-container`` builder needs an image from Docker
Hub, which is out of reach here. So each build job runs the action with an OCI output, and
skopeo pushes that image by digest only (no tag), as ``push-by-digest`` would. The merge is
the action's own, and everything is checked through the registries' API.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.checks import registry_auth
from support.fanout import SHA, authfile, build_and_push_by_digest, job, merge

from build_push_py.plan.digests import digest_file_name

pytestmark = pytest.mark.integration

PLATFORMS = ("linux/amd64", "linux/arm64")
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


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
