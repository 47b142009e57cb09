"""The default git context and the token's secret id, against actions-toolkit's
``Build.gitContext`` rows (``__tests__/buildx/build.test.ts`` v0.92.0) and our own."""

from __future__ import annotations

from typing import Any

import pytest

from build_push_py.buildx.gitcontext import default_git_context, git_auth_token_id
from build_push_py.buildx.version import BuildxVersion

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"
HEAD_SHA = "f11797113e5a9b86bd976329c5dbb8a8bfdfadfa"
REPO = "https://github.com/docker/actions-toolkit.git"
HEAD_REF = {"DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF": "true"}
QUERY = {"BUILDX_SEND_GIT_QUERY_AS_INPUT": "true"}
NEW, OLD = BuildxVersion(0, 29, 0), BuildxVersion(0, 28, 0)


def context(
    ref: str,
    env: dict[str, str],
    buildx: BuildxVersion = NEW,
    *,
    sha: str = SHA,
    head_sha: str | None = HEAD_SHA,
    server_url: str = "https://github.com",
) -> str:
    return default_git_context(
        server_url=server_url,
        repository="docker/actions-toolkit",
        ref=ref,
        sha=sha,
        pr_head_sha=head_sha,
        env=env,
        buildx=buildx,
    )


@pytest.mark.parametrize(
    ("ref", "env", "buildx", "expected"),
    [
        # upstream rows (the no-options path)
        pytest.param("refs/heads/master", {}, NEW, f"{REPO}#{SHA}", id="branch"),
        pytest.param("master", {}, NEW, f"{REPO}#{SHA}", id="short-branch"),
        pytest.param("refs/pull/15/merge", {}, NEW, f"{REPO}#{SHA}", id="pull-request"),
        pytest.param("refs/tags/v1.0.0", {}, NEW, f"{REPO}#{SHA}", id="tag"),
        pytest.param("refs/pull/15/merge", HEAD_REF, NEW, f"{REPO}#{HEAD_SHA}",
                     id="pull-request-head"),
        pytest.param("refs/heads/master", QUERY, NEW, f"{REPO}?ref={SHA}", id="query"),
        pytest.param("refs/pull/15/merge", QUERY, NEW, f"{REPO}?ref={SHA}",
                     id="pull-request-query"),
        pytest.param("refs/pull/15/merge", {**HEAD_REF, **QUERY}, NEW, f"{REPO}?ref={HEAD_SHA}",
                     id="pull-request-head-query"),
        pytest.param("refs/heads/master", QUERY, OLD, f"{REPO}#{SHA}",
                     id="query-needs-buildx-0.29"),
        # ours: the parseBoolOrDefault words, a commit build of buildx
        pytest.param("refs/heads/master", {"BUILDX_SEND_GIT_QUERY_AS_INPUT": "T"}, NEW,
                     f"{REPO}?ref={SHA}", id="query-by-any-true-word"),
        pytest.param("refs/heads/master", {"BUILDX_SEND_GIT_QUERY_AS_INPUT": "yes"}, NEW,
                     f"{REPO}#{SHA}", id="query-not-by-other-words"),
        pytest.param("refs/pull/15/merge", {"DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF": "on"}, NEW,
                     f"{REPO}#{SHA}", id="head-ref-not-by-other-words"),
        pytest.param("refs/pull/15/merge", {"DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF": " true"},
                     NEW, f"{REPO}#{SHA}", id="head-ref-word-untrimmed"),
        pytest.param("refs/heads/master", QUERY, BuildxVersion(0, 0, 0, commit="1d37c4f"),
                     f"{REPO}?ref={SHA}", id="query-with-commit-build-of-buildx"),
        pytest.param("refs/heads/master", HEAD_REF, NEW, f"{REPO}#{SHA}",
                     id="head-ref-only-for-pull-requests"),
    ],
)  # fmt: skip
def test_toolkit_git_context(
    ref: str, env: dict[str, str], buildx: BuildxVersion, expected: str
) -> None:
    assert context(ref, env, buildx) == expected


@pytest.mark.parametrize(
    ("ref", "env", "kwargs", "expected"),
    [
        pytest.param("refs/heads/master", {}, {"sha": ""}, f"{REPO}#refs/heads/master",
                     id="no-sha-names-the-ref"),
        pytest.param("master", {}, {"sha": ""}, f"{REPO}#refs/heads/master",
                     id="no-sha-short-branch"),
        pytest.param("", {}, {"sha": ""}, f"{REPO}#refs/heads/", id="nothing-known"),
        pytest.param("refs/pull/15/merge", {}, {"sha": ""}, f"{REPO}#refs/pull/15/merge",
                     id="no-sha-pull-request"),
        pytest.param("refs/pull/15/merge", HEAD_REF, {"head_sha": None},
                     f"{REPO}#refs/pull/15/head", id="no-head-sha-in-the-payload"),
        pytest.param("refs/pull/15/head", {}, {}, f"{REPO}#{HEAD_SHA}",
                     id="head-ref-always-builds-the-head"),
        pytest.param("refs/pull/15/merge", QUERY, {"sha": ""}, f"{REPO}?ref=refs/pull/15/merge",
                     id="query-without-sha"),
        pytest.param("refs/heads/master", {}, {"server_url": "https://ghe.example.com/"},
                     f"https://ghe.example.com/docker/actions-toolkit.git#{SHA}",
                     id="ghes-server-trailing-slash"),
    ],
)  # fmt: skip
def test_git_context_fallbacks(
    ref: str, env: dict[str, str], kwargs: dict[str, Any], expected: str
) -> None:
    assert context(ref, env, **kwargs) == expected


@pytest.mark.parametrize(
    ("server_url", "expected"),
    [
        pytest.param("https://github.com", "GIT_AUTH_TOKEN.github.com", id="github"),
        pytest.param("http://10.0.0.5:22827", "GIT_AUTH_TOKEN.10.0.0.5:22827", id="port-kept"),
        pytest.param("https://github.cds.internal.unity3d.com",
                     "GIT_AUTH_TOKEN.github.cds.internal.unity3d.com", id="ghes"),
        pytest.param("https://GHE.Example.COM", "GIT_AUTH_TOKEN.ghe.example.com",
                     id="host-lower-cased"),
        pytest.param("https://ghe.example.com:443/", "GIT_AUTH_TOKEN.ghe.example.com",
                     id="default-https-port-dropped"),
        pytest.param("http://ghe.example.com:80", "GIT_AUTH_TOKEN.ghe.example.com",
                     id="default-http-port-dropped"),
        pytest.param("https://ghe.example.com:80", "GIT_AUTH_TOKEN.ghe.example.com:80",
                     id="other-schemes-port-kept"),
        pytest.param("https://[::1]:8443", "GIT_AUTH_TOKEN.[::1]:8443", id="ipv6"),
        pytest.param("https://user@ghe.example.com", "GIT_AUTH_TOKEN.ghe.example.com",
                     id="user-info-dropped"),
    ],
)  # fmt: skip
def test_git_auth_token_id(server_url: str, expected: str) -> None:
    assert git_auth_token_id(server_url) == expected
