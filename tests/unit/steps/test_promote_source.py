"""A promotion's steps. The facts of its source: the Dockerfile is the one buildx reads (a
relative ``file`` from the working directory, not the context), and it is part of what must
be the commit, wherever ``file`` puts it. What the registry is asked, through the fake
runner."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.fakes import FakeRunner
from support.runner import runner_env

from build_push_py import app
from build_push_py.buildx.argv import RunFacts
from build_push_py.errors import CommandError
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.plan import promote as p
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.job import Job
from build_push_py.steps.merge import digest_of, inspect_manifest
from build_push_py.steps.promote import source_facts

SYNTAX = "# syntax=docker/dockerfile:1\nFROM scratch\n"


def _commit(repo: Path) -> str:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.test"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return head.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with a Dockerfile at its root and an ``app`` directory, and the action's
    working directory at its root."""
    root = tmp_path / "ws"
    (root / "app").mkdir(parents=True)
    (root / "Dockerfile").write_text(SYNTAX)
    (root / "app" / "main.txt").write_text("app\n")
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    monkeypatch.chdir(root)
    return root


def _facts(sha: str, context: str, file: str = "") -> p.SourceFacts:
    return source_facts(parse_build_inputs({"context": context, "file": file}), RunFacts(), sha)


def test_a_relative_file_is_read_from_the_working_directory(repo: Path) -> None:
    (repo / "app" / "Dockerfile.prod").write_text("# syntax=docker/dockerfile:1.7\nFROM x\n")
    sha = _commit(repo)
    assert _facts(sha, "app", "app/Dockerfile.prod") == p.SourceFacts(
        sha, True, "docker/dockerfile:1.7"
    )


def test_the_default_dockerfile_is_the_contexts(repo: Path) -> None:
    (repo / "app" / "Dockerfile").write_text("# syntax=other/frontend:2\nFROM x\n")
    sha = _commit(repo)
    assert _facts(sha, "app") == p.SourceFacts(sha, True, "other/frontend:2")


def test_a_changed_dockerfile_outside_the_context_is_not_clean(repo: Path) -> None:
    sha = _commit(repo)
    assert _facts(sha, "app", "Dockerfile") == p.SourceFacts(sha, True, "docker/dockerfile:1")
    (repo / "Dockerfile").write_text(SYNTAX + "RUN true\n")
    assert _facts(sha, "app", "Dockerfile").clean is False
    assert _facts(sha, "app").clean is True  # app's own Dockerfile is not that one


def test_a_checkout_reached_through_a_symlink(repo: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    sha = _commit(repo)
    (tmp_path / "link").symlink_to(repo)
    monkeypatch.chdir(tmp_path / "link")
    assert _facts(sha, "app", "Dockerfile") == p.SourceFacts(sha, True, "docker/dockerfile:1")
    (repo / "Dockerfile").write_text(SYNTAX + "RUN true\n")
    assert _facts(sha, "app", "Dockerfile").clean is False


def test_an_untracked_dockerfile_outside_the_context_is_not_clean(repo: Path) -> None:
    sha = _commit(repo)
    (repo / "Dockerfile.new").write_text(SYNTAX)
    assert _facts(sha, "app", "Dockerfile.new").clean is False


def test_a_dockerfile_outside_the_checkout_is_not_clean(repo: Path, tmp_path: Path) -> None:
    sha = _commit(repo)
    (tmp_path / "Dockerfile.elsewhere").write_text(SYNTAX)
    found = _facts(sha, "app", str(tmp_path / "Dockerfile.elsewhere"))
    assert found == p.SourceFacts(sha, False, "docker/dockerfile:1")
    assert _facts(sha, "app", "../Dockerfile.elsewhere").clean is False


def test_stdin_is_never_clean(repo: Path) -> None:
    """The inputs refuse ``-``; a build of a tarball or Dockerfile on stdin is not the
    checkout's all the same."""
    sha = _commit(repo)
    for context, file in (("-", ""), ("app", "-")):
        build = replace(parse_build_inputs({"context": "app"}), context=context, file=file)
        assert source_facts(build, RunFacts(), sha) == p.SourceFacts(sha, False, "")


@pytest.mark.parametrize(
    "context",
    ["git@github.com:o/r.git#main", "ssh://git@github.com/o/r.git", "https://example.test/c.tar"],
)
def test_a_remote_context_is_not_the_checkout(repo: Path, context: str) -> None:
    sha = _commit(repo)
    assert _facts(sha, context) == p.SourceFacts(sha, False, "")


# -- the registry ---------------------------------------------------------------------------

INSPECT = ["docker", "buildx", "imagetools", "inspect"]
DIGEST = "sha256:" + "1" * 64


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        pytest.param({"stdout": f'{{"digest":"{DIGEST}"}}'}, {"digest": DIGEST}, id="found"),
        pytest.param({"stdout": "not json"}, {}, id="unreadable"),
        pytest.param({"stdout": "[1]"}, {}, id="not-an-object"),
        pytest.param({"returncode": 1, "stderr": "ERROR: reg/app:x: not found"}, None,
                     id="not-found"),
    ],
)  # fmt: skip
def test_what_an_inspect_finds(answer: dict[str, Any], found: object) -> None:
    runner = FakeRunner().on(INSPECT, **answer)
    assert inspect_manifest(runner, "reg/app:x", {}) == found
    assert inspect_manifest(runner, "reg/app@sha256:1", {}, raw=True) == found
    assert runner.calls[1].argv == [*INSPECT, "--raw", "reg/app@sha256:1"]


def test_an_inspect_that_fails_otherwise_raises() -> None:
    runner = FakeRunner().on(INSPECT, returncode=1, stderr="ERROR: unauthorized")
    with pytest.raises(CommandError, match="imagetools inspect reg/app:x"):
        inspect_manifest(runner, "reg/app:x", {})


def test_the_digest_of_a_tag_just_pushed_is_never_missing() -> None:
    runner = FakeRunner().on(INSPECT, stdout=f'{{"digest":"{DIGEST}"}}')
    assert digest_of(runner, "reg/app:x", {}) == DIGEST
    assert digest_of(FakeRunner().on(INSPECT, stdout="[]"), "reg/app:x", {}) == ""
    missing = FakeRunner().on(INSPECT, returncode=1, stderr="ERROR: not found")
    with pytest.raises(CommandError):
        digest_of(missing, "reg/app:x", {})


# -- the tags of a promotion ----------------------------------------------------------------

A, B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
RULES = "type=semver,pattern={{version}}"  # no type=sha rule: the look-up tag is extra
SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
LOOKUP = f"reg.test/app:sha-{SHA[:7]}"
CREATE = ["docker", "buildx", "imagetools", "create"]
WITH_FORMAT = [*INSPECT, "--format", "{{json .Manifest}}"]


def _index(record: str = "{}") -> str:
    return json.dumps({"digest": DIGEST, "manifests": [{"digest": A}, {"digest": B}],
                       "annotations": {p.FINGERPRINT_KEY: record}})  # fmt: skip


def _run(ws: Path, runner: FakeRunner, ref: str, sha: str = SHA, **more: str) -> str:
    inputs = {"images": "reg.test/app", "tags": RULES, "push": "true", "promote": "true", **more}
    env = runner_env(ws, inputs, github={"GITHUB_SHA": sha, "GITHUB_REF": ref})
    runner.on(["docker", "buildx", "version"], stdout="github.com/docker/buildx v0.29.1 abc\n")
    runner.on(["docker", "buildx", "inspect"], stdout="Name: default\nDriver: docker\n")
    runner.on(["docker", "buildx", "build"])
    runner.on(["docker", "buildx", "imagetools", "create"])
    out = io.StringIO()
    app.run(Job(env, Workflow(env, out=out), runner))
    return out.getvalue()


def _created_tags(runner: FakeRunner) -> list[str]:
    [create] = [c.argv for c in runner.calls if c.argv[:4] == CREATE]
    return [b for a, b in itertools.pairwise(create) if a == "--tag"]


def test_a_merge_job_promotes_with_the_tags_it_would_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    merge = {"merge": "true", "digests": f"{A}\n{B}"}
    merged = FakeRunner().on([*WITH_FORMAT, LOOKUP], returncode=1, stderr="ERROR: not found")
    log = _run(tmp_path, merged.on(INSPECT, stdout=_index()), "refs/tags/v1.2.3", **merge)
    assert "Not promoting, merging: no earlier image" in log
    promoted = FakeRunner().on(INSPECT, stdout=_index())
    log = _run(tmp_path, promoted, "refs/tags/v1.2.3", **merge)
    assert f"Promoted from reg.test/app@{DIGEST}, not rebuilt" in log
    expected = ["reg.test/app:1.2.3", "reg.test/app:latest", LOOKUP]
    assert _created_tags(merged) == _created_tags(promoted) == expected


def test_a_build_job_promotes_with_the_tags_it_would_push(repo: Path) -> None:
    (repo / ".gitignore").write_text("runner/\n")
    sha = _commit(repo)
    first = FakeRunner().on(INSPECT, returncode=1, stderr="ERROR: not found")
    _run(repo, first, "refs/heads/main", sha)
    [build] = [c.argv for c in first.calls if c.argv[:3] == ["docker", "buildx", "build"]]
    [record] = [b.partition("=")[2] for a, b in itertools.pairwise(build)
                if a == "--annotation" and p.FINGERPRINT_KEY in b]  # fmt: skip
    second = FakeRunner().on(INSPECT, stdout=_index(record))
    log = _run(repo, second, "refs/tags/v1.2.3", sha)
    assert f"Promoted from reg.test/app@{DIGEST}, not rebuilt" in log
    expected = ["reg.test/app:1.2.3", "reg.test/app:latest", f"reg.test/app:sha-{sha[:7]}"]
    assert _created_tags(second) == expected


def test_an_image_whose_manifest_does_not_parse_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = FakeRunner().on([*WITH_FORMAT, f"reg.test/bad:sha-{SHA[:7]}"], stdout="garbage")
    log = _run(tmp_path, runner.on(INSPECT, stdout=_index()), "refs/tags/v1.2.3",
               merge="true", digests=A, images="reg.test/bad\nreg.test/app")  # fmt: skip
    assert f"Promoted from reg.test/app@{DIGEST}, not rebuilt" in log
