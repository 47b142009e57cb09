"""``buildx_argv`` against docker/build-push-action's own argv table
(``__tests__/context.test.ts``): same inputs and buildx version, same argv.

Upstream's fixtures: repository docker/build-push-action (private), run 123456789 attempt 1,
ref refs/heads/master, a docker-container builder with BuildKit v0.11.0, every temporary
secret file named ``.tmpname-jest``. Upstream's default context is the git context; ours is
``.``, so cases without a ``context`` ask for ``{{defaultContext}}``.
"""

from __future__ import annotations

import pytest

from build_push_py.buildx.argv import (
    RunFacts,
    buildx_argv,
    git_context_url,
    has_exporter_type,
    merge_pairs,
    redact_argv,
    secret_payloads,
    workflow_run_url,
)
from build_push_py.buildx.request import parse_build_inputs
from build_push_py.buildx.version import BuildxVersion
from build_push_py.errors import InputError
from build_push_py.plan.push import resolve_push

TMP = "/tmp/.docker-build-push-jest"
TMP_NAME = f"{TMP}/.tmpname-jest"
IIDFILE = f"{TMP}/iidfile.txt"
METADATA = f"{TMP}/metadata.json"
GIT_CONTEXT = "https://github.com/docker/build-push-action.git#refs/heads/master"
BUILDER_ID = "https://github.com/docker/build-push-action/actions/runs/123456789/attempts/1"
UPSTREAM = RunFacts(
    builder_id=BUILDER_ID,
    private_repository=True,
    default_context=GIT_CONTEXT,
    default_provenance=True,
)
OFF = {"load": "false", "no-cache": "false", "push": "false", "pull": "false"}
DEFAULT_PROVENANCE = f"type=provenance,mode=min,inline-only=true,builder-id={BUILDER_ID}"


def upstream_argv(
    version: str,
    raw: dict[str, str],
    *,
    facts: RunFacts = UPSTREAM,
    labels: tuple[str, ...] = (),
    annotations: tuple[str, ...] = (),
) -> list[str]:
    raw = {"context": "{{defaultContext}}", **raw}
    tags = raw.pop("tags", "")
    inp = parse_build_inputs(raw)
    return buildx_argv(
        inp,
        tags=[t.strip() for t in tags.split(",") if t.strip()],
        labels=labels,
        annotations=annotations,
        version=BuildxVersion.of(version),
        push=resolve_push(inp, {}).push,
        metadata_file=METADATA,
        iidfile=IIDFILE,
        builder=inp.builder or None,
        cache_from=inp.cache_from,
        cache_to=inp.cache_to,
        secret_files={secret_id: TMP_NAME for secret_id, _ in secret_payloads(inp, facts)},
        facts=facts,
    )


# (id, buildx version, inputs, expected argv after "buildx") -- upstream cases by number.
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
        ["build", "--iidfile", IIDFILE, "--secret", f"id=GIT_AUTH_TOKEN,src={TMP_NAME}", "."],
        id="06-secret",
    ),
    pytest.param(
        "0.4.2",
        {"github-token": "abcdefghijklmno0123456789", "outputs": ".", **OFF},
        ["build", "--output", ".", "--secret", f"id=GIT_AUTH_TOKEN,src={TMP_NAME}", GIT_CONTEXT],
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
            "--secret", f"id=GIT_AUTH_TOKEN,src={TMP_NAME}",
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
            "--secret", f"id=GIT_AUTH_TOKEN,src={TMP_NAME}",
            "--secret", f"id=MYSECRET,src={TMP_NAME}",
            "--secret", f"id=FOO,src={TMP_NAME}",
            "--secret", f"id=EMPTYLINE,src={TMP_NAME}",
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
            # upstream copies the file to a temporary one; the path is used as given here
            "secret-files": f"MY_SECRET={TMP_NAME}",
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
            "--secret", f"id=MY_SECRET,src={TMP_NAME}",
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
            "--secret", f"id=GIT_AUTH_TOKEN,src={TMP_NAME}",
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
            "--annotation", "example1=www",
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
    assert upstream_argv(version, raw) == ["buildx", *expected]


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
    with pytest.raises(InputError, match=match):
        upstream_argv(version, {"context": ".", **raw})


def test_commit_build_of_buildx_has_every_feature() -> None:
    argv = upstream_argv("f117971", {"context": ".", "call": "check"})
    assert argv[2:4] == ["--call", "check"]


def test_public_repository_default_provenance_is_max() -> None:
    facts = RunFacts(builder_id=BUILDER_ID, default_context=GIT_CONTEXT)
    argv = upstream_argv("0.13.1", {"context": "."}, facts=facts)
    assert argv[argv.index("--attest") + 1] == f"type=provenance,mode=max,builder-id={BUILDER_ID}"


def test_no_default_provenance_when_builder_cannot() -> None:
    facts = RunFacts(builder_id=BUILDER_ID, default_provenance=False)
    assert "--attest" not in upstream_argv("0.13.1", {"context": "."}, facts=facts)


def test_computed_labels_and_annotations_merge_with_the_users() -> None:
    argv = upstream_argv(
        "0.13.1",
        {
            "context": ".",
            "labels": "org.opencontainers.image.title=mine\nextra=1",
            "annotations": "index:org.opencontainers.image.title=mine",
        },
        facts=RunFacts(default_provenance=False),
        labels=("org.opencontainers.image.title=app", "org.opencontainers.image.version=1.0"),
        annotations=("index:org.opencontainers.image.title=app", "manifest:a=b"),
    )
    assert argv == [
        "buildx", "build",
        "--annotation", "index:org.opencontainers.image.title=mine",
        "--annotation", "manifest:a=b",
        "--iidfile", IIDFILE,
        "--label", "org.opencontainers.image.title=mine",
        "--label", "org.opencontainers.image.version=1.0",
        "--label", "extra=1",
        "--metadata-file", METADATA,
        ".",
    ]  # fmt: skip


def test_computed_annotations_are_left_out_for_old_buildx() -> None:
    argv = upstream_argv(
        "0.11.2", {"context": "."}, facts=RunFacts(), annotations=("manifest:a=b",)
    )
    assert "--annotation" not in argv


def test_git_auth_token_not_added_for_a_path_context_or_own_secret() -> None:
    raw = {"github-token": "tok", "secrets": "GIT_AUTH_TOKEN=mine"}
    argv = upstream_argv("0.13.1", {**raw, "context": "{{defaultContext}}"})
    assert argv.count("--secret") == 1
    assert "--secret" not in upstream_argv("0.13.1", {"github-token": "tok", "context": "."})


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
    assert has_exporter_type("local", outputs) is expected


def test_merge_pairs_keeps_first_position_and_last_value() -> None:
    assert merge_pairs(["a=1", "b=2"], ["a=3", "c=4"]) == ["a=3", "b=2", "c=4"]


def test_urls_for_provenance_and_git_context() -> None:
    assert workflow_run_url("https://github.com", "docker/build-push-action", "123456789", "") == (
        BUILDER_ID
    )
    assert git_context_url("https://github.com/", "docker/build-push-action", "master") == (
        GIT_CONTEXT
    )


def test_redact_argv_hides_every_line_of_a_secret() -> None:
    shown = redact_argv(
        ["docker", "build", "--build-arg", "TOKEN=s3cr3t", "--label", "k=line1"],
        ["s3cr3t", "line1\nline2"],
    )
    assert shown == "docker build --build-arg 'TOKEN=***' --label 'k=***'"
