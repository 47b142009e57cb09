"""The buildx builder: what ``docker buildx inspect`` says, and whether the build needs a
``docker-container`` builder of its own.

The ``docker`` driver cannot export caches, build several platforms at once, write OCI
output or attestations unless the engine uses the containerd image store. buildx >= 0.13
reports that as ``Features:`` in ``inspect``; without that section the docker driver is
taken to lack them, as on hosted runners.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..command import buildx
from ..inputs.attributes import Attributes
from ..inputs.build import BuildInputs
from ..inputs.grammar import env_bool
from .argv import has_exporter_type

CACHE_EXPORT = "Cache export"
MULTI_PLATFORM = "Multi-platform build"
OCI_EXPORTER = "OCI exporter"
# Not a feature buildx lists: the docker driver refuses it ("push-by-digest is currently not
# implemented for docker driver", buildx 0.13), so only other drivers are taken to have it.
PUSH_BY_DIGEST = "Push by digest"


@dataclass(frozen=True)
class BuilderNode:
    """What the plan reads of a node: its BuildKit, the features buildx lists, its labels."""

    name: str = ""
    buildkit: str = ""
    features: Mapping[str, bool] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BuilderInfo:
    name: str = ""
    driver: str = ""
    nodes: tuple[BuilderNode, ...] = ()

    def supports(self, feature: str) -> bool:
        """True when every node has ``feature``; any driver but ``docker`` is assumed to."""
        if self.driver != "docker":
            return True
        return bool(self.nodes) and all(n.features.get(feature, False) for n in self.nodes)


# "Buildkit:" is the label before buildx 0.13, "BuildKit version:" after.
_BUILDKIT = ("buildkit version", "buildkit")


def parse_inspect(text: str) -> BuilderInfo:
    """Read ``docker buildx inspect`` (the layouts of buildx 0.10 to 0.2x)."""
    name = driver = ""
    nodes: list[BuilderNode] = []
    section = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if line.startswith(" "):
            if section == "features" and nodes:
                features = {**nodes[-1].features, key.strip(): value.lower() == "true"}
                nodes[-1] = replace(nodes[-1], features=features)
            elif section == "labels" and nodes:
                nodes[-1] = replace(nodes[-1], labels={**nodes[-1].labels, key.strip(): value})
            continue
        section = ""
        lkey = key.strip().lower()
        if lkey == "name":
            if name:
                nodes.append(BuilderNode(name=value))
            else:
                name = value
        elif lkey == "driver":
            driver = value
        elif not nodes:
            continue
        elif lkey in _BUILDKIT:
            nodes[-1] = replace(nodes[-1], buildkit=value)
        elif lkey in ("features", "labels"):
            section = lkey
    return BuilderInfo(name=name, driver=driver, nodes=tuple(nodes))


# The engine's BuildKit runs a containerd worker exactly when the engine keeps its images in
# containerd (the containerd image store); the classic store gives it a moby worker.
CONTAINERD_WORKER_LABEL = "org.mobyproject.buildkit.worker.containerd.namespace"


def with_engine_store(info: BuilderInfo) -> BuilderInfo:
    """Fill in the features of a ``docker`` builder whose buildx lists none (before 0.14):
    with the containerd image store the engine can export caches, build several platforms
    and store OCI images with attestations; without it, none of these."""
    if info.driver != "docker" or any(n.features for n in info.nodes):
        return info
    if not info.nodes or not all(CONTAINERD_WORKER_LABEL in n.labels for n in info.nodes):
        return info
    features = {CACHE_EXPORT: True, MULTI_PLATFORM: True, OCI_EXPORTER: True}
    return replace(info, nodes=tuple(replace(n, features=features) for n in info.nodes))


_SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(-moby)?")


def buildkit_at_least(info: BuilderInfo, minimum: tuple[int, int, int]) -> bool:
    """Every node runs BuildKit >= ``minimum`` (actions-toolkit BuildKit.versionSatisfies):
    the docker driver must report a ``-moby`` version; pre-releases and commits do not count."""
    if not info.nodes:
        return False
    for node in info.nodes:
        match = _SEMVER.fullmatch(node.buildkit)
        if match is None or (info.driver == "docker" and not match.group(4)):
            return False
        if tuple(int(g) for g in match.groups()[:3]) < minimum:
            return False
    return True


def can_store_attestations(info: BuilderInfo) -> bool:
    """Can the builder store attestations? buildx refuses any ``--attest`` on a builder
    without multi-platform support ("Attestation is not supported for the docker driver",
    build/opt.go): the docker driver on the classic image store."""
    return info.supports(MULTI_PLATFORM)


def builder_allows_default_provenance(info: BuilderInfo) -> bool:
    """Upstream's rule, BuildKit >= 0.11 on every node, plus: the builder can store the
    attestation, so a plain build on the docker driver never fails for one."""
    return buildkit_at_least(info, (0, 11, 0)) and can_store_attestations(info)


def no_default_attestations(env: Mapping[str, str]) -> bool:
    """``BUILDX_NO_DEFAULT_ATTESTATIONS``, read as build-push-action reads it (strict
    ``Util.parseBool``: any other word than ParseBool's fails the run)."""
    return env_bool(
        "BUILDX_NO_DEFAULT_ATTESTATIONS", env.get("BUILDX_NO_DEFAULT_ATTESTATIONS"), default=False
    )


def missing_features(
    inp: BuildInputs, cache_to: Sequence[Attributes], info: BuilderInfo
) -> list[str]:
    """What the build asks of the builder that it lacks, as reasons for the log."""
    wanted: list[tuple[str, str]] = []
    if any(entry.get("type") != "inline" for entry in cache_to):
        wanted.append((CACHE_EXPORT, "cache export"))
    if len(inp.platforms) > 1:
        wanted.append((MULTI_PLATFORM, "a multi-platform build"))
    if has_exporter_type("oci", inp.outputs):
        wanted.append((OCI_EXPORTER, "OCI output"))
    if any(output.get("push-by-digest") == "true" for output in inp.outputs):
        wanted.append((PUSH_BY_DIGEST, "push by digest"))
    provenance = inp.provenance is not None and inp.provenance.text != "false"
    explicit_attestations = inp.sbom or inp.attests or provenance
    if explicit_attestations:
        # buildx's own test for --attest (can_store_attestations).
        wanted.append((MULTI_PLATFORM, "attestations"))
    return [reason for feature, reason in wanted if not info.supports(feature)]


def needs_container_builder(
    inp: BuildInputs, cache_to: Sequence[Attributes], driver_info: BuilderInfo
) -> bool:
    """Create a ``docker-container`` builder for this build? Never over an explicit ``builder``."""
    if inp.builder:
        return False
    return bool(missing_features(inp, cache_to, driver_info))


# setup-buildx-action's default BuildKit daemon flags, so `allow: network.host` works.
BUILDKITD_FLAGS = (
    "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host"
)


# The builders the action creates for a job (8 random hex digits follow).
BUILDER_PREFIX = "build-push-py-"


def inspect_argv(name: str | None = None, *, bootstrap: bool = False) -> list[str]:
    argv = buildx("inspect")
    argv.add_flag("--bootstrap", bootstrap)
    argv += [name] if name else []
    return argv


def remove_argv(name: str) -> list[str]:
    return [*buildx("rm"), name]
