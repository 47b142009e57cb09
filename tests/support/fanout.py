"""The two ends of a fan-out for the integration tests: build jobs that push by digest (an
OCI archive, then skopeo: this engine's docker driver cannot push by digest) and the merge job.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

from stack import Registry, Stack

from support.checks import registry_auth
from support.runner import ActionRun, run_action, runner_env

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"


def job(stack: Stack, ws: Path, inputs: dict[str, str]) -> ActionRun:
    env = runner_env(ws, inputs, github={"GITHUB_SHA": SHA}, base=stack.env())
    return run_action(env)


def authfile(tmp_path: Path, *registries: Registry) -> Path:
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
