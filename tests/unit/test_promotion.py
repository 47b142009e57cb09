"""Release by promotion, the pure parts: the fingerprint, its exact comparison, what is read
from an earlier image, the look-up tag; and a run through a fake runner."""

from __future__ import annotations

import io
import itertools
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.fakes import FakeRunner
from support.git import commit_all
from support.runner import parse_file_commands, runner_env

from build_push_py import app
from build_push_py.context import GitHubContext
from build_push_py.errors import InputError
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.inputs.table import read_raw
from build_push_py.metadata import RepoFacts, parse_inputs
from build_push_py.metadata.meta import sha_tag
from build_push_py.plan import promote as p
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.job import Job

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
FACTS = p.SourceFacts(SHA, True, "docker/dockerfile:1")


def record(raw: dict[str, str], facts: p.SourceFacts = FACTS) -> dict[str, Any]:
    return p.fingerprint(parse_build_inputs(raw), facts)


BASE = {"platforms": "linux/amd64,linux/arm64", "build-args": "A=1"}


def test_the_record_keeps_secret_ids_and_never_their_values() -> None:
    raw = {"secrets": "token=s3cret-value", "secret-envs": "env_id=MY_VAR",
           "secret-files": "file_id=./key.pem", "ssh": "default=/tmp/agent"}  # fmt: skip
    text = p.encode(record(raw))
    assert "s3cret-value" not in text
    found = json.loads(text)
    assert (found["secrets"], found["secret-envs"], found["secret-files"], found["ssh"]) == (
        ["token"], ["env_id"], ["file_id"], ["default"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"build-args": "A=2"}, "build-args", id="build-arg"),
        pytest.param({"target": "release"}, "target", id="target"),
        pytest.param({"platforms": "linux/amd64"}, "platforms", id="platform"),
        pytest.param({"file": "other.Dockerfile"}, "file", id="dockerfile"),
        pytest.param({"context": "sub"}, "context", id="context"),
        pytest.param({"build-contexts": "x=../x"}, "build-contexts", id="build-contexts"),
        pytest.param({"secrets": "other=v"}, "secrets", id="secret-id"),
        pytest.param({"no-cache": "true"}, "no-cache", id="no-cache"),
        pytest.param({"pull": "true"}, "pull", id="pull"),
        pytest.param({"target": "t", "pull": "true"}, "target, pull", id="two"),
    ],
)
def test_a_changed_input_is_named(change: dict[str, str], named: str) -> None:
    earlier = p.encode(record(BASE))
    assert p.difference(record(BASE), earlier) == ""
    assert p.difference(record({**BASE, **change}), earlier) == (
        f"it was built with a different {named}"
    )


@pytest.mark.parametrize(
    ("facts", "named"),
    [
        pytest.param(p.SourceFacts("f" * 40, True, FACTS.frontend), "commit", id="commit"),
        pytest.param(p.SourceFacts(SHA, True, "docker/dockerfile:1.7"), "frontend", id="frontend"),
    ],
)
def test_a_changed_source_is_named(facts: p.SourceFacts, named: str) -> None:
    earlier = p.encode(record(BASE))
    assert p.difference(record(BASE, facts), earlier) == f"it was built with a different {named}"


def test_values_compare_exactly_as_json() -> None:
    ours = record(BASE)
    assert p.difference(ours, p.encode({**ours, "pull": 0})) == "it was built with a different pull"
    assert p.difference(ours, p.encode({**ours, "extra": 1})) == (
        "it was built with a different extra"
    )
    missing = {k: v for k, v in ours.items() if k != "target"}
    assert p.difference(ours, p.encode(missing)) == "it was built with a different target"


@pytest.mark.parametrize(
    "text",
    ["", "not json", '{"format":1', "[]", "1", '{"format":"1"}', '{"format":true}',
     '{"format":2}', '{"commit":"x"}'],
)  # fmt: skip
def test_a_record_that_does_not_parse_is_never_trusted(text: str) -> None:
    assert p.decode(text) is None
    assert p.difference(record(BASE), text) == "its recorded build inputs do not parse"


@pytest.mark.parametrize(
    ("build_args", "dockerfile", "found"),
    [
        pytest.param([], "# syntax=docker/dockerfile:1\nFROM scratch\n", "docker/dockerfile:1"),
        pytest.param([], "# Syntax = x/y:2 \nFROM scratch\n", "x/y:2", id="spaced"),
        pytest.param([], "# escape=`\n# syntax=a/b\nFROM x\n", "a/b", id="after-directive"),
        pytest.param([], "FROM x\n# syntax=a/b\n", "", id="too-late"),
        pytest.param([], "# a comment\n# syntax=a/b\n", "", id="after-comment"),
        pytest.param(["BUILDKIT_SYNTAX=c/d"], "# syntax=a/b\n", "c/d", id="build-arg"),
    ],
)
def test_the_frontend(build_args: list[str], dockerfile: str, found: str) -> None:
    assert p.frontend(build_args, dockerfile) == found


@pytest.mark.parametrize(
    ("raw", "facts", "push", "reason"),
    [
        pytest.param({}, FACTS, True, "", id="promotable"),
        pytest.param({}, FACTS, False, "nothing is pushed", id="no-push"),
        pytest.param(
            {"load": "true"},
            FACTS,
            True,
            "the image goes to load or outputs, which a promotion does not write",
            id="load",
        ),
        pytest.param({"call": "check"}, FACTS, True, "call is check", id="call"),
        pytest.param({}, p.SourceFacts("", True), True, "the run has no commit", id="no-commit"),
        pytest.param(
            {},
            p.SourceFacts(SHA, False),
            True,
            "the build context is not exactly the commit (changes, another checkout, a URL)",
            id="dirty",
        ),
    ],
)
def test_what_can_never_be_promoted(
    raw: dict[str, str], facts: p.SourceFacts, push: bool, reason: str
) -> None:
    build = parse_build_inputs(raw)
    assert p.unpromotable(build, facts, push=push, by_digest=False) == reason


INDEX_DIGEST = "sha256:" + "1" * 64
INDEX: dict[str, Any] = {
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "digest": INDEX_DIGEST,
    "manifests": [
        {"digest": "sha256:" + "a" * 64, "platform": {"os": "linux"}},
        {"digest": "sha256:" + "b" * 64, "platform": {"os": "linux"}},
        {"digest": "sha256:" + "c" * 64, "platform": {"os": "unknown"},
         "annotations": {"vnd.docker.reference.type": "attestation-manifest"}},
    ],
    "annotations": {p.FINGERPRINT_KEY: "{}"},
}  # fmt: skip


def test_an_earlier_index_and_its_platform_manifests() -> None:
    found = p.earlier_image("reg/app", INDEX)
    assert found == p.EarlierImage(
        "reg/app@sha256:" + "1" * 64, "{}", ("sha256:" + "a" * 64, "sha256:" + "b" * 64)
    )
    single = p.earlier_image("reg/app", {"digest": "sha256:" + "2" * 64})
    assert single == p.EarlierImage("reg/app@sha256:" + "2" * 64, "", ("sha256:" + "2" * 64,))
    assert p.earlier_image("reg/app", {"digest": "md5:x"}) is None
    assert p.recorded_on({"annotations": {p.FINGERPRINT_KEY: "r"}}) == "r"
    assert p.recorded_on({}) == ""


def test_the_promoted_index_gets_the_release_annotations_and_the_record() -> None:
    assert p.promoted_annotations(["index:a=1"], "rec") == [
        "index:a=1",
        f"index:{p.FINGERPRINT_KEY}=rec",
    ]
    assert p.promoted_annotations(["index:a=1"], "") == ["index:a=1"]


def _ctx(ref: str) -> GitHubContext:
    return GitHubContext(event_name="push", sha=SHA, ref=ref, repository="o/r")


@pytest.mark.parametrize(
    ("tags", "found"),
    [
        pytest.param("type=sha\ntype=semver,pattern={{version}}", "sha-860c190", id="sha-rule"),
        pytest.param("type=sha,enable={{is_default_branch}}", "sha-860c190", id="disabled-here"),
        pytest.param("type=sha,prefix=commit-,format=long", f"commit-{SHA}", id="long"),
        pytest.param("type=semver,pattern={{version}}", "sha-860c190", id="no-sha-rule"),
    ],
)
def test_the_look_up_tag_is_the_sha_rules_even_where_it_is_off(tags: str, found: str) -> None:
    inp = parse_inputs(read_raw({"INPUT_IMAGES": "reg/app", "INPUT_TAGS": tags}))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert sha_tag(inp, _ctx("refs/tags/v1.2.3"), RepoFacts(), now, {}) == found


# -- a run through a fake runner ------------------------------------------------------------

INSPECT = "Name: default\nDriver: docker\n\nNodes:\nName: default\nStatus: running\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The action runs in the workspace: its context "." is the checkout.
    (tmp_path / "ws").mkdir()
    monkeypatch.chdir(tmp_path / "ws")


def _checkout(tmp_path: Path) -> tuple[Path, str]:
    ws = tmp_path / "ws"
    (ws / "Dockerfile").write_text("# syntax=docker/dockerfile:1\nFROM scratch\n")
    (ws / ".gitignore").write_text("runner/\n")
    return ws, commit_all(ws, "c")


def _run(ws: Path, sha: str, ref: str, inspect: FakeRunner, **more: str) -> tuple[str, Any]:
    inputs = {"images": "reg.test/app", "tags": "type=sha\ntype=semver,pattern={{version}}",
              "push": "true", "promote": "true", **more}  # fmt: skip
    env = runner_env(ws, inputs, github={"GITHUB_SHA": sha, "GITHUB_REF": ref})
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    inspect.on(["docker", "buildx", "version"], stdout="github.com/docker/buildx v0.29.1 abc\n")
    inspect.on(["docker", "buildx", "inspect"], stdout=INSPECT)
    inspect.on(["docker", "buildx", "build"])
    inspect.on(["docker", "buildx", "imagetools", "create"])
    out = io.StringIO()
    app.run(Job(env, Workflow(env, out=out), inspect))
    return out.getvalue(), parse_file_commands(Path(env["GITHUB_OUTPUT"]).read_text())


def _argvs(runner: FakeRunner, *prefix: str) -> list[list[str]]:
    return [c.argv for c in runner.calls if c.argv[: len(prefix)] == list(prefix)]


def test_a_build_records_its_inputs_then_a_release_promotes(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    first = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"], returncode=1,
                            stderr="ERROR: reg.test/app:sha-x: not found")  # fmt: skip
    log, _ = _run(ws, sha, "refs/heads/main", first)
    assert (
        f"Not promoting, building: no earlier image (reg.test/app:sha-{sha[:7]}: not found)" in log
    )
    [build] = _argvs(first, "docker", "buildx", "build")
    recorded = [b for a, b in itertools.pairwise(build) if a == "--annotation"
                and b.startswith(f"manifest:{p.FINGERPRINT_KEY}=")]  # fmt: skip
    assert len(recorded) == 1
    text = recorded[0].partition("=")[2]
    assert json.loads(text)["commit"] == sha
    assert json.loads(text)["frontend"] == "docker/dockerfile:1"

    index = {**INDEX, "annotations": {p.FINGERPRINT_KEY: text}}
    second = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"],
                             stdout=json.dumps(index))  # fmt: skip
    log, outputs = _run(ws, sha, "refs/tags/v1.2.3", second)
    assert _argvs(second, "docker", "buildx", "build") == []
    [create] = _argvs(second, "docker", "buildx", "imagetools", "create")
    assert create[-1] == "reg.test/app@" + INDEX_DIGEST
    tags = [b for a, b in itertools.pairwise(create) if a == "--tag"]
    assert tags == ["reg.test/app:1.2.3", f"reg.test/app:sha-{sha[:7]}", "reg.test/app:latest"]
    annotations = [b for a, b in itertools.pairwise(create) if a == "--annotation"]
    assert "index:org.opencontainers.image.version=1.2.3" in annotations
    assert f"index:{p.FINGERPRINT_KEY}={text}" in annotations
    assert f"Promoted from reg.test/app@{INDEX_DIGEST}, not rebuilt" in log
    assert outputs["digest"] == INDEX_DIGEST  # the fake registry answers every inspect so


def test_a_release_with_another_build_arg_builds_and_says_why(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    earlier = p.encode(p.fingerprint(parse_build_inputs({}), p.SourceFacts(sha, True, "x")))
    index = {**INDEX, "annotations": {p.FINGERPRINT_KEY: earlier}}
    runner = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"],
                             stdout=json.dumps(index))  # fmt: skip
    log, _ = _run(ws, sha, "refs/tags/v1.2.3", runner, **{"build-args": "A=1"})
    assert len(_argvs(runner, "docker", "buildx", "build")) == 1
    lines = [line for line in log.splitlines() if line.startswith("Not promoting")]
    assert lines == [
        f"Not promoting, building: reg.test/app@{INDEX_DIGEST}: it was built with a "
        "different build-args, frontend"
    ]


def test_promote_needs_a_buildx_that_writes_annotations(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    runner = FakeRunner().on(["docker", "buildx", "version"],
                             stdout="github.com/docker/buildx v0.11.2 abc\n")  # fmt: skip
    with pytest.raises(InputError, match="input 'promote': records the build inputs"):
        _run(ws, sha, "refs/heads/main", runner)


def test_a_registry_that_cannot_be_asked_means_a_build(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    runner = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"], returncode=1,
                             stderr="ERROR: unauthorized: authentication required")  # fmt: skip
    log, _ = _run(ws, sha, "refs/tags/v1.2.3", runner)
    assert len(_argvs(runner, "docker", "buildx", "build")) == 1
    [line] = [line for line in log.splitlines() if line.startswith("Not promoting")]
    assert line == (
        "Not promoting, building: the look-up failed: docker buildx imagetools inspect "
        f"reg.test/app:sha-{sha[:7]} (exit 1)"
    )


def test_a_dry_run_says_where_a_run_would_look(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    runner = FakeRunner()
    log, _ = _run(ws, sha, "refs/tags/v1.2.3", runner, **{"dry-run": "true"})
    assert f"Promote: a run first looks for reg.test/app:sha-{sha[:7]} (not in a dry run)" in log
    assert _argvs(runner, "docker", "buildx", "imagetools") == []
    printed = [line for line in log.splitlines() if line.startswith("  docker buildx build")]
    assert f"manifest:{p.FINGERPRINT_KEY}=" in printed[0]


def _facts(context: str = ".", file: str = "") -> p.SourceFacts:
    from build_push_py.buildx.argv import RunFacts  # noqa: PLC0415
    from build_push_py.steps.promote import source_facts  # noqa: PLC0415

    build = parse_build_inputs({"context": context, "file": file})
    run = RunFacts(default_context=f"https://github.com/o/r.git#{SHA}")
    return source_facts(build, run, SHA)


def test_a_clean_checkout_of_the_commit_is_clean(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    from build_push_py.buildx.argv import RunFacts  # noqa: PLC0415
    from build_push_py.steps.promote import source_facts  # noqa: PLC0415

    found = source_facts(parse_build_inputs({}), RunFacts(), sha)
    assert found == p.SourceFacts(sha, True, "docker/dockerfile:1")
    assert source_facts(parse_build_inputs({}), RunFacts(), "f" * 40).clean is False  # not HEAD
    (ws / "new.txt").write_text("untracked\n")
    assert source_facts(parse_build_inputs({}), RunFacts(), sha).clean is False
    (ws / "new.txt").unlink()
    (ws / "Dockerfile").write_text("FROM scratch\n")
    assert source_facts(parse_build_inputs({}), RunFacts(), sha).clean is False


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout another owner")
def test_a_checkout_git_refuses_is_not_clean(tmp_path: Path) -> None:
    """No safe.directory override: git's ownership check stands, and a checkout it refuses
    (another user's, outside the image that declares the job's checkouts safe) builds."""
    ws, sha = _checkout(tmp_path)
    from build_push_py.buildx.argv import RunFacts  # noqa: PLC0415
    from build_push_py.steps.promote import source_facts  # noqa: PLC0415

    for path in [ws, *ws.rglob("*")]:
        os.chown(path, 1001, 1001, follow_symlinks=False)
    assert source_facts(parse_build_inputs({}), RunFacts(), sha).clean is False


def test_a_remote_context_is_the_commit_only_as_the_default_context() -> None:
    assert _facts("{{defaultContext}}").clean is True
    assert _facts("{{defaultContext}}:sub").clean is True
    assert _facts("https://github.com/o/r.git#main").clean is False
    assert _facts(".").clean is False  # the test's working directory is no checkout


def test_without_a_sha_rule_a_build_also_pushes_the_look_up_tag(tmp_path: Path) -> None:
    ws, sha = _checkout(tmp_path)
    rules = {"tags": "type=ref,event=branch\ntype=semver,pattern={{version}}"}
    first = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"], returncode=1,
                            stderr="ERROR: not found")  # fmt: skip
    log, outputs = _run(ws, sha, "refs/heads/main", first, **rules)
    [build] = _argvs(first, "docker", "buildx", "build")
    tags = [b for a, b in itertools.pairwise(build) if a == "--tag"]
    assert tags == ["reg.test/app:main", f"reg.test/app:sha-{sha[:7]}"]
    assert f"promote: no type=sha rule, so also tagging reg.test/app:sha-{sha[:7]}" in log
    assert outputs["tags"] == "reg.test/app:main"  # the computed tags only

    second = FakeRunner().on(["docker", "buildx", "imagetools", "inspect"], returncode=1,
                             stderr="ERROR: not found")  # fmt: skip
    _run(ws, sha, "refs/tags/v1.2.3", second, **rules)
    looked_up = _argvs(second, "docker", "buildx", "imagetools", "inspect")[0][-1]
    assert looked_up == f"reg.test/app:sha-{sha[:7]}"
    # A release's build pushes it too: a later tag of the same commit finds this one.
    [build] = _argvs(second, "docker", "buildx", "build")
    assert f"reg.test/app:sha-{sha[:7]}" in build
