"""action.yml, the README tables and the workflows: generated files in step, linters clean."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from build_push_py import actionyml
from build_push_py.inputs.table import INPUTS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLE_WORKFLOWS = sorted((ROOT / "examples").glob("*.yml"))


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_action_yml_is_generated_from_the_input_table() -> None:
    assert (ROOT / "action.yml").read_text() == actionyml.render(), (
        "regenerate: python -m build_push_py.actionyml > action.yml"
    )


def test_action_yml_declares_every_input_with_description_and_default() -> None:
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    assert list(doc["inputs"]) == [spec.name for spec in INPUTS]
    for name, spec in doc["inputs"].items():
        assert spec["description"], name
        assert "default" in spec, name
    assert doc["runs"]["using"] == "docker"
    # No post step: the main step removes the credentials and builder it made.
    assert doc["runs"]["entrypoint"] == "/app/entrypoint.py"
    assert "post-entrypoint" not in doc["runs"]


def test_release_action_yml_runs_the_prebuilt_image() -> None:
    image = "docker://ghcr.io/o/build-push-py:1.2.3@sha256:" + "a" * 64
    doc = yaml.safe_load(actionyml.render(image))
    assert doc["runs"]["image"].startswith("docker://ghcr.io/o/build-push-py:1.2.3@sha256:")


def test_readme_tables_are_in_step() -> None:
    assert actionyml.readme_tables() in (ROOT / "README.md").read_text(), (
        "regenerate the README tables: python -m build_push_py.actionyml --readme"
    )


def test_action_yml_passes_the_schema() -> None:
    subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions",
         str(ROOT / "action.yml"), str(ROOT / "examples" / "composite" / "action.yml")],
        check=True,
    )  # fmt: skip


def test_workflows_pass_actionlint() -> None:
    done = subprocess.run(
        [tool("actionlint"), *map(str, WORKFLOWS + EXAMPLE_WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pass_zizmor_with_no_findings() -> None:
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(ROOT / ".github" / "workflows")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _load(path: Path) -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def _jobs(paths: list[Path]) -> list[Any]:
    return [
        pytest.param(_load(path), name, id=f"{path.stem}-{name}")
        for path in paths
        for name in _load(path)["jobs"]
    ]


@pytest.mark.parametrize(("doc", "name"), _jobs(WORKFLOWS + EXAMPLE_WORKFLOWS))
def test_pull_requests_never_get_packages_write(doc: dict[Any, Any], name: str) -> None:
    """A job that can run for a pull request runs the pull request's code: it must not
    hold a token that can publish packages."""
    job = doc["jobs"][name]
    events = set(doc["on"]) if isinstance(doc["on"], dict | list) else {doc["on"]}
    if job.get("permissions", {}).get("packages") != "write":
        return
    condition = str(job.get("if", ""))
    runs_on_pr = bool(events & {"pull_request", "pull_request_target"}) and not re.search(
        r"github\.event_name == '(?!pull_request)\w+'", condition
    )
    assert not runs_on_pr, f"{name} grants packages: write to pull requests"


@pytest.mark.parametrize(("doc", "name"), _jobs(WORKFLOWS))
def test_job_containers_are_pinned_by_digest(doc: dict[Any, Any], name: str) -> None:
    container = doc["jobs"][name].get("container")
    image = container.get("image", "") if isinstance(container, dict) else container or ""
    assert not image or re.search(r"@sha256:[0-9a-f]{64}$", image), image


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in WORKFLOWS])
def test_workflows_install_python_packages_by_hash(path: Path) -> None:
    installs = re.findall(r"pip install[^\n]*", path.read_text())
    assert all("--require-hashes" in line for line in installs), installs


def test_release_commit_keeps_the_token_off_every_command_line(tmp_path: Path) -> None:
    """Any process on the runner can read another's command line: the token goes to git in
    the environment, through a credential helper, never in a URL or an argument."""
    repo, bin_dir, log = tmp_path / "repo", tmp_path / "bin", tmp_path / "calls.jsonl"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "release-commit", repo / "scripts")
    bin_dir.mkdir()
    recorder = (
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + '\\n')\n"
    )
    for name in ("git", "python3"):
        (bin_dir / name).write_text(recorder)
        (bin_dir / name).chmod(0o755)
    token = "ghs_release_token_value"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GH_TOKEN": token, "REPOSITORY": "o/r"}
    subprocess.run(
        ["bash", str(repo / "scripts" / "release-commit"), "ghcr.io/o/r", "1.2.3",
         "sha256:" + "a" * 64],
        env=env, check=True,
    )  # fmt: skip
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c for c in calls if c[0] == "git" and "push" in c]
    assert not [c for c in calls if any(token in arg for arg in c)]

    # The helper handed to git prints the token from the environment when git asks.
    push = next(c for c in calls if "push" in c)
    options = [arg for i, arg in enumerate(push) if i and push[i - 1] == "-c"]
    done = subprocess.run(
        ["git", *(w for o in options for w in ("-c", o)), "credential", "fill"],
        input="protocol=https\nhost=github.com\n\n", capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_TERMINAL_PROMPT": "0",
             "GH_TOKEN": token},
        check=True,
    )  # fmt: skip
    assert f"password={token}" in done.stdout.splitlines()
