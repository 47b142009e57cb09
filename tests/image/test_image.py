"""The action's image, run as GitHub's runner runs a container action, against the stack.

Expected tags follow docker/metadata-action's README: on ``refs/heads/main`` the rule
``type=ref,event=branch`` gives ``main`` and ``type=sha`` gives ``sha-`` and the first seven
hex digits of the commit; the version output is the tag of the highest-priority rule (branch
600 over sha 100).
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from image.action_image import (
    CONTAINER_DIRS,
    ActionImage,
    RunnerDirs,
    container_env,
    run_container_action,
)
from stack import Registry, Stack
from support.runner import ActionRun

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
# The runner starts the main and post steps with the entry points action.yml names.
RUNS = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())["runs"]


def push_event(dirs: RunnerDirs) -> None:
    payload = {
        "ref": "refs/heads/main",
        "after": SHA,
        "head_commit": {"id": SHA, "timestamp": "2024-01-10T00:30:00Z"},
        "repository": {"name": "hello-world", "full_name": "octo-org/hello-world",
                       "default_branch": "main"},
    }  # fmt: skip
    (dirs.workflow / "event.json").write_text(json.dumps(payload))


def scratch_project(workspace: Path) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "hello.txt").write_text("hello from the action image\n")
    (workspace / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")


def pushed_config(reg: Registry, repo: str, tag: str) -> dict[str, object]:
    """What skopeo (not our code) reads from the registry: digest and labels of the image."""
    done = subprocess.run(
        ["skopeo", "inspect", "--creds", f"{reg.user}:{reg.password}",
         f"docker://{reg.host}/{repo}:{tag}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


def describe(run: ActionRun) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"


def test_build_push_and_post_step_in_the_image(
    stack: Stack, reg_a: Registry, action_image: ActionImage, tmp_path: Path
) -> None:
    dirs = RunnerDirs.make(tmp_path / "runner", tmp_path / "workspace")
    scratch_project(dirs.workspace)
    push_event(dirs)
    repo = f"image-test/scratch-{uuid.uuid4().hex[:10]}"
    image = f"{reg_a.host}/{repo}"
    inputs = {
        "images": image,
        "tags": "type=ref,event=branch\ntype=sha",
        "registry": reg_a.host,
        "username": reg_a.user,
        "password": reg_a.password,
        # push stays `auto`: a push event on GitHub pushes
    }
    env = container_env(inputs, step="main")

    main = run_container_action(stack, action_image.ref, dirs, env, entrypoint=RUNS["entrypoint"])

    assert main.returncode == 0, describe(main)
    assert main.outputs["tags"].split("\n") == [f"{image}:main", f"{image}:sha-{SHA[:7]}"]
    assert main.outputs["version"] == "main"
    digest = main.outputs["digest"]
    assert digest.startswith("sha256:")
    assert main.outputs["imageid"].startswith("sha256:")
    assert json.loads(main.outputs["metadata"])["containerimage.digest"] == digest
    assert reg_a.tags(repo) == ["main", f"sha-{SHA[:7]}"]
    assert reg_a.manifest_digest(repo, "main") == digest
    assert reg_a.manifest_digest(repo, f"sha-{SHA[:7]}") == digest
    labels = pushed_config(reg_a, repo, "main")["Labels"]
    assert isinstance(labels, dict)
    assert labels["org.opencontainers.image.revision"] == SHA
    assert labels["org.opencontainers.image.version"] == "main"
    assert f"org.opencontainers.image.revision={SHA}" in main.outputs["labels"].split("\n")
    # `::add-mask::` is the one line that must carry the password: the runner hides it then.
    visible = [ln for ln in main.everything.splitlines() if not ln.startswith("::add-mask")]
    assert not [ln for ln in visible if reg_a.password in ln]
    # The credentials live in a Docker config of the action's own, under RUNNER_TEMP.
    config_dir = dirs.runner_temp / Path(main.state["docker_config"]).relative_to(
        CONTAINER_DIRS["runner_temp"]
    )
    auths = json.loads((config_dir / "config.json").read_text())["auths"]
    assert list(auths) == [reg_a.host]

    post_env = container_env(inputs, step="post") | {f"STATE_{k}": v for k, v in main.state.items()}
    post = run_container_action(
        stack, action_image.ref, dirs, post_env, entrypoint=RUNS["post-entrypoint"]
    )

    assert post.returncode == 0, describe(post)
    assert not config_dir.exists()
    # The post step only cleans up: no second build or push (it would carry a new creation
    # time, hence a new digest), no outputs.
    assert post.outputs == {}
    assert reg_a.manifest_digest(repo, "main") == digest


def test_bad_input_fails_with_an_error_line(
    stack: Stack, action_image: ActionImage, tmp_path: Path
) -> None:
    dirs = RunnerDirs.make(tmp_path / "runner", tmp_path / "workspace")
    push_event(dirs)
    env = container_env({"images": "example/app", "push": "maybe"}, step="main")

    run = run_container_action(stack, action_image.ref, dirs, env)

    assert run.returncode == 1, describe(run)
    assert any("push" in line and "maybe" in line for line in run.errors()), describe(run)
    assert "Traceback" not in run.stderr
