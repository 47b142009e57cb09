"""The default build cache: the GitHub Actions cache, one scope per image and branch.

Only used when neither ``cache-from`` nor ``cache-to`` is given and ``cache`` is true.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from ..inputs.attributes import Attributes
from ..inputs.build import BuildInputs
from ..runner.env import RunnerEnv

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_PART = 100
# What buildx hands a type=gha cache (util/buildflags/cache.go, addGithubToken): the build
# gets these only when it uses one, no other program ever.
GHA_VARIABLES = ("ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL")


class CachePlan(NamedTuple):
    cache_from: list[Attributes]
    cache_to: list[Attributes]
    env: dict[str, str]  # to add to buildx's environment
    warnings: list[str]

    @property
    def pass_env(self) -> tuple[str, ...]:
        """The runner's variables the build needs for its caches."""
        return GHA_VARIABLES if _uses_gha(self.cache_from) or _uses_gha(self.cache_to) else ()


def has_runner_cache(runner: RunnerEnv) -> bool:
    """The runner gives buildx what ``type=gha`` needs (else buildx drops it silently)."""
    return bool(runner.runtime_token) and bool(runner.results_url or runner.cache_url)


def _sanitise(text: str) -> str:
    # The scope lands in a CSV attribute list and in GitHub cache keys (no commas there).
    return _UNSAFE.sub("-", text).strip("-.")[:_MAX_PART] or "default"


def _image_part(image: str) -> str:
    """``ghcr.io/owner/app:tag`` -> ``owner/app``: the same image on two registries shares."""
    name = image.partition("@")[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    last = parts[-1].partition(":")[0]
    return "/".join([*parts[:-1], last])


def _ref_part(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    match = re.fullmatch(r"refs/pull/(\d+)/(merge|head)", ref)
    if match:
        return f"pr-{match.group(1)}"
    return ref.removeprefix("refs/")


def _scope(image_part: str, ref: str) -> str:
    return f"{_sanitise(image_part)}-{_sanitise(_ref_part(ref))}"


def cache_scope(image: str, ref: str) -> str:
    """``ghcr.io/owner/app``, ``refs/heads/feat/x`` -> ``owner-app-feat-x``."""
    return _scope(_image_part(image), ref)


def _uses_gha(entries: Sequence[Attributes]) -> bool:
    return any(entry.get("type") == "gha" for entry in entries)


def _v2_env(runner: RunnerEnv) -> dict[str, str]:
    """buildx picks the cache service v2 only when ACTIONS_CACHE_SERVICE_V2=true, which the
    runner gives JavaScript actions but not container actions. github.com only runs v2;
    act's cache server only speaks v1; on GHES follow what the runner provides."""
    if runner.cache_service_v2_given or runner.under_act:
        return {}
    if not runner.on_actions or not runner.results_url:
        return {}
    if runner.on_dotcom or not runner.cache_url:
        return {"ACTIONS_CACHE_SERVICE_V2": "true"}
    return {}


def default_cache(
    inp: BuildInputs, runner: RunnerEnv, image_names: Sequence[str], ref: str
) -> CachePlan:
    """The caches to use and what buildx needs in its environment for them."""
    token = has_runner_cache(runner)
    if inp.cache_from or inp.cache_to:
        cache_from, cache_to = list(inp.cache_from), list(inp.cache_to)
        gha = _uses_gha(cache_from) or _uses_gha(cache_to)
        warnings = []
        if gha and not token:
            warnings.append(
                "type=gha cache needs ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL (or"
                " ACTIONS_CACHE_URL); without them buildx skips the cache silently"
            )
        return CachePlan(cache_from, cache_to, _v2_env(runner) if gha and token else {}, warnings)
    if not inp.cache or not token:
        return CachePlan([], [], {}, [])

    images = list(dict.fromkeys(_image_part(i) for i in image_names)) or [
        runner.repository or "build"
    ]
    refs = [ref]
    base = runner.base_ref
    if base and f"refs/heads/{base}" != ref:
        refs.append(f"refs/heads/{base}")  # a pull request starts from its base's cache
    cache_from = (
        []
        if inp.no_cache
        else [
            Attributes.of("type=gha", f"scope={_scope(image, r)}") for image in images for r in refs
        ]
    )
    cache_to = [
        Attributes.of("type=gha", f"scope={_scope(image, ref)}", "mode=max", "ignore-error=true")
        for image in images
    ]
    return CachePlan(cache_from, cache_to, _v2_env(runner), [])
