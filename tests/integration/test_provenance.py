"""The default provenance attestation on a real push, read back through the registry's API:
``mode=max`` for a public repository, ``mode=min,inline-only=true`` for a private one (the
event payload's ``repository.private``); and why the classic image store gets none.

Debian's dockerd does not stamp the BuildKit version it carries: its docker driver reports
``v0.0.0+unknown``, which upstream's rule (a ``-moby`` BuildKit >= 0.11 on every node) reads
as too old, so neither docker/build-push-action nor this action would add a provenance
attestation there. These tests run buildx through a wrapper (``BUILDX_BIN``) that reports
the version a Docker release of the same engine reports; everything else is the real
buildx, BuildKit and registry.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.checks import assert_no_secret, attestations, repo_name, workspace
from support.runner import ActionRun, run_action, runner_env

from build_push_py.plan.plan import NO_PROVENANCE_ON_DOCKER_DRIVER

pytestmark = pytest.mark.integration

BUILDX = "/usr/libexec/docker/cli-plugins/docker-buildx"
# A version as a Docker release reports it; the rule only asks for -moby and >= 0.11.
BUILDKIT = "v0.25.1-moby"
BUILDER_ID = "https://github.com/octo-org/hello-world/actions/runs/123456789/attempts/1"
SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"  # support.runner's GITHUB_SHA
PROVENANCE = "https://slsa.dev/provenance/v0.2"
SOURCE_METADATA = "https://mobyproject.org/buildkit@v1#metadata"
SCRATCH = "FROM scratch\nCOPY hello.txt /\n"


@pytest.fixture(scope="module")
def buildx_bin(tmp_path_factory: pytest.TempPathFactory) -> str:
    """buildx, with ``inspect`` reporting a stamped BuildKit version (see the docstring)."""
    wrapper = tmp_path_factory.mktemp("buildx") / "buildx"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import os, subprocess, sys\n"
        f"BUILDX = {BUILDX!r}\n"
        "if sys.argv[1:2] != ['inspect']:\n"
        "    os.execv(BUILDX, [BUILDX, *sys.argv[1:]])\n"
        "done = subprocess.run([BUILDX, *sys.argv[1:]], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout.replace('BuildKit version: v0.0.0+unknown',"
        f" 'BuildKit version: {BUILDKIT}'))\n"
        "sys.stderr.write(done.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def login(reg: Registry) -> dict[str, str]:
    return {"registry": reg.host, "username": reg.user, "password": reg.password}


def _push(
    stack: Stack, reg: Registry, tmp_path: Path, dockerfile: str, *, private: bool,
    env: dict[str, str],
) -> tuple[str, ActionRun]:  # fmt: skip
    repo = repo_name("private" if private else "public")
    ws = workspace(tmp_path, dockerfile, {"hello.txt": "hi\n"})
    run_env = runner_env(
        ws,
        {"images": f"{reg.host}/{repo}", "tags": "type=raw,value=v1", "push": "true",
         **login(reg)},
        payload={"repository": {"private": private, "full_name": "octo-org/hello-world"}},
        base=stack.env() | env,
    )  # fmt: skip
    run = run_action(run_env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert_no_secret(run, reg.password)
    return repo, run


# (payload private, the attest the default adds, what mode=max adds to the predicate)
MODES = [
    pytest.param(False, "mode=max", True, id="public-max"),
    pytest.param(True, "mode=min,inline-only=true", False, id="private-min"),
]


@pytest.mark.parametrize(("private", "mode", "full"), MODES)
def test_default_provenance_read_back(  # noqa: PLR0917 - fixtures and parametrized columns
    stack: Stack, reg_a: Registry, base_image: str, buildx_bin: str, tmp_path: Path,
    private: bool, mode: str, full: bool,
) -> None:  # fmt: skip
    dockerfile = f"FROM {base_image}\nRUN echo built > /built.txt\nCOPY hello.txt /\n"
    repo, run = _push(stack, reg_a, tmp_path, dockerfile, private=private,
                      env={"BUILDX_BIN": buildx_bin})  # fmt: skip
    assert f"--attest type=provenance,{mode},builder-id={BUILDER_ID}" in run.stdout

    _, index = reg_a.manifest(repo, "v1")
    images = [m["digest"] for m in index["manifests"] if m["platform"]["os"] == "linux"]
    found = attestations(reg_a, repo, "v1")
    assert list(found) == images  # one attestation manifest, for the one image
    (statement,) = found[images[0]]
    assert statement["_type"] == "https://in-toto.io/Statement/v0.1"
    assert statement["predicateType"] == PROVENANCE
    assert [s["digest"] for s in statement["subject"]] == [
        {"sha256": images[0].removeprefix("sha256:")}
    ]
    predicate = statement["predicate"]
    assert predicate["builder"] == {"id": BUILDER_ID}
    base, _, tag = base_image.rpartition(":")
    assert [m["uri"] for m in predicate["materials"]] == [
        f"pkg:docker/{base}@{tag}?platform=linux%2Famd64"
    ]
    # mode=max: the build's LLB, its arguments (the computed labels), source map and layers
    assert ("buildConfig" in predicate) is full
    run_steps = [
        step["op"]["Op"]["exec"]["meta"]["args"]
        for step in predicate.get("buildConfig", {}).get("llbDefinition", [])
        if "exec" in step["op"]["Op"]
    ]
    assert run_steps == ([["/bin/sh", "-c", "echo built > /built.txt"]] if full else [])
    args = predicate["invocation"]["parameters"].get("args", {})
    assert args.get("label:org.opencontainers.image.revision") == (SHA if full else None)
    metadata = predicate["metadata"]
    assert metadata["completeness"] == {"parameters": full, "environment": True,
                                        "materials": False}  # fmt: skip
    assert sorted(metadata[SOURCE_METADATA]) == (["layers", "source"] if full else [])


def test_classic_store_gets_no_default_provenance(
    stack: Stack, reg_a: Registry, buildx_bin: str, classic_host: str, tmp_path: Path
) -> None:
    env = {"BUILDX_BIN": buildx_bin, "DOCKER_HOST": classic_host}
    # What upstream's rule would add here, buildx refuses on the classic image store ...
    direct = tmp_path / "direct"
    direct.mkdir()
    ws = workspace(direct, SCRATCH, {"hello.txt": "x\n"})
    refused = subprocess.run(
        [buildx_bin, "build", "--attest", f"type=provenance,mode=max,builder-id={BUILDER_ID}",
         str(ws)],
        env=stack.env() | env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "Attestation is not supported for the docker driver" in refused.stderr

    # ... so the action leaves it out, says why, and the push goes through.
    repo, run = _push(stack, reg_a, tmp_path, SCRATCH, private=False, env=env)
    build_lines = [line for line in run.stdout.splitlines() if "buildx build" in line]
    assert build_lines, run.stdout
    assert all("--attest" not in line for line in build_lines)
    assert NO_PROVENANCE_ON_DOCKER_DRIVER in run.stdout
    assert reg_a.tags(repo) == ["v1"]
    assert attestations(reg_a, repo, "v1") == {}
