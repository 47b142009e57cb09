"""The default git context: the URL from which BuildKit fetches this repository itself, and
the secret id under which it gets the token for that fetch.

As docker/build-push-action v7.3 makes them (actions-toolkit 0.92 ``Build.gitContext``,
build-push-action ``src/context.ts``): the URL names the workflow's own commit, so a later
push to the branch cannot change what is built. Pure: the workflow's values come in as
arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from ..inputs.grammar import env_flag
from .version import BuildxVersion

# buildx reads a git URL's ``?ref=`` query from 0.29 on (actions-toolkit checks the same).
QUERY_FORM = BuildxVersion(0, 29, 0)
GIT_AUTH_TOKEN = "GIT_AUTH_TOKEN"  # noqa: S105 - the secret id buildx knows, not a secret
_DEFAULT_PORTS = {"http": 80, "https": 443}


def default_git_context(
    *,
    server_url: str,
    repository: str,
    ref: str,
    sha: str,
    pr_head_sha: str | None,
    env: Mapping[str, str],
    buildx: BuildxVersion,
) -> str:
    """``<server>/<owner>/<repo>.git#<commit>``, or ``.git?ref=<commit>`` for a buildx that
    reads the query form when ``BUILDX_SEND_GIT_QUERY_AS_INPUT`` asks for it.

    ``ref`` and ``sha`` are the workflow's own ``GITHUB_REF`` and ``GITHUB_SHA``: for
    ``pull_request_target`` they are the base branch's, whatever the metadata makes of the
    event. ``pr_head_sha`` is the payload's ``pull_request.head.sha`` when it is a string;
    with ``DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF`` a pull request builds that commit rather
    than the merge commit. Without a ``sha`` the URL names the ref.
    """
    if not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    elif (
        ref.startswith("refs/pull/")
        and ref.endswith("/merge")
        and env_flag(env.get("DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF"))
    ):
        ref = ref.removesuffix("/merge") + "/head"
    pinned = sha or ref
    if ref.startswith("refs/pull/") and ref.endswith("/head"):
        pinned = pr_head_sha if pr_head_sha is not None else ref
    base = f"{server_url.rstrip('/')}/{repository}.git"
    if env_flag(env.get("BUILDX_SEND_GIT_QUERY_AS_INPUT")) and buildx.at_least(QUERY_FORM):
        return f"{base}?ref={pinned}"
    return f"{base}#{pinned}"


def git_auth_token_id(server_url: str) -> str:
    """``GIT_AUTH_TOKEN.<host>``: BuildKit hands the token only to git fetches from that host
    (``github.com``; a GHES host keeps a port other than its scheme's default)."""
    return f"{GIT_AUTH_TOKEN}.{_url_host(server_url)}"


def _url_host(url: str) -> str:
    """What the WHATWG ``new URL(url).host`` gives for a server URL: the lower-cased host
    name, with the port unless it is the scheme's default."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a port number: keep what the URL says
        return parts.netloc.rpartition("@")[2].lower()
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host
