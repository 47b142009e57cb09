"""The action in workflows run by act, as a `uses: ./` step and through a composite wrapper.

The repository copy's action.yml is the release form (``image: docker://...``), so these runs
also check that form. Under act (``ACT=true``) ``push: auto`` must not push; ``push: true``
must. Expected tags follow docker/metadata-action's README: ``type=ref,event=branch`` gives the
branch, ``type=semver`` the version (``{{major}}.{{minor}}`` its first two parts), ``type=sha``
``sha-`` and seven hex digits (``format=long``: all of them), and ``latest=auto`` adds
``latest`` on a semver tag.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from act.act_support import ActRun, make_repo, run_act
from image.action_image import PYTHON_BASE, ActionImage
from stack import Registry, Stack

pytestmark = [pytest.mark.integration, pytest.mark.act]

EXAMPLE_COMPOSITE = Path(__file__).resolve().parents[2] / "examples" / "composite" / "action.yml"


def push_event(ref: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "repository": {"name": "hello-world", "full_name": "octo-org/hello-world",
                       "default_branch": "main"},
    }  # fmt: skip


def checked(run: ActRun) -> ActRun:
    assert run.returncode == 0, run.log[-6000:]
    print(f"act run: {run.seconds:.1f}s")
    return run


def repo_name(kind: str) -> str:
    return f"act-test/{kind}-{uuid.uuid4().hex[:10]}"


def build_env(reg: Registry, repo: str, push: str) -> dict[str, str]:
    return {"BPP_REGISTRY": reg.host, "BPP_USER": reg.user, "BPP_REPO": repo, "BPP_PUSH": push}


def test_push_event_with_push_auto_builds_but_does_not_push(
    stack: Stack, act: Path, action_image: ActionImage, reg_a: Registry, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", action_image.ref)
    name = repo_name("branch")
    image = f"{reg_a.host}/{name}"

    run = checked(
        run_act(
            stack, act, repo, "build.yml",
            event=push_event("refs/heads/main"),
            job_image=PYTHON_BASE,
            env=build_env(reg_a, name, "auto"),
            secrets={"BPP_PASSWORD": reg_a.password},
        )
    )  # fmt: skip

    outputs = run.outputs()
    sha = run.read("sha")
    assert outputs["tags"].split("\n") == [f"{image}:main", f"{image}:sha-{sha[:7]}"]
    assert outputs["version"] == "main"
    assert run.read("env-version") == "main"
    assert outputs["imageid"].startswith("sha256:")
    assert reg_a.tags(name) == []
    assert reg_a.password not in run.log


def test_tag_event_with_push_true_pushes(
    stack: Stack, act: Path, action_image: ActionImage, reg_a: Registry, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", action_image.ref)
    name = repo_name("tag")

    run = checked(
        run_act(
            stack, act, repo, "build.yml",
            event=push_event("refs/tags/v1.2.3"),
            job_image=PYTHON_BASE,
            env=build_env(reg_a, name, "true"),
            secrets={"BPP_PASSWORD": reg_a.password},
        )
    )  # fmt: skip

    outputs = run.outputs()
    short = f"sha-{run.read('sha')[:7]}"
    expected = sorted(["1.2.3", "1.2", short, "latest"])
    assert sorted(outputs["tag-names"].split("\n")) == expected
    assert outputs["version"] == "1.2.3"
    assert reg_a.tags(name) == expected
    digest = outputs["digest"]
    assert digest.startswith("sha256:")
    assert {reg_a.manifest_digest(name, tag) for tag in expected} == {digest}


def adapted_composite(reg: Registry) -> str:
    """examples/composite with the test registry in place of ghcr.io, the action from the
    workspace (``uses: ./``) and the small test project as the build context."""
    doc = yaml.safe_load(EXAMPLE_COMPOSITE.read_text())
    step = doc["runs"]["steps"][0]
    assert step["uses"].startswith("org/build-push-py@"), "examples/composite changed shape"
    step["uses"] = "./"
    step["with"] |= {
        "registry": reg.host,
        "username": reg.user,
        "images": step["with"]["images"].replace("ghcr.io", reg.host),
        "context": "tests/act/project",
    }
    return yaml.safe_dump(doc, sort_keys=False)


def test_composite_wrapper_passes_inputs_and_outputs(
    stack: Stack, act: Path, action_image: ActionImage, reg_a: Registry, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", action_image.ref)
    wrapper = repo / ".github" / "actions" / "team-image" / "action.yml"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(adapted_composite(reg_a))
    name = repo_name("composite")
    image = f"{reg_a.host}/{name}"

    run = checked(
        run_act(
            stack, act, repo, "composite.yml",
            event=push_event("refs/heads/main"),
            job_image=PYTHON_BASE,
            env={"BPP_REPO": name},
            secrets={"BPP_PASSWORD": reg_a.password},
        )
    )  # fmt: skip

    outputs = run.outputs()
    sha = run.read("sha")
    # act also shows the inner step's outputs on the wrapper's step (GitHub shows only the
    # declared ones): https://github.com/nektos/act/issues/2184. Check the declared ones.
    assert outputs["tags"].split("\n") == [f"{image}:main", f"{image}:sha-{sha}"]
    assert outputs["version"] == "main"
    # `push: 'true'` went in through the wrapper: the image is in the registry.
    assert reg_a.tags(name) == sorted(["main", f"sha-{sha}"])
    assert reg_a.manifest_digest(name, "main") == outputs["digest"]
