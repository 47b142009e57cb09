"""When to push, which cache to use, the buildx version and the builder."""

from __future__ import annotations

from dataclasses import replace

import pytest

from build_push_py.buildx.builder import (
    CACHE_EXPORT,
    BuilderInfo,
    BuilderNode,
    buildkit_at_least,
    needs_container_builder,
    parse_inspect,
    with_engine_store,
)
from build_push_py.buildx.version import BuildxVersion
from build_push_py.context import GitHubContext
from build_push_py.errors import EngineError, InputError
from build_push_py.inputs.attributes import Attributes
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.inputs.table import read_raw
from build_push_py.metadata import Meta
from build_push_py.plan.cache import cache_scope, default_cache
from build_push_py.plan.inputs import parse
from build_push_py.plan.plan import NO_PROVENANCE_ON_DOCKER_DRIVER, Plan, make_plan
from build_push_py.plan.push import resolve_push
from build_push_py.runner.env import RunnerEnv

GH = {"GITHUB_ACTIONS": "true"}


def _event(name: str) -> dict[str, str]:
    return {**GH, "GITHUB_EVENT_NAME": name}


# upstream build-push-action does not push unless told to; `auto` pushes only on the events
# that publish reviewed code (a tag arrives as a push event) and says why it does not.
@pytest.mark.parametrize(
    ("push", "env", "expected", "reason"),
    [
        pytest.param("auto", _event("push"), True, "", id="auto-push-event"),
        pytest.param("auto", _event("release"), True, "", id="auto-release"),
        pytest.param("auto", _event("schedule"), True, "", id="auto-schedule"),
        pytest.param("auto", _event("workflow_dispatch"), True, "", id="auto-workflow-dispatch"),
        pytest.param("auto", _event("pull_request"), False,
                     "push: auto does not push on pull_request events; set push: true to push",
                     id="auto-pr"),
        pytest.param("auto", _event("pull_request_target"), False, "on pull_request_target ",
                     id="auto-pr-target"),
        pytest.param("auto", _event("merge_group"), False, "on merge_group ",
                     id="auto-merge-queue"),
        pytest.param("auto", _event("issue_comment"), False,
                     "push: auto does not push on issue_comment events; set push: true to push",
                     id="auto-issue-comment"),
        pytest.param("auto", _event("workflow_run"), False, "on workflow_run ",
                     id="auto-workflow-run"),
        pytest.param("auto", _event("check_run"), False, "on check_run ", id="auto-check-run"),
        pytest.param("auto", _event("repository_dispatch"), False, "on repository_dispatch ",
                     id="auto-repository-dispatch"),
        pytest.param("auto", _event("workflow_call"), False, "on workflow_call ",
                     id="auto-unknown-event"),
        pytest.param("auto", _event(""), False, "without an event", id="auto-no-event"),
        pytest.param("auto", {**_event("push"), "ACT": "true"}, False, "under act",
                     id="auto-under-act"),
        pytest.param("auto", {"GITHUB_EVENT_NAME": "push"}, False, "outside GitHub Actions",
                     id="auto-outside-github"),
        pytest.param("true", _event("pull_request"), True, "", id="forced-on"),
        pytest.param("true", {"ACT": "true"}, True, "", id="forced-on-under-act"),
        pytest.param("false", _event("push"), False, "", id="forced-off"),
    ],
)  # fmt: skip
def test_resolve_push(push: str, env: dict[str, str], expected: bool, reason: str) -> None:
    decision = resolve_push(parse_build_inputs({"push": push}), RunnerEnv.from_env(env))
    assert decision.push is expected
    assert reason in decision.reason
    assert bool(decision.reason) is bool(reason)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param({"call": "check"}, "push: auto does not push a build with call: check",
                     id="call"),
        pytest.param({"outputs": "type=local,dest=o"},
                     "push: auto does not push a build with outputs of its own", id="outputs"),
    ],
)  # fmt: skip
def test_auto_does_not_push_a_check_or_own_outputs(raw: dict[str, str], reason: str) -> None:
    decision = resolve_push(parse_build_inputs(raw), RunnerEnv.from_env(_event("push")))
    assert (decision.push, decision.reason.partition(";")[0]) == (False, reason)


@pytest.mark.parametrize(
    ("push", "env", "notes"),
    [
        pytest.param("auto", _event("issue_comment"),
                     ("push: auto does not push on issue_comment events; set push: true to push",),
                     id="auto-not-pushing-says-why"),
        pytest.param("auto", _event("push"), (), id="auto-pushing"),
        pytest.param("false", _event("push"), (), id="forced-off-says-nothing"),
    ],
)  # fmt: skip
def test_the_plan_says_why_it_does_not_push(
    push: str, env: dict[str, str], notes: tuple[str, ...]
) -> None:
    inp = parse(read_raw({"INPUT_IMAGES": "ghcr.io/o/app", "INPUT_PUSH": push}))
    meta = Meta(
        version="", partial=(), latest=False, images=("ghcr.io/o/app",), tags=(), tag_names=(),
        labels=(), annotations=(), annotation_levels=(), warnings=(),
    )  # fmt: skip
    plan = make_plan(inp, GitHubContext(event_name=env["GITHUB_EVENT_NAME"]), meta,
                     RunnerEnv.from_env(env), buildx=BuildxVersion(0, 21, 0),
                     info=BuilderInfo())  # fmt: skip
    assert plan.notes == notes


RUNNER = {
    **GH,
    "ACTIONS_RUNTIME_TOKEN": "jwt",
    "ACTIONS_RESULTS_URL": "https://results.example/",
    "GITHUB_SERVER_URL": "https://github.com",
}
SCOPE = "octo-app-main"


TO = f"type=gha,scope={SCOPE},mode=max,ignore-error=true"
V2 = {"ACTIONS_CACHE_SERVICE_V2": "true"}


@pytest.mark.parametrize(
    ("raw", "env", "ref", "expected"),
    [
        pytest.param({}, RUNNER, "refs/heads/main",
                     ([f"type=gha,scope={SCOPE}"], [TO], V2, False), id="github-default"),
        pytest.param({}, {**RUNNER, "GITHUB_BASE_REF": "main"}, "refs/pull/7/merge",
                     (["type=gha,scope=octo-app-pr-7", f"type=gha,scope={SCOPE}"],
                      ["type=gha,scope=octo-app-pr-7,mode=max,ignore-error=true"], V2, False),
                     id="pr-reads-base-cache"),
        pytest.param({}, {**RUNNER, "ACT": "true", "ACTIONS_CACHE_URL": "http://127.0.0.1:1/x/"},
                     "refs/heads/main", ([f"type=gha,scope={SCOPE}"], [TO], {}, False),
                     id="act-stays-on-v1"),
        pytest.param({}, {**RUNNER, "ACTIONS_CACHE_SERVICE_V2": "false"}, "refs/heads/main",
                     ([f"type=gha,scope={SCOPE}"], [TO], {}, False), id="runner-choice-kept"),
        pytest.param({}, {**RUNNER, "GITHUB_SERVER_URL": "https://ghes.example",
                          "ACTIONS_CACHE_URL": "https://ghes.example/cache/"},
                     "refs/heads/main", ([f"type=gha,scope={SCOPE}"], [TO], {}, False),
                     id="ghes-with-v1-url"),
        pytest.param({}, GH, "refs/heads/main", ([], [], {}, False), id="no-token-no-cache"),
        pytest.param({"cache": "false"}, RUNNER, "refs/heads/main", ([], [], {}, False),
                     id="cache-off"),
        pytest.param({"no-cache": "true"}, RUNNER, "refs/heads/main", ([], [TO], V2, False),
                     id="no-cache-still-exports"),
        pytest.param({"cache-from": "type=registry,ref=r/app:cache"}, RUNNER, "refs/heads/main",
                     (["type=registry,ref=r/app:cache"], [], {}, False), id="user-cache-wins"),
        pytest.param({"cache-to": "type=gha,mode=max"}, GH, "refs/heads/main",
                     ([], ["type=gha,mode=max"], {}, True), id="user-gha-without-token-warns"),
        pytest.param({"cache-to": "type=gha,mode=max"}, RUNNER, "refs/heads/main",
                     ([], ["type=gha,mode=max"], V2, False), id="user-gha-gets-v2"),
    ],
)  # fmt: skip
def test_default_cache(
    raw: dict[str, str], env: dict[str, str], ref: str, expected: tuple[object, ...]
) -> None:
    """``expected``: cache-from, cache-to, environment added, whether it warns."""
    images = ["ghcr.io/octo/app", "docker.io/octo/app"]  # one image, two registries
    plan = default_cache(parse_build_inputs(raw), RunnerEnv.from_env(env), images, ref)
    cache_from, cache_to = [c.text for c in plan.cache_from], [c.text for c in plan.cache_to]
    assert (cache_from, cache_to, plan.env, bool(plan.warnings)) == expected


@pytest.mark.parametrize(
    ("image", "ref", "expected"),
    [
        pytest.param("ghcr.io/Octo/App:1.0", "refs/heads/feat/x,y", "Octo-App-feat-x-y",
                     id="slashes-commas"),
        pytest.param("localhost:5000/app", "refs/tags/v1.2.3", "app-v1.2.3", id="tag"),
        pytest.param("app@sha256:abc", "refs/pull/12/head", "app-pr-12", id="digest-pr"),
    ],
)  # fmt: skip
def test_cache_scope(image: str, ref: str, expected: str) -> None:
    assert cache_scope(image, ref) == expected


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        # actions-toolkit __tests__/buildx/buildx.test.ts, parseVersion
        pytest.param("github.com/docker/buildx 0.4.1+azure bda4882a65349ca359216b135896bddc1d9",
                     "0.4.1", id="azure"),
        pytest.param("github.com/docker/buildx v0.4.1 bda4882a65349ca359216b135896bddc1d92461c",
                     "0.4.1", id="release"),
        pytest.param("github.com/docker/buildx f117971 f11797113e5a9b86bd976329c5dbb8a8bfdfadfa",
                     "f117971", id="commit"),
        # measured on this machine: Debian trixie's docker-buildx package
        pytest.param("github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3\n", "0.13.1", id="debian"),
        pytest.param("github.com/docker/buildx v0.21.1-desktop.2 abc", "0.21.1", id="desktop"),
    ],
)  # fmt: skip
def test_buildx_version(stdout: str, expected: str) -> None:
    assert str(BuildxVersion.parse(stdout)) == expected


def test_buildx_version_unreadable() -> None:
    with pytest.raises(EngineError, match="cannot read the buildx version"):
        BuildxVersion.parse("buildx: command not found")


INSPECT_DOCKER_CONTAINER = """\
Name:          builder-52aa0611
Driver:        docker-container
Last Activity: 2023-06-13 13:52:31 +0000 UTC

Nodes:
Name:           builder-52aa06110
Endpoint:       unix:///var/run/docker.sock
Driver Options: image="moby/buildkit:buildx-stable-1" network="host"
Status:         running
Buildkit:       v0.11.6
Platforms:      linux/amd64, linux/amd64/v2, linux/arm64
Labels:
 org.mobyproject.buildkit.worker.executor:         oci
GC Policy rule#0:
 All:           false
"""

INSPECT_DOCKER = """\
Name:          default
Driver:        docker
Last Activity: 2025-02-14 15:57:45 +0000 UTC

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.13.2-moby
Platforms:        linux/amd64, linux/386
Features:
 Cache export:         {containerd}
 Docker exporter:      true
 Multi-platform build: {containerd}
 OCI exporter:         {containerd}
Labels:
 org.mobyproject.buildkit.worker.moby.host-gateway-ip: 172.17.0.1
"""


def test_parse_inspect_old_layout() -> None:
    info = parse_inspect(INSPECT_DOCKER_CONTAINER)
    assert info == BuilderInfo(
        name="builder-52aa0611",
        driver="docker-container",
        nodes=(
            BuilderNode(
                name="builder-52aa06110",
                buildkit="v0.11.6",
                labels={"org.mobyproject.buildkit.worker.executor": "oci"},
            ),
        ),
    )
    assert buildkit_at_least(info, (0, 11, 0))


def test_parse_inspect_features() -> None:
    info = parse_inspect(INSPECT_DOCKER.format(containerd="false"))
    assert info.nodes[0].features == {
        "Cache export": False,
        "Docker exporter": True,
        "Multi-platform build": False,
        "OCI exporter": False,
    }
    assert buildkit_at_least(info, (0, 11, 0))
    assert not buildkit_at_least(parse_inspect(INSPECT_DOCKER.replace("-moby", "")), (0, 11, 0))


DOCKER_PLAIN = parse_inspect(INSPECT_DOCKER.format(containerd="false"))
DOCKER_CONTAINERD = parse_inspect(INSPECT_DOCKER.format(containerd="true"))
CONTAINER = parse_inspect(INSPECT_DOCKER_CONTAINER)


@pytest.mark.parametrize(
    ("raw", "cache_to", "info", "expected"),
    [
        pytest.param({}, ["type=gha,mode=max"], DOCKER_PLAIN, True, id="cache-export"),
        pytest.param({}, ["type=inline"], DOCKER_PLAIN, False, id="inline-cache-is-fine"),
        pytest.param({"platforms": "linux/amd64,linux/arm64"}, [], DOCKER_PLAIN, True,
                     id="multi-platform"),
        pytest.param({"platforms": "linux/arm64"}, [], DOCKER_PLAIN, False, id="one-platform"),
        pytest.param({"outputs": "type=oci,dest=o.tar"}, [], DOCKER_PLAIN, True, id="oci"),
        pytest.param({"sbom": "true"}, [], DOCKER_PLAIN, True, id="attestation"),
        pytest.param({"provenance": "false"}, [], DOCKER_PLAIN, False, id="provenance-off"),
        pytest.param({}, ["type=gha"], DOCKER_CONTAINERD, False, id="containerd-store"),
        pytest.param({}, ["type=gha"], CONTAINER, False, id="already-container"),
        pytest.param({"builder": "mine"}, ["type=gha"], DOCKER_PLAIN, False,
                     id="explicit-builder-respected"),
        pytest.param({}, ["type=gha"], BuilderInfo(name="default", driver="docker"), True,
                     id="no-features-reported"),
    ],
)  # fmt: skip
def test_needs_container_builder(
    raw: dict[str, str], cache_to: list[str], info: BuilderInfo, expected: bool
) -> None:
    entries = [Attributes.read("cache-to", entry) for entry in cache_to]
    assert needs_container_builder(parse_build_inputs(raw), entries, info) is expected


BUILDX = BuildxVersion(0, 29, 1)


def _plan_with(raw: dict[str, str], info: BuilderInfo, env: dict[str, str],
               buildx: BuildxVersion = BUILDX) -> Plan:  # fmt: skip
    inputs = {"INPUT_IMAGES": "ghcr.io/o/app", "INPUT_PUSH": "true"}
    inp = parse(read_raw({**inputs, **{f"INPUT_{k.upper()}": v for k, v in raw.items()}}))
    meta = Meta(
        version="", partial=(), latest=False, images=("ghcr.io/o/app",), tags=(), tag_names=(),
        labels=(), annotations=(), annotation_levels=(), warnings=(),
    )  # fmt: skip
    return make_plan(inp, GitHubContext(), meta, RunnerEnv.from_env({**GH, **env}), buildx=buildx,
                     info=info)  # fmt: skip


OLD_BUILDKIT = replace(CONTAINER, nodes=(BuilderNode(buildkit="v0.10.6"),))
CLASSIC_NOTE = (NO_PROVENANCE_ON_DOCKER_DRIVER,)


@pytest.mark.parametrize(
    ("raw", "info", "env", "default", "notes"),
    [
        pytest.param({}, CONTAINER, {}, True, (), id="container-buildkit-0.11"),
        pytest.param({}, CONTAINER, {"BUILDX_NO_DEFAULT_ATTESTATIONS": "1"}, False, (),
                     id="opted-out"),
        pytest.param({}, CONTAINER, {"BUILDX_NO_DEFAULT_ATTESTATIONS": "false"}, True, (),
                     id="opt-out-off"),
        pytest.param({}, CONTAINER, {"BUILDX_NO_DEFAULT_ATTESTATIONS": ""}, True, (),
                     id="opt-out-blank"),
        pytest.param({}, DOCKER_CONTAINERD, {}, True, (), id="docker-containerd-moby"),
        # upstream adds it there and buildx refuses the build; ours leaves it out and says so
        pytest.param({}, DOCKER_PLAIN, {}, False, CLASSIC_NOTE, id="docker-classic-store"),
        pytest.param({"load": "true"}, DOCKER_PLAIN, {}, False, (),
                     id="docker-classic-store-load-needs-no-note"),
        pytest.param({}, DOCKER_PLAIN, {"BUILDX_NO_DEFAULT_ATTESTATIONS": "true"}, False, (),
                     id="docker-classic-store-opted-out"),
        pytest.param({"driver": "docker-container"}, DOCKER_PLAIN, {}, True, (),
                     id="builder-made-for-the-job"),
        pytest.param({}, OLD_BUILDKIT, {}, False, (), id="old-buildkit"),
        pytest.param({}, replace(CONTAINER, nodes=(BuilderNode(buildkit="37657a1"),)), {},
                     False, (), id="commit-buildkit"),
        pytest.param({"provenance": "mode=max"}, CONTAINER, {}, False, (),
                     id="provenance-asked-for"),
        pytest.param({"attests": "type=provenance,mode=max"}, CONTAINER, {}, False, (),
                     id="provenance-in-attests"),
    ],
)  # fmt: skip
def test_default_provenance(
    raw: dict[str, str], info: BuilderInfo, env: dict[str, str], default: bool,
    notes: tuple[str, ...],
) -> None:  # fmt: skip
    plan = _plan_with(raw, info, env)
    assert plan.facts.default_provenance is default
    assert plan.notes == notes


@pytest.mark.parametrize(
    ("raw", "buildx", "fails"),
    [
        pytest.param({}, BUILDX, True, id="read-for-the-default"),
        # upstream reads it before it looks at load or the outputs
        pytest.param({"load": "true"}, BUILDX, True, id="read-with-load"),
        pytest.param({"provenance": "mode=max"}, BUILDX, False,
                     id="not-read-when-provenance-is-asked-for"),
        pytest.param({"attests": "type=provenance"}, BUILDX, False,
                     id="not-read-when-attests-has-provenance"),
        pytest.param({}, BuildxVersion(0, 9, 1), False, id="not-read-before-buildx-0.10"),
    ],
)  # fmt: skip
def test_invalid_no_default_attestations(
    raw: dict[str, str], buildx: BuildxVersion, fails: bool
) -> None:
    env = {"BUILDX_NO_DEFAULT_ATTESTATIONS": "yes"}
    if not fails:
        assert _plan_with(raw, CONTAINER, env, buildx).facts.default_provenance is False
        return
    with pytest.raises(InputError, match=r"BUILDX_NO_DEFAULT_ATTESTATIONS.*'yes' is not a boolean"):
        _plan_with(raw, CONTAINER, env, buildx)


# `docker buildx inspect` of buildx 0.13 on the docker driver: no Features section.
INSPECT_0_13 = """Name:          default
Driver:        docker

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.0.0+unknown
Platforms:        linux/amd64, linux/amd64/v2
Labels:
 org.mobyproject.buildkit.worker.moby.host-gateway-ip: 172.31.251.1
"""
# The same engine with the containerd image store: BuildKit runs a containerd worker.
INSPECT_0_13_CONTAINERD = INSPECT_0_13 + (
    " org.mobyproject.buildkit.worker.containerd.namespace: moby\n"
    " org.mobyproject.buildkit.worker.executor:             containerd\n"
)


@pytest.mark.parametrize(
    ("containerd_store", "cache_export", "wants_builder"),
    [
        pytest.param(True, True, False, id="containerd-store-exports-itself"),
        pytest.param(False, False, True, id="classic-store-needs-container-builder"),
    ],
)
def test_engine_store_fills_in_features_buildx_does_not_list(
    containerd_store: bool, cache_export: bool, wants_builder: bool
) -> None:
    inspect = INSPECT_0_13_CONTAINERD if containerd_store else INSPECT_0_13
    info = with_engine_store(parse_inspect(inspect))
    assert info.supports(CACHE_EXPORT) is cache_export
    inp = parse_build_inputs({"cache-to": "type=registry,ref=r/x:cache"})
    assert needs_container_builder(inp, inp.cache_to, info) is wants_builder


def test_engine_store_never_overrides_listed_features() -> None:
    listed = INSPECT_0_13_CONTAINERD.replace(
        "Platforms:", "Features:\n Cache export: false\nPlatforms:"
    )
    info = with_engine_store(parse_inspect(listed))
    assert info.supports(CACHE_EXPORT) is False


SCOPED = {"username": "u", "password": "p", "scope": "o/app@push"}


@pytest.mark.parametrize(
    "buildx", [BuildxVersion(0, 31, 0), BuildxVersion(0, 0, 0, commit="1d37c4f")], ids=str
)
def test_scoped_credentials_with_buildx_0_31(buildx: BuildxVersion) -> None:
    assert _plan_with(SCOPED, DOCKER_PLAIN, {}, buildx).inputs.logins[0].scope == "o/app@push"


def test_scoped_credentials_need_buildx_0_31() -> None:
    with pytest.raises(InputError, match=r"'scope': scoped credentials are read by buildx "
                       r"0.31.0 or later; this buildx is 0.29.1"):  # fmt: skip
        _plan_with(SCOPED, DOCKER_PLAIN, {}, BuildxVersion(0, 29, 1))


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        pytest.param(SCOPED, "with:\n  scope: ''  # or run where buildx is 0.31.0 or newer",
                     id="scope"),
        pytest.param({"promote": "true"},
                     "with:\n  promote: false  # or run where buildx is 0.12.0 or newer",
                     id="promote"),
    ],
)  # fmt: skip
def test_an_input_for_a_newer_buildx_says_how_to_do_without(raw: dict[str, str], hint: str
                                                           ) -> None:  # fmt: skip
    with pytest.raises(InputError) as caught:
        _plan_with(raw, DOCKER_PLAIN, {}, BuildxVersion(0, 11, 2))
    assert caught.value.hint == hint
