"""login-action's ``scope``: credentials for one repository (or namespace) and the actions on
it, kept where only buildx reads them (buildx 0.31 and later), so a registry's other
repositories keep the job's other credentials (Docker Hub's pulls, say).

They go to ``<buildx config>/config/<registry>/<repository>@<actions>/config.json``, or
``<registry>@<actions>`` for a scope of actions only, as login-action v4.6 writes them; that
release also refuses a scope with more than one ``@``, actions that are not lowercase names
separated by commas, or a path that leaves the directory. ``DOCKER_LOGIN_SCOPE_DISABLED``
turns scopes off (a plain login). A scope is refused with ``BUILDX_CONFIG`` set: buildx's
config directory must be the one inside the action's own Docker config, so that scoped
credentials go where the others do and the clean-up removes them with it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from ..errors import InputError
from ..inputs.grammar import env_bool
from .method import Where

DISABLED = "DOCKER_LOGIN_SCOPE_DISABLED"
BUILDX_CONFIG = "BUILDX_CONFIG"
_ACTIONS = re.compile(r"[a-z]+(,[a-z]+)*")


def effective(scope: str, env: Mapping[str, str]) -> str:
    """The scope that applies: none when ``DOCKER_LOGIN_SCOPE_DISABLED`` is true."""
    return "" if env_bool(DISABLED, env.get(DISABLED), default=False) else scope


def _registry_dir(registry: str) -> str:
    return "registry-1.docker.io" if registry == "docker.io" else registry


def config_path(registry: str, scope: str) -> str:
    """Where the scoped ``config.json`` goes, relative to buildx's config directory."""
    base = posixpath.join("config", _registry_dir(registry))
    return base + scope if scope.startswith("@") else posixpath.join(base, scope)


def check(registry: str, scope: str, where: Where) -> None:
    """login-action v4.6's rules for a scope (``scope`` not empty)."""
    repository, at, actions = scope.partition("@")
    problem = ""
    if "@" in actions:
        problem = "has more than one @"
    elif at and not _ACTIONS.fullmatch(actions):
        problem = (
            "names actions after @ that are not lowercase words separated by commas (push,pull)"
        )
    elif (
        any(part in ("", ".", "..") for part in (repository.split("/") if repository else []))
        or any(part in (".", "..") for part in registry.split("/"))
        or "\\" in scope
        or "\0" in scope
    ):
        problem = "leaves buildx's config directory"
    if problem:
        raise InputError(
            where.input("scope"),
            f"scope{f' of entry {where.entry}' if where.entry else ''} {problem}:"
            " write REPOSITORY, REPOSITORY@ACTIONS or @ACTIONS (myorg/myimage@push)",
        )


def check_env(env: Mapping[str, str], where: Where) -> None:
    """A scope's credentials go to buildx's config directory, which is inside the action's
    own Docker config (a new directory of each run, which the clean-up removes) unless
    ``BUILDX_CONFIG`` moves it: then they would outlive the step, so a scope is refused."""
    if env.get(BUILDX_CONFIG):
        raise InputError(
            where.input("scope"),
            f"scope{f' of entry {where.entry}' if where.entry else ''} cannot be used with"
            f" {BUILDX_CONFIG} set: it points outside the action's own Docker config, where"
            f" scoped credentials would outlive the step; unset {BUILDX_CONFIG} for this step",
        )
