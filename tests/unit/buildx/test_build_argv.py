"""The build argv against docker/build-push-action v7.3's own argv table
(``__tests__/context.test.ts``): same inputs and buildx version, same argv.

Upstream's fixtures: repository docker/build-push-action (private, from the event payload),
run 123456789 attempt 1, ref refs/heads/master and no commit sha, a docker-container builder
with BuildKit v0.11.0. The argv comes from the real plan (``make_plan`` then ``Plan.argv``),
so the default git context, the token's secret id and the provenance rule are the run's.
Upstream names every temporary secret file ``.tmpname-vi``; ours are numbered. Upstream's
default context is the git context; ours is ``.``, so cases without a ``context`` ask for
``{{defaultContext}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from build_push_py.buildx.argv import (
    TOKEN_FILE_KEY,
    has_exporter_type,
    merge_pairs,
    redact_argv,
    workflow_run_url,
)
from build_push_py.buildx.builder import BuilderInfo, BuilderNode
from build_push_py.buildx.version import BuildxVersion
from build_push_py.context import from_env
from build_push_py.errors import InputError
from build_push_py.inputs.attributes import Attributes
from build_push_py.inputs.table import read_raw
from build_push_py.metadata import Meta
from build_push_py.plan.inputs import parse
from build_push_py.plan.plan import Plan, make_plan
from build_push_py.runner.env import RunnerEnv

TMP = "/tmp/.docker-build-push-vi"
IIDFILE = f"{TMP}/iidfile"
METADATA = f"{TMP}/metadata.json"


def secret(number: int) -> str:
    return f"{TMP}/secret-{number}"


GIT_CONTEXT = "https://github.com/docker/build-push-action.git#refs/heads/master"
BUILDER_ID = "https://github.com/docker/build-push-action/actions/runs/123456789/attempts/1"
FIXTURE_ENV = {
    "GITHUB_REPOSITORY": "docker/build-push-action",
    "GITHUB_REF": "refs/heads/master",
    "GITHUB_RUN_ID": "123456789",
    "GITHUB_RUN_ATTEMPT": "1",
}
PRIVATE: Mapping[str, Any] = {"repository": {"private": True}}
BUILDER2 = BuilderInfo(
    name="builder2",
    driver="docker-container",
    nodes=(BuilderNode(name="builder20", buildkit="v0.11.0"),),
)
OFF = {"load": "false", "no-cache": "false", "push": "false", "pull": "false"}
DEFAULT_PROVENANCE = f"type=provenance,mode=min,inline-only=true,builder-id={BUILDER_ID}"
TOKEN_SECRET = f"id=GIT_AUTH_TOKEN.github.com,src={secret(1)}"


def upstream_plan(
    version: str,
    raw: Mapping[str, str],
    *,
    env: Mapping[str, str] | None = None,
    payload: Mapping[str, Any] = PRIVATE,
    info: BuilderInfo = BUILDER2,
    labels: tuple[str, ...] = (),
    annotations: tuple[str, ...] = (),
) -> Plan:
    inputs = {"context": "{{defaultContext}}", **raw}
    tags = inputs.pop("tags", "")
    run_env = {**FIXTURE_ENV, **(env or {})}
    inp = parse(read_raw({f"INPUT_{name.upper()}": value for name, value in inputs.items()}))
    meta = Meta(
        version="", partial=(), latest=False, images=(),
        tags=tuple(t.strip() for t in tags.split(",") if t.strip()), tag_names=(),
        # the metadata holds the user's labels (rendered; these rows have no expressions)
        labels=labels or tuple(t.source for t in inp.meta.labels),
        annotations=annotations, annotation_levels=(), warnings=(),
    )  # fmt: skip
    ctx = replace(from_env(run_env), payload=payload)
    return make_plan(inp, ctx, meta, RunnerEnv.from_env(run_env), buildx=BuildxVersion.of(version),
                     info=info)  # fmt: skip


def upstream_argv(version: str, raw: Mapping[str, str], **kwargs: Any) -> list[str]:
    plan = upstream_plan(version, raw, **kwargs)
    return plan.argv(plan.files(TMP), plan.builder.name)


# (id, buildx version, inputs, expected argv after "docker buildx") -- upstream cases by number.
CASES = [
    pytest.param(
        "0.4.1", {"context": ".", **OFF}, ["build", "--iidfile", IIDFILE, "."], id="00-path-context"
    ),
    pytest.param(
        "0.4.2",
        {"build-args": 'MY_ARG=val1,val2,val3\nARG=val\n"MULTILINE=aaaa\nbbbb\nccc"', **OFF},
        [
            "build",
            "--build-arg", "MY_ARG=val1,val2,val3",
            "--build-arg", "ARG=val",
            "--build-arg", "MULTILINE=aaaa\nbbbb\nccc",
            "--iidfile", IIDFILE,
            GIT_CONTEXT,
        ],
        id="01-build-args-commas-and-multiline",
    ),
    pytest.param(
        "0.4.2",
        {"tags": "name/app:7.4, name/app:latest", **OFF},
        ["build", "--iidfile", IIDFILE, "--tag", "name/app:7.4", "--tag", "name/app:latest",
         GIT_CONTEXT],
        id="02-tags",
    ),
    pytest.param(
        "0.4.2",
        {
            "context": ".",
            "labels": "org.opencontainers.image.title=buildkit\norg.opencontainers.image."
            "description=concurrent, cache-efficient, and Dockerfile-agnostic builder toolkit",
            "outputs": "type=local,dest=./release-out",
            **OFF,
        },
        [
            "build",
            "--label", "org.opencontainers.image.title=buildkit",
            "--label", "org.opencontainers.image.description=concurrent, cache-efficient, and "
            "Dockerfile-agnostic builder toolkit",
            "--output", "type=local,dest=./release-out",
            ".",
        ],
        id="03-labels-local-output-no-iidfile",
    ),
    pytest.param(
        "0.4.1",
        {"context": ".", "platforms": "linux/amd64,linux/arm64", **OFF},
        ["build", "--platform", "linux/amd64,linux/arm64", "."],
        id="04-platforms-old-buildx-no-iidfile",
    ),
    pytest.param(
        "0.4.2",
        {"context": ".", "secrets": "GIT_AUTH_TOKEN=abcdefghijklmno=0123456789", **OFF},
        ["build", "--iidfile", IIDFILE, "--secret", f"id=GIT_AUTH_TOKEN,src={secret(1)}", "."],
        id="06-secret",
    ),
    pytest.param(
        "0.4.2",
        {"github-token": "abcdefghijklmno0123456789", "outputs": ".", **OFF},
        ["build", "--output", ".", "--secret", TOKEN_SECRET, GIT_CONTEXT],
        id="07-github-token-git-context",
    ),
    pytest.param(
        "0.4.2",
        {
            "context": GIT_CONTEXT,
            "platforms": "linux/amd64,linux/arm64",
            "secrets": "GIT_AUTH_TOKEN=abcdefghijklmno=0123456789",
            "file": "./test/Dockerfile",
            "builder": "builder-git-context-2",
            **OFF,
            "push": "true",
        },
        [
            "build",
            "--file", "./test/Dockerfile",
            "--iidfile", IIDFILE,
            "--platform", "linux/amd64,linux/arm64",
            "--secret", f"id=GIT_AUTH_TOKEN,src={secret(1)}",
            "--builder", "builder-git-context-2",
            "--push",
            GIT_CONTEXT,
        ],
        id="08-push-builder-file",
    ),
    pytest.param(
        "0.4.2",
        {
            "context": GIT_CONTEXT,
            "platforms": "linux/amd64,linux/arm64",
            "secrets": 'GIT_AUTH_TOKEN=abcdefghi,jklmno=0123456789\n"MYSECRET=aaaaaaaa\nbbbbbbb\n'
            'ccccccccc"\nFOO=bar\n"EMPTYLINE=aaaa\n\nbbbb\nccc"',
            "file": "./test/Dockerfile",
            "builder": "builder-git-context-2",
            **OFF,
            "push": "true",
        },
        [
            "build",
            "--file", "./test/Dockerfile",
            "--iidfile", IIDFILE,
            "--platform", "linux/amd64,linux/arm64",
            "--secret", f"id=GIT_AUTH_TOKEN,src={secret(1)}",
            "--secret", f"id=MYSECRET,src={secret(2)}",
            "--secret", f"id=FOO,src={secret(3)}",
            "--secret", f"id=EMPTYLINE,src={secret(4)}",
            "--builder", "builder-git-context-2",
            "--push",
            GIT_CONTEXT,
        ],
        id="09-quoted-multiline-secrets",
    ),
    pytest.param(
        "0.5.1",
        {
            "context": GIT_CONTEXT,
            # passed by its own path, as upstream does since v7.1
            "secret-files": "MY_SECRET=/fixtures/secret.txt",
            "file": "./test/Dockerfile",
            "builder": "builder-git-context-2",
            "network": "host",
            **OFF,
            "push": "true",
        },
        [
            "build",
            "--file", "./test/Dockerfile",
            "--iidfile", IIDFILE,
            "--secret", "id=MY_SECRET,src=/fixtures/secret.txt",
            "--builder", "builder-git-context-2",
            "--network", "host",
            "--push",
            GIT_CONTEXT,
        ],
        id="11-secret-files-network",
    ),
    pytest.param(
        "0.4.2",
        {
            "context": ".",
            "labels": "org.opencontainers.image.title=filter_results_top_n\norg.opencontainers."
            'image.description=Reference implementation of operation "filter results (top-n)"',
            "outputs": "type=local,dest=./release-out",
            **OFF,
        },
        [
            "build",
            "--label", "org.opencontainers.image.title=filter_results_top_n",
            "--label", 'org.opencontainers.image.description=Reference implementation of '
            'operation "filter results (top-n)"',
            "--output", "type=local,dest=./release-out",
            ".",
        ],
        id="12-quotes-inside-a-label",
    ),
    pytest.param(
        "0.6.0",
        {
            "context": ".",
            "file": "./test/Dockerfile",
            "add-hosts": "docker:10.180.0.1,foo:10.0.0.1",
            "network": "host",
            **OFF,
            "push": "true",
        },
        [
            "build",
            "--add-host", "docker:10.180.0.1",
            "--add-host", "foo:10.0.0.1",
            "--file", "./test/Dockerfile",
            "--iidfile", IIDFILE,
            "--metadata-file", METADATA,
            "--network", "host",
            "--push",
            ".",
        ],
        id="13-add-hosts-csv-metadata-file",
    ),
    pytest.param(
        "0.7.0",
        {
            "context": ".",
            "file": "./test/Dockerfile",
            "add-hosts": "docker:10.180.0.1\nfoo:10.0.0.1",
            "cgroup-parent": "foo",
            "shm-size": "2g",
            "ulimit": "nofile=1024:1024\nnproc=3",
            **OFF,
        },
        [
            "build",
            "--add-host", "docker:10.180.0.1",
            "--add-host", "foo:10.0.0.1",
            "--cgroup-parent", "foo",
            "--file", "./test/Dockerfile",
            "--iidfile", IIDFILE,
            "--shm-size", "2g",
            "--ulimit", "nofile=1024:1024",
            "--ulimit", "nproc=3",
            "--metadata-file", METADATA,
            ".",
        ],
        id="14-cgroup-shm-ulimit",
    ),
    pytest.param(
        "0.7.0",
        {"context": "{{defaultContext}}:docker", **OFF},
        ["build", "--iidfile", IIDFILE, "--metadata-file", METADATA, f"{GIT_CONTEXT}:docker"],
        id="15-default-context-subdir",
    ),
    pytest.param(
        "0.8.2",
        {"github-token": "abcdefghijklmno0123", "context": "{{defaultContext}}:subdir", **OFF},
        [
            "build",
            "--iidfile", IIDFILE,
            "--secret", TOKEN_SECRET,
            "--metadata-file", METADATA,
            f"{GIT_CONTEXT}:subdir",
        ],
        id="16-github-token-default-context-subdir",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF},
        ["build", "--iidfile", IIDFILE, "--attest", DEFAULT_PROVENANCE, "--metadata-file",
         METADATA, "."],
        id="18-default-provenance-private-repo",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "provenance": "true"},
        ["build", "--iidfile", IIDFILE, "--attest", f"type=provenance,builder-id={BUILDER_ID}",
         "--metadata-file", METADATA, "."],
        id="19-provenance-true",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "provenance": "mode=max"},
        ["build", "--iidfile", IIDFILE, "--attest",
         f"type=provenance,mode=max,builder-id={BUILDER_ID}", "--metadata-file", METADATA, "."],
        id="20-provenance-mode-max",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "provenance": "false"},
        ["build", "--iidfile", IIDFILE, "--attest", "type=provenance,disabled=true",
         "--metadata-file", METADATA, "."],
        id="21-provenance-false",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "provenance": "builder-id=foo"},
        ["build", "--iidfile", IIDFILE, "--attest", "type=provenance,builder-id=foo",
         "--metadata-file", METADATA, "."],
        id="22-provenance-own-builder-id",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "outputs": "type=docker"},
        ["build", "--iidfile", IIDFILE, "--output", "type=docker", "--metadata-file", METADATA,
         "."],
        id="23-docker-output-no-default-provenance",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", **OFF, "load": "true"},
        ["build", "--iidfile", IIDFILE, "--load", "--metadata-file", METADATA, "."],
        id="24-load-no-default-provenance",
    ),
    pytest.param(
        "0.10.0",
        {"context": ".", "build-args": "FOO=bar#baz", **OFF, "load": "true"},
        ["build", "--build-arg", "FOO=bar#baz", "--iidfile", IIDFILE, "--load",
         "--metadata-file", METADATA, "."],
        id="25-hash-is-not-a-comment",
    ),
    pytest.param(
        "0.10.0",
        {
            "context": ".",
            **OFF,
            "load": "true",
            "secret-envs": "MY_SECRET=MY_SECRET_ENV\nANOTHER_SECRET=ANOTHER_SECRET_ENV",
        },
        [
            "build",
            "--secret", "id=MY_SECRET,env=MY_SECRET_ENV",
            "--secret", "id=ANOTHER_SECRET,env=ANOTHER_SECRET_ENV",
            "--iidfile", IIDFILE,
            "--load",
            "--metadata-file", METADATA,
            ".",
        ],
        id="26-secret-envs-lines",
    ),
    pytest.param(
        "0.10.0",
        {
            "context": ".",
            **OFF,
            "load": "true",
            "secret-envs": "MY_SECRET=MY_SECRET_ENV,ANOTHER_SECRET=ANOTHER_SECRET_ENV",
        },
        [
            "build",
            "--secret", "id=MY_SECRET,env=MY_SECRET_ENV",
            "--secret", "id=ANOTHER_SECRET,env=ANOTHER_SECRET_ENV",
            "--iidfile", IIDFILE,
            "--load",
            "--metadata-file", METADATA,
            ".",
        ],
        id="27-secret-envs-csv",
    ),
    pytest.param(
        "0.12.0",
        {
            "context": ".",
            "annotations": "example1=www\nindex:example2=xxx\nmanifest:example3=yyy\n"
            "manifest-descriptor[linux/amd64]:example4=zzz",
            "outputs": "type=local,dest=./release-out",
            **OFF,
        },
        [
            "build",
            # example1=www names no level: a custom annotation, which comes levelled with the
            # computed ones (manifest:example1=www), none here
            "--annotation", "index:example2=xxx",
            "--annotation", "manifest:example3=yyy",
            "--annotation", "manifest-descriptor[linux/amd64]:example4=zzz",
            "--output", "type=local,dest=./release-out",
            "--attest", DEFAULT_PROVENANCE,
            "--metadata-file", METADATA,
            ".",
        ],
        id="29-annotations",
    ),
    pytest.param(
        "0.12.0",
        {
            "context": ".",
            "outputs": 'type=image,"name=localhost:5000/name/app:latest,localhost:5000/name/'
            'app:foo",push-by-digest=true,name-canonical=true,push=true',
            **OFF,
        },
        [
            "build",
            "--iidfile", IIDFILE,
            "--output", 'type=image,"name=localhost:5000/name/app:latest,localhost:5000/name/app:'
            'foo",push-by-digest=true,name-canonical=true,push=true',
            "--attest", DEFAULT_PROVENANCE,
            "--metadata-file", METADATA,
            ".",
        ],
        id="30-output-keeps-its-quotes",
    ),
    pytest.param(
        "0.13.1",
        {"context": ".", **OFF, "provenance": "mode=max", "sbom": "true"},
        [
            "build",
            "--iidfile", IIDFILE,
            "--attest", f"type=provenance,mode=max,builder-id={BUILDER_ID}",
            "--attest", "type=sbom,disabled=false",
            "--metadata-file", METADATA,
            ".",
        ],
        id="31-provenance-and-sbom",
    ),
    pytest.param(
        "0.13.1",
        {"context": ".", **OFF, "attests": "type=provenance,mode=min", "provenance": "mode=max"},
        ["build", "--iidfile", IIDFILE, "--attest",
         f"type=provenance,mode=max,builder-id={BUILDER_ID}", "--metadata-file", METADATA, "."],
        id="32-provenance-input-wins-over-attests",
    ),
    pytest.param(
        "0.13.1",
        {"context": ".", **OFF, "attests": "type=provenance,mode=min"},
        ["build", "--iidfile", IIDFILE, "--attest",
         f"type=provenance,mode=min,builder-id={BUILDER_ID}", "--metadata-file", METADATA, "."],
        id="33-provenance-from-attests",
    ),
    pytest.param(
        "0.13.1",
        {"context": ".", **OFF, "env:BUILDX_NO_DEFAULT_ATTESTATIONS": "1"},
        ["build", "--iidfile", IIDFILE, "--metadata-file", METADATA, "."],
        id="34-no-default-attestations",
    ),
    pytest.param(
        "0.13.1",
        {"github-token": "abcdefghijklmno0123456789", **OFF,
         "env:GITHUB_SERVER_URL": "http://10.0.0.5:22827"},
        ["build", "--iidfile", IIDFILE,
         "--attest", "type=provenance,mode=min,inline-only=true,builder-id=http://10.0.0.5:22827"
         "/docker/build-push-action/actions/runs/123456789/attempts/1",
         "--secret", f"id=GIT_AUTH_TOKEN.10.0.0.5:22827,src={secret(1)}",
         "--metadata-file", METADATA,
         "http://10.0.0.5:22827/docker/build-push-action.git#refs/heads/master"],
        id="35-token-host-keeps-its-port",
    ),
    pytest.param(
        "0.13.1",
        {"github-token": "abcdefghijklmno0123456789", **OFF,
         "env:GITHUB_SERVER_URL": "https://github.cds.internal.unity3d.com"},
        ["build", "--iidfile", IIDFILE,
         "--attest", "type=provenance,mode=min,inline-only=true,builder-id=https://github.cds."
         "internal.unity3d.com/docker/build-push-action/actions/runs/123456789/attempts/1",
         "--secret", f"id=GIT_AUTH_TOKEN.github.cds.internal.unity3d.com,src={secret(1)}",
         "--metadata-file", METADATA,
         "https://github.cds.internal.unity3d.com/docker/build-push-action.git#refs/heads/master"],
        id="36-token-host-of-ghes",
    ),
    pytest.param(
        "0.29.0",
        {**OFF, "env:BUILDX_SEND_GIT_QUERY_AS_INPUT": "true"},
        ["build", "--iidfile", IIDFILE, "--attest", DEFAULT_PROVENANCE, "--metadata-file",
         METADATA, "https://github.com/docker/build-push-action.git?ref=refs/heads/master"],
        id="37-query-form-with-buildx-0.29",
    ),
    pytest.param(
        "0.28.0",
        {**OFF, "env:BUILDX_SEND_GIT_QUERY_AS_INPUT": "true"},
        ["build", "--iidfile", IIDFILE, "--attest", DEFAULT_PROVENANCE, "--metadata-file",
         METADATA, GIT_CONTEXT],
        id="38-fragment-form-before-buildx-0.29",
    ),
    # v6 inputs beyond the v5 table: --call, --build-context, --no-cache-filter.
    pytest.param(
        "0.15.0",
        {"context": ".", **OFF, "call": "check", "no-cache": "true", "pull": "true"},
        ["build", "--call", "check", "--iidfile", IIDFILE, "--attest", DEFAULT_PROVENANCE,
         "--metadata-file", METADATA, "--no-cache", "--pull", "."],
        id="v6-call-check",
    ),
    pytest.param(
        "0.15.0",
        {
            "context": ".",
            **OFF,
            "build-contexts": "alpine=docker-image://alpine:3\nsrc={{defaultContext}}:src",
            "no-cache-filters": "build,test",
            "load": "true",
        },
        [
            "build",
            "--build-context", "alpine=docker-image://alpine:3",
            "--build-context", f"src={GIT_CONTEXT}:src",
            "--iidfile", IIDFILE,
            "--no-cache-filter", "build",
            "--no-cache-filter", "test",
            "--load",
            "--metadata-file", METADATA,
            ".",
        ],
        id="v6-build-contexts-no-cache-filters",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("version", "raw", "expected"), CASES)
def test_upstream_argv_table(version: str, raw: dict[str, str], expected: list[str]) -> None:
    # "env:NAME" entries are the row's environment, the others its inputs.
    env = {k.removeprefix("env:"): v for k, v in raw.items() if k.startswith("env:")}
    inputs = {k: v for k, v in raw.items() if not k.startswith("env:")}
    assert upstream_argv(version, inputs, env=env) == ["docker", "buildx", *expected]


SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
HEAD_SHA = "f11797113e5a9b86bd976329c5dbb8a8bfdfadfa"
PULL_REQUEST: Mapping[str, Any] = {**PRIVATE, "pull_request": {"head": {"sha": HEAD_SHA}}}
REPO_URL = "https://github.com/docker/build-push-action.git"


# Rows s1-s8 (upstream.md B.8, derived from Build.gitContext and the token rule): upstream's
# fixture with a commit sha, buildx 0.13.1 and a github-token.
@pytest.mark.parametrize(
    ("env", "payload", "raw", "context", "token_secrets"),
    [
        pytest.param({}, PRIVATE, {}, f"{REPO_URL}#{SHA}", [TOKEN_SECRET], id="s1-branch"),
        pytest.param({"GITHUB_REF": "refs/tags/v1.0.0"}, PRIVATE, {}, f"{REPO_URL}#{SHA}",
                     [TOKEN_SECRET], id="s2-tag"),
        pytest.param({"GITHUB_REF": "refs/pull/15/merge"}, PULL_REQUEST, {}, f"{REPO_URL}#{SHA}",
                     [TOKEN_SECRET], id="s3-pull-request-merge-commit"),
        pytest.param({"GITHUB_REF": "refs/pull/15/merge",
                      "DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF": "true"}, PULL_REQUEST, {},
                     f"{REPO_URL}#{HEAD_SHA}", [TOKEN_SECRET], id="s4-pull-request-head"),
        pytest.param({"BUILDX_SEND_GIT_QUERY_AS_INPUT": "true"}, PRIVATE, {},
                     f"{REPO_URL}?ref={SHA}", [TOKEN_SECRET], id="s5-query-form"),
        pytest.param({}, PRIVATE, {"context": "{{defaultContext}}:sub"}, f"{REPO_URL}#{SHA}:sub",
                     [TOKEN_SECRET], id="s6-subdirectory"),
        pytest.param({}, PRIVATE, {"context": GIT_CONTEXT}, GIT_CONTEXT, [],
                     id="s7-other-url-gets-no-token"),
        pytest.param({}, PRIVATE, {"secrets": "GIT_AUTH_TOKEN.github.com=mine"},
                     f"{REPO_URL}#{SHA}",
                     [f"id=GIT_AUTH_TOKEN.github.com,src={secret(1)}",  # the user's, then the token
                      f"id=GIT_AUTH_TOKEN.github.com,src={secret(2)}"],
                     id="s8-host-id-of-the-user-does-not-suppress"),
    ],
)  # fmt: skip
def test_default_git_context_pinned_to_the_commit(
    env: dict[str, str],
    payload: Mapping[str, Any],
    raw: dict[str, str],
    context: str,
    token_secrets: list[str],
) -> None:
    run_env = {"GITHUB_SHA": SHA, **env}
    inputs = {"github-token": "abcdefghijklmno0123456789", **OFF, **raw}
    argv = upstream_argv("0.29.0" if "BUILDX_SEND_GIT_QUERY_AS_INPUT" in env else "0.13.1",
                         inputs, env=run_env, payload=payload)  # fmt: skip
    assert argv[-1] == context
    secrets = [argv[i + 1] for i, word in enumerate(argv) if word == "--secret"]
    assert secrets == token_secrets


def test_user_secret_of_the_token_id_keeps_its_own_file() -> None:
    # s8: both are passed, each from its own file; buildx takes the later one, the token.
    plan = upstream_plan(
        "0.13.1",
        {"github-token": "the-token", "secrets": "GIT_AUTH_TOKEN.github.com=mine", **OFF},
        env={"GITHUB_SHA": SHA},
    )
    assert plan.secret_payloads == [
        ("GIT_AUTH_TOKEN.github.com", "mine"),
        (TOKEN_FILE_KEY, "the-token"),
    ]
    files = plan.files(TMP).secret_files
    assert files == {"GIT_AUTH_TOKEN.github.com": secret(1), TOKEN_FILE_KEY: secret(2)}
    argv = plan.argv(plan.files(TMP), None)
    assert argv[argv.index("--secret") : argv.index("--secret") + 4] == [
        "--secret", f"id=GIT_AUTH_TOKEN.github.com,src={secret(1)}",
        "--secret", f"id=GIT_AUTH_TOKEN.github.com,src={secret(2)}",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "raw", "match"),
    [
        # upstream warns and drops these inputs for an old buildx; here the build stops
        pytest.param("0.8.2", {"provenance": "true"}, r"'provenance'.*buildx >= 0\.10\.0.*0\.8\.2",
                     id="17-provenance-needs-0.10"),
        pytest.param("0.11.0", {"annotations": "example1=www"}, r"'annotations'.*>= 0\.12\.0",
                     id="28-annotations-need-0.12"),
        pytest.param("0.14.1", {"call": "check"}, r"'call'.*--call needs buildx >= 0\.15\.0",
                     id="call-needs-0.15"),
        pytest.param("0.7.0", {"build-contexts": "a=b"}, r"'build-contexts'.*>= 0\.8\.0",
                     id="build-contexts-need-0.8"),
        pytest.param("0.9.1", {"sbom": "true"}, r"'sbom'.*>= 0\.10\.0", id="sbom-needs-0.10"),
        pytest.param("0.9.1", {"attests": "type=sbom"}, r"'attests'.*>= 0\.10\.0",
                     id="attests-need-0.10"),
    ],
)  # fmt: skip
def test_flags_need_newer_buildx(version: str, raw: dict[str, str], match: str) -> None:
    """Refused by the plan, before any login, builder or secret file."""
    with pytest.raises(InputError, match=match):
        upstream_plan(version, {"context": ".", **raw})


def test_commit_build_of_buildx_has_every_feature() -> None:
    argv = upstream_argv("f117971", {"context": ".", "call": "check"})
    assert argv[3:5] == ["--call", "check"]


@pytest.mark.parametrize(
    ("payload", "mode"),
    [
        pytest.param(PRIVATE, "mode=min,inline-only=true", id="private"),
        pytest.param({"repository": {"private": False}}, "mode=max", id="public"),
        pytest.param({}, "mode=max", id="unknown-is-public"),
        pytest.param({"repository": {"private": None}}, "mode=max", id="null-is-public"),
        # `private ?? false` is a JavaScript condition: any truthy value is private
        pytest.param({"repository": {"private": "false"}}, "mode=min,inline-only=true",
                     id="text-is-truthy"),
        pytest.param({"repository": {"private": 0}}, "mode=max", id="zero-is-falsy"),
        pytest.param({"repository": {"private": []}}, "mode=min,inline-only=true",
                     id="empty-list-is-truthy"),
    ],
)  # fmt: skip
def test_default_provenance_mode_from_the_payload(payload: Mapping[str, Any], mode: str) -> None:
    argv = upstream_argv("0.13.1", {"context": "."}, payload=payload)
    assert argv[argv.index("--attest") + 1] == f"type=provenance,{mode},builder-id={BUILDER_ID}"


def test_labels_are_the_computed_ones_and_annotations_merge_with_the_users() -> None:
    """The metadata already merged the user's labels over the computed ones (rendered): they
    are not passed a second time, raw. Annotations that name their level are merged here."""
    argv = upstream_argv(
        "0.13.1",
        {
            "context": ".",
            "labels": "org.opencontainers.image.title=mine\nextra=1",
            "annotations": "index:org.opencontainers.image.title=mine",
        },
        env={"BUILDX_NO_DEFAULT_ATTESTATIONS": "true"},
        labels=("extra=1", "org.opencontainers.image.title=mine",
                "org.opencontainers.image.version=1.0"),
        annotations=("index:org.opencontainers.image.title=app", "manifest:a=b"),
    )  # fmt: skip
    assert argv == [
        "docker", "buildx", "build",
        "--annotation", "index:org.opencontainers.image.title=mine",
        "--annotation", "manifest:a=b",
        "--iidfile", IIDFILE,
        "--label", "extra=1",
        "--label", "org.opencontainers.image.title=mine",
        "--label", "org.opencontainers.image.version=1.0",
        "--metadata-file", METADATA,
        ".",
    ]  # fmt: skip


def test_computed_annotations_are_left_out_for_old_buildx() -> None:
    argv = upstream_argv("0.11.2", {"context": "."}, annotations=("manifest:a=b",))
    assert "--annotation" not in argv


@pytest.mark.parametrize(
    ("raw", "secrets"),
    [
        pytest.param({"secrets": "GIT_AUTH_TOKEN=mine"}, [f"id=GIT_AUTH_TOKEN,src={secret(1)}"],
                     id="own-GIT_AUTH_TOKEN-suppresses"),
        pytest.param({"context": "."}, [], id="path-context"),
        pytest.param({"context": "{{defaultContext}}:docker"}, [TOKEN_SECRET],
                     id="default-context-subdirectory"),
        pytest.param({"github-token": ""}, [], id="no-token"),
    ],
)  # fmt: skip
def test_when_the_token_goes_to_buildx(raw: dict[str, str], secrets: list[str]) -> None:
    argv = upstream_argv("0.13.1", {"github-token": "tok", **raw})
    assert [argv[i + 1] for i, word in enumerate(argv) if word == "--secret"] == secrets


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        pytest.param(["type=registry,ref=user/app"], False, id="registry"),
        pytest.param(["type=docker"], False, id="docker"),
        pytest.param(["type=local,dest=./release-out"], True, id="local"),
        pytest.param(["type=tar,dest=/tmp/image.tar"], False, id="tar"),
        pytest.param(["type=docker", "type=tar,dest=/tmp/image.tar"], False, id="docker-and-tar"),
        pytest.param(['"type=tar","dest=/tmp/image.tar"'], False, id="quoted-tar"),
        pytest.param(['" type= local" , dest=./release-out'], True, id="spaced-local"),
        pytest.param(["."], True, id="bare-path"),
    ],
)
def test_has_local_exporter(outputs: list[str], expected: bool) -> None:
    # actions-toolkit __tests__/buildx/build.test.ts, hasLocalExporter
    items = [Attributes.read("outputs", output) for output in outputs]
    assert has_exporter_type("local", items) is expected


def test_merge_pairs_keeps_first_position_and_last_value() -> None:
    assert merge_pairs(["a=1", "b=2"], ["a=3", "c=4"]) == ["a=3", "b=2", "c=4"]


def test_builder_id_is_the_run_attempt_url() -> None:
    assert workflow_run_url("https://github.com", "docker/build-push-action", "123456789", "") == (
        BUILDER_ID
    )


def test_redact_argv_hides_every_line_of_a_secret() -> None:
    shown = redact_argv(
        ["docker", "build", "--build-arg", "TOKEN=s3cr3t", "--label", "k=line1"],
        ["s3cr3t", "line1\nline2"],
    )
    assert shown == "docker build --build-arg 'TOKEN=***' --label 'k=***'"
