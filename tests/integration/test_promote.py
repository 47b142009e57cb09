"""Release by promotion against the real engine and registries: a ``main`` push builds and
pushes ``sha-X``; a tag push of the same commit with the same build inputs builds nothing and
tags that image; any change of the build inputs, a missing or unreadable record builds.

"No build" is proved by a ``BUILDX_BIN`` wrapper that logs every buildx argv. "The same
image" means the same platform manifests (digests): the tag points at a new index, since it
carries the release's annotations.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from stack import Registry, Stack
from support.checks import registry_auth, repo_name, workspace
from support.cosign import COSIGN, key_pair, verify
from support.fanout import authfile
from support.git import commit_all
from support.runner import ActionRun, run_action, runner_env

from build_push_py.buildx.commands import buildx_binary
from build_push_py.plan.promote import FINGERPRINT_KEY

pytestmark = pytest.mark.integration

DOCKERFILE = "FROM scratch\nARG FLAVOUR=plain\nCOPY hello.txt /\n"
PLATFORMS = "linux/amd64,linux/arm64"


def git_workspace(tmp_path: Path) -> tuple[Path, str]:
    """A checkout: the workspace committed, the runner's files (under it here) ignored."""
    ws = workspace(tmp_path, DOCKERFILE, {"hello.txt": f"hello {uuid.uuid4().hex}\n",
                                          "Dockerfile.other": DOCKERFILE,
                                          ".gitignore": "runner/\n"})  # fmt: skip
    return ws, commit_all(ws, "first")


def buildx_logger(stack: Stack, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """``BUILDX_BIN``: the real buildx, each argv logged to a file first."""
    real = buildx_binary(stack.env())
    if not real:
        pytest.skip("no buildx binary to wrap")
    log = tmp_path / f"buildx-{uuid.uuid4().hex[:6]}.log"
    script = tmp_path / f"buildx-{uuid.uuid4().hex[:6]}"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n")
    script.chmod(0o755)
    return {"BUILDX_BIN": str(script)}, log


def builds(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if line.startswith("build ")]


def event(stack: Stack, ws: Path, sha: str, ref: str, inputs: dict[str, str], *,
          extra: dict[str, str] | None = None) -> dict[str, str]:  # fmt: skip
    return runner_env(ws, inputs, github={"GITHUB_REF": ref, "GITHUB_SHA": sha},
                      base=stack.env() | (extra or {}))  # fmt: skip


def release_run(stack: Stack, tmp_path: Path, ws: Path, sha: str, inputs: dict[str, str], *,
                extra: dict[str, str] | None = None) -> tuple[ActionRun, list[str]]:  # fmt: skip
    """The push of tag v1.2.3 at ``sha``, buildx logged: the run, which succeeded, and the
    builds it ran."""
    wrapper, log = buildx_logger(stack, tmp_path)
    run = run_action(event(stack, ws, sha, "refs/tags/v1.2.3", inputs,
                           extra={**wrapper, **(extra or {})}))  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return run, builds(log)


def platform_manifests(reg: Registry, repo: str, reference: str) -> list[str]:
    _, index = reg.manifest(repo, reference)
    return sorted(
        m["digest"] for m in index["manifests"]
        if m.get("annotations", {}).get("vnd.docker.reference.type") != "attestation-manifest"
    )  # fmt: skip


def index_annotations(reg: Registry, repo: str, reference: str) -> dict[str, Any]:
    _, index = reg.manifest(repo, reference)
    return dict(index.get("annotations", {}))


def config_labels(reg: Registry, repo: str, digest: str) -> dict[str, str]:
    _, manifest = reg.manifest(repo, digest)
    config = json.loads(reg.blob(repo, manifest["config"]["digest"]))
    return dict(config["config"].get("Labels") or {})


def main_push(stack: Stack, ws: Path, sha: str, inputs: dict[str, str]) -> ActionRun:
    run = run_action(event(stack, ws, sha, "refs/heads/main", inputs))
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture
def inputs(reg_a: Registry) -> dict[str, str]:
    return {
        "images": f"{reg_a.host}/{repo_name('promote')}",
        "tags": "type=sha\ntype=semver,pattern={{version}}",
        "registry-auth": registry_auth(reg_a),
        "platforms": PLATFORMS,
        "push": "true",
        "promote": "true",
    }


def test_a_release_tag_promotes_the_main_build_under_every_image(
    stack: Stack, reg_a: Registry, reg_b: Registry, tmp_path: Path, inputs: dict[str, str]
) -> None:
    ws, sha = git_workspace(tmp_path)
    repo = inputs["images"].partition("/")[2]
    main_push(stack, ws, sha, inputs)
    sha_tag = f"sha-{sha[:7]}"
    assert reg_a.tags(repo) == [sha_tag]
    built = platform_manifests(reg_a, repo, sha_tag)
    assert len(built) == 2
    earlier = reg_a.manifest_digest(repo, sha_tag)

    # The release also goes to a second registry, which never had the image: it is copied.
    release = {**inputs, "images": f"{reg_a.host}/{repo}\n{reg_b.host}/{repo}",
               "registry-auth": registry_auth(reg_a, reg_b)}  # fmt: skip
    run, release_builds = release_run(stack, tmp_path, ws, sha, release)

    assert release_builds == []  # buildx ran, but never ``build``
    assert f"Promoted from {reg_a.host}/{repo}@{earlier}, not rebuilt" in run.stdout
    assert f"promoted from <code>{reg_a.host}/{repo}@{earlier}</code>, not rebuilt" in run.summary
    digest = run.outputs["digest"]
    assert digest != earlier  # a new index: it carries the release's annotations
    for reg in (reg_a, reg_b):
        assert reg.tags(repo) == sorted(["1.2.3", "latest", sha_tag])
        assert reg.manifest_digest(repo, "1.2.3") == digest
        assert platform_manifests(reg, repo, "1.2.3") == built
        annotations = index_annotations(reg, repo, "1.2.3")
        assert annotations["org.opencontainers.image.version"] == "1.2.3"
        assert annotations["org.opencontainers.image.created"]
        assert json.loads(annotations[FINGERPRINT_KEY])["commit"] == sha
    # Labels inside the image stay those of the build that made it (its version: the sha tag).
    assert config_labels(reg_a, repo, built[0])["org.opencontainers.image.version"] == sha_tag
    assert json.loads(run.outputs["metadata"])["containerimage.digest"] == digest


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"build-args": "FLAVOUR=spicy"}, "build-args", id="build-arg"),
        pytest.param({"target": "other"}, "target", id="target"),
        pytest.param({"platforms": "linux/amd64"}, "platforms", id="platform"),
        pytest.param({"file": "Dockerfile.other"}, "file", id="dockerfile"),
    ],
)
def test_a_changed_build_input_builds_and_names_it(
    stack: Stack, tmp_path: Path, inputs: dict[str, str], change: dict[str, str], named: str
) -> None:
    ws, sha = git_workspace(tmp_path)
    if "target" in change:  # a Dockerfile with that stage, committed before the main push
        for name in ("Dockerfile", "Dockerfile.other"):
            (ws / name).write_text(DOCKERFILE.replace("FROM scratch", "FROM scratch AS other"))
        sha = commit_all(ws, "stage")
    main_push(stack, ws, sha, inputs)
    run, built = release_run(stack, tmp_path, ws, sha, {**inputs, **change})
    assert len(built) == 1
    [line] = [ln for ln in run.stdout.splitlines() if ln.startswith("Not promoting")]
    assert line.endswith(f"it was built with a different {named}"), line


def test_a_missing_earlier_image_builds(
    stack: Stack, tmp_path: Path, inputs: dict[str, str]
) -> None:
    ws, sha = git_workspace(tmp_path)
    run, built = release_run(stack, tmp_path, ws, sha, inputs)
    assert len(built) == 1
    assert f"Not promoting, building: no earlier image ({inputs['images']}:sha-{sha[:7]}: " \
           "not found)" in run.stdout  # fmt: skip


@pytest.mark.parametrize(
    "record",
    ["not json", '{"format":1', '{"format":"1"}', "[]"],
    ids=["text", "cut", "str", "list"],
)
def test_a_record_that_does_not_parse_builds(
    stack: Stack, tmp_path: Path, inputs: dict[str, str], record: str
) -> None:
    ws, sha = git_workspace(tmp_path)
    # An earlier image whose record was written by someone else.
    forged = {**inputs, "promote": "false", "annotations": f"manifest:{FINGERPRINT_KEY}={record}"}
    main_push(stack, ws, sha, forged)
    run, built = release_run(stack, tmp_path, ws, sha, inputs)
    assert len(built) == 1
    assert "its recorded build inputs do not parse" in run.stdout


def test_a_change_in_the_checkout_builds(
    stack: Stack, tmp_path: Path, inputs: dict[str, str]
) -> None:
    ws, sha = git_workspace(tmp_path)
    main_push(stack, ws, sha, inputs)
    (ws / "hello.txt").write_text("changed after the commit\n")
    run, built = release_run(stack, tmp_path, ws, sha, inputs)
    assert len(built) == 1
    assert "the build context is not exactly the commit (changes, another" in run.stdout


def test_a_promoted_image_is_signed_once_and_verifies(
    stack: Stack, reg_a: Registry, tmp_path: Path, inputs: dict[str, str]
) -> None:
    password = "cosign-pw-" + uuid.uuid4().hex
    key, public = key_pair(tmp_path / "keys", password)
    ws, sha = git_workspace(tmp_path)
    main_push(stack, ws, sha, inputs)
    signing = {"sign-key": key, "sign-key-password": password, "sign-tlog": "false"}
    run, built = release_run(stack, tmp_path, ws, sha, {**inputs, **signing},
                             extra={"COSIGN_BIN": COSIGN})  # fmt: skip
    assert built == []
    ref = f"{inputs['images']}@{run.outputs['digest']}"
    assert run.outputs["signed"] == "true"
    assert run.outputs["cosign-verify-command"].splitlines() == [
        f"cosign verify --key cosign.pub --insecure-ignore-tlog=true {ref}"
    ]
    assert verify(stack, tmp_path, reg_a, ref, public) == 0


def clone(ws: Path, where: Path) -> Path:
    """Another job's checkout of the same commit (each job has its own runner files)."""
    subprocess.run(["git", "clone", "-q", str(ws), str(where)], check=True)
    (where / ".gitignore").write_text("runner/\n")  # as committed: the clone is clean
    return where


def test_a_fan_out_release_promotes_the_platform_images_and_the_index(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    """The build jobs of the release find their platform image in the earlier index and
    build nothing; the merge job finds every digest there and promotes that index."""
    ws, sha = git_workspace(tmp_path)
    image = f"{reg_a.host}/{repo_name('promote-fan')}"
    repo = image.partition("/")[2]
    auth = authfile(tmp_path, reg_a)
    common = {"images": image, "tags": "type=sha\ntype=semver,pattern={{version}}",
              "provenance": "false", "cache": "false", "promote": "true"}  # fmt: skip
    pushed = []
    for platform in PLATFORMS.split(","):
        job_ws = clone(ws, tmp_path / f"main-{platform.replace('/', '-')}")
        archive = tmp_path / f"{platform.replace('/', '-')}.tar"
        inputs = {**common, "platforms": platform, "outputs": f"type=oci,dest={archive}"}
        run = run_action(event(stack, job_ws, sha, "refs/heads/main", inputs))
        assert run.returncode == 0, run.stdout + run.stderr
        digest = run.outputs["digest"]
        # This engine cannot push by digest: skopeo does it, as the fan-out tests do.
        subprocess.run(["skopeo", "copy", "--quiet", "--authfile", str(auth),
                        f"oci-archive:{archive}", f"docker://{image}@{digest}"],
                       check=True, capture_output=True, env=stack.env())  # fmt: skip
        pushed.append(digest)
    merging = {"merge": "true", "push": "true", "registry-auth": registry_auth(reg_a)}
    main_merge = {**common, **merging, "digests": ",".join(pushed)}
    run = run_action(event(stack, clone(ws, tmp_path / "main-merge"), sha, "refs/heads/main",
                           main_merge))  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Not promoting, merging: no earlier image" in run.stdout
    earlier = reg_a.manifest_digest(repo, f"sha-{sha[:7]}")

    found = []
    wrapper, log = buildx_logger(stack, tmp_path)
    for platform in PLATFORMS.split(","):
        job_ws = clone(ws, tmp_path / f"tag-{platform.replace('/', '-')}")
        inputs = {**common, "platforms": platform, "push-by-digest": "true", "push": "true",
                  "digests-dir": "digests", "registry-auth": registry_auth(reg_a)}  # fmt: skip
        run = run_action(event(stack, job_ws, sha, "refs/tags/v1.2.3", inputs, extra=wrapper))
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"Promoted from {image}@{earlier}, not rebuilt" in run.stdout
        found += [f"sha256:{p.name}" for p in (job_ws / "digests").iterdir()]
    assert builds(log) == []
    assert sorted(found) == sorted(pushed)
    tag_merge = {**common, **merging, "digests": ",".join(found)}
    run = run_action(event(stack, clone(ws, tmp_path / "tag-merge"), sha, "refs/tags/v1.2.3",
                           tag_merge))  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Promoted from {image}@{earlier}, not rebuilt" in run.stdout
    assert platform_manifests(reg_a, repo, "1.2.3") == sorted(pushed)
    assert index_annotations(reg_a, repo, "1.2.3")["org.opencontainers.image.version"] == "1.2.3"
    assert run.outputs["digest"] == reg_a.manifest_digest(repo, "1.2.3")


def test_without_a_sha_rule_the_main_push_leaves_the_look_up_tag(
    stack: Stack, reg_a: Registry, tmp_path: Path, inputs: dict[str, str]
) -> None:
    ws, sha = git_workspace(tmp_path)
    repo = inputs["images"].partition("/")[2]
    rules = {**inputs, "tags": "type=ref,event=branch\ntype=semver,pattern={{version}}"}
    main_push(stack, ws, sha, rules)
    assert reg_a.tags(repo) == sorted(["main", f"sha-{sha[:7]}"])
    _, built = release_run(stack, tmp_path, ws, sha, rules)
    assert built == []
    assert platform_manifests(reg_a, repo, "1.2.3") == platform_manifests(reg_a, repo, "main")
