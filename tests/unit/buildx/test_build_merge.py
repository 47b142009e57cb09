"""Fan-out / fan-in, the pure parts: the build argv of a push by digest, digest files and the
``digests`` input, ``imagetools`` argv, and the inputs that cannot go together.

Oracle: Docker's "distribute build across multiple runners" recipe (docs.docker.com, build/ci/
github-actions/multi-platform): the build step passes ``tags: <image>`` and
``outputs: type=image,push-by-digest=true,name-canonical=true,push=true``; it saves each digest
as an empty file named without ``sha256:``; the merge runs ``imagetools create -t <tag>...
<image>@sha256:<hex>...``. ``imagetools create --annotation`` takes the ``index:`` and
``manifest-descriptor:`` levels only (buildx docs, imagetools create).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from build_push_py.buildx.argv import RunFacts
from build_push_py.buildx.builder import BuilderInfo, BuilderNode, needs_container_builder
from build_push_py.buildx.imagetools import (
    create_argv,
    index_annotations,
    inspect_argv,
    tags_by_image,
)
from build_push_py.buildx.version import BuildxVersion
from build_push_py.errors import InputError
from build_push_py.inputs.attributes import Attributes
from build_push_py.inputs.table import read_raw
from build_push_py.metadata import Meta
from build_push_py.plan.cache import CachePlan
from build_push_py.plan.digests import digest_file_name, digests_from_file_names
from build_push_py.plan.inputs import parse
from build_push_py.plan.plan import Plan

A = "sha256:" + "a" * 64
B = "sha256:" + "0123456789abcdef" * 4
IMAGE = "ghcr.io/user/app"


def inputs(**given: str) -> dict[str, str]:
    return read_raw({"INPUT_" + k.replace("_", "-").upper(): v for k, v in given.items()})


def meta(images: tuple[str, ...], tags: tuple[str, ...]) -> Meta:
    return Meta(
        version="", partial=(), latest=False, images=images, tags=tags, tag_names=(),
        labels=("org.opencontainers.image.title=app",), annotations=(), annotation_levels=(),
        warnings=(),
    )  # fmt: skip


def by_digest_argv(images: tuple[str, ...], push: bool, **given: str) -> list[str]:
    plan = Plan(
        parse(inputs(push_by_digest="true", platforms="linux/arm64", **given)),
        meta(images, tuple(f"{i}:main" for i in images)),
        push,
        CachePlan([], [], {}, []),
        RunFacts(default_provenance=False),
        BuildxVersion(0, 21, 0),
    )
    return plan.argv(plan.files("/work"), None)


@pytest.mark.parametrize(
    ("images", "push", "expected"),
    [
        pytest.param(
            (IMAGE,), True,
            ["--label", "org.opencontainers.image.title=app",
             "--output", "type=image,push-by-digest=true,name-canonical=true,push=true",
             "--platform", "linux/arm64", "--tag", IMAGE],
            id="recipe-one-image",
        ),
        pytest.param(
            (IMAGE, "docker.io/user/app"), True,
            ["--label", "org.opencontainers.image.title=app",
             "--output", "type=image,push-by-digest=true,name-canonical=true,push=true",
             "--platform", "linux/arm64", "--tag", IMAGE, "--tag", "docker.io/user/app"],
            id="every-image-named-none-tagged",
        ),
        pytest.param(
            (IMAGE,), False,
            ["--label", "org.opencontainers.image.title=app",
             "--output", "type=image,push-by-digest=true,name-canonical=true,push=false",
             "--platform", "linux/arm64", "--tag", IMAGE],
            id="push-false-builds-the-digest-only",
        ),
    ],
)  # fmt: skip
def test_push_by_digest_argv(images: tuple[str, ...], push: bool, expected: list[str]) -> None:
    argv = by_digest_argv(images, push)
    assert argv == ["docker", "buildx", "build", "--iidfile", "/work/iidfile", *expected,
                    "--metadata-file", "/work/metadata.json", "."]  # fmt: skip
    assert "--push" not in argv


@pytest.mark.parametrize(
    ("driver", "features", "needs"),
    [
        pytest.param("docker", {}, True, id="docker-driver-cannot"),
        pytest.param(
            "docker", {"Cache export": True, "Multi-platform build": True, "OCI exporter": True},
            True, id="docker-driver-with-containerd-store-still-cannot",
        ),
        pytest.param("docker-container", {}, False, id="docker-container-can"),
        pytest.param("remote", {}, False, id="remote-can"),
    ],
)  # fmt: skip
def test_push_by_digest_needs_a_container_builder(
    driver: str, features: dict[str, bool], needs: bool
) -> None:
    plan_build = replace(
        parse(inputs(push="true")).build,
        outputs=(
            Attributes.of("type=image", "push-by-digest=true", "name-canonical=true", "push=true"),
        ),
    )
    info = BuilderInfo("b", driver, (BuilderNode("b0", features=features),))
    assert needs_container_builder(plan_build, [], info) is needs


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(A, (A,), id="one"),
        pytest.param(f"{A}\n{B}\n", (A, B), id="newlines"),
        pytest.param(f"{A},{B}", (A, B), id="commas"),
        pytest.param(f" {B} \n{A}\n{B}", (B, A), id="input-order-without-repeats"),
    ],
)
def test_digests_input(given: str, expected: tuple[str, ...]) -> None:
    assert parse(inputs(merge="true", digests=given)).digests.digests == expected


def test_digest_file_is_named_by_the_hex_part() -> None:
    assert digest_file_name(A) == "a" * 64
    assert digests_from_file_names(["0123456789abcdef" * 4, "a" * 64]) == (B, A)


@pytest.mark.parametrize(
    ("images", "tags", "expected"),
    [
        pytest.param(
            [IMAGE], [f"{IMAGE}:1.2.3", f"{IMAGE}:latest"],
            {IMAGE: [f"{IMAGE}:1.2.3", f"{IMAGE}:latest"]}, id="one-image",
        ),
        pytest.param(
            ["reg:5000/app", "reg:5000/app/sub"],
            ["reg:5000/app:v1", "reg:5000/app/sub:v1", "reg:5000/app:latest"],
            {"reg:5000/app": ["reg:5000/app:v1", "reg:5000/app:latest"],
             "reg:5000/app/sub": ["reg:5000/app/sub:v1"]},
            id="registry-port-and-nested-names",
        ),
        pytest.param([IMAGE], [], {IMAGE: []}, id="no-tags"),
    ],
)  # fmt: skip
def test_tags_by_image(images: list[str], tags: list[str], expected: dict[str, list[str]]) -> None:
    assert tags_by_image(images, tags) == expected


@pytest.mark.parametrize(
    ("computed", "user", "expected"),
    [
        pytest.param(
            ["manifest:org.opencontainers.image.title=app",
             "manifest:org.opencontainers.image.version=1.2.3"],
            [],
            ["index:org.opencontainers.image.title=app",
             "index:org.opencontainers.image.version=1.2.3"],
            id="metadata-default-level-goes-to-the-index",
        ),
        pytest.param(
            ["manifest:a=1", "index:a=1", "manifest-descriptor:a=1"], [],
            ["index:a=1", "manifest-descriptor:a=1"],
            id="levels-from-DOCKER_METADATA_ANNOTATIONS_LEVELS",
        ),
        pytest.param(
            ["manifest:a=1"], ["a=2", "manifest[linux/amd64],manifest-descriptor:b=x=y"],
            ["index:a=2", "manifest-descriptor:b=x=y"],
            id="user-wins-platform-and-equals-in-value",
        ),
    ],
)  # fmt: skip
def test_index_annotations(computed: list[str], user: list[str], expected: list[str]) -> None:
    assert index_annotations(computed, user) == expected


def test_create_argv_is_the_recipe_with_annotations() -> None:
    assert create_argv(
        IMAGE, [f"{IMAGE}:1.2.3", f"{IMAGE}:latest"], [A, B], ["index:a=1"]
    ) == [
        "docker", "buildx", "imagetools", "create", "--annotation", "index:a=1",
        "--tag", f"{IMAGE}:1.2.3", "--tag", f"{IMAGE}:latest", f"{IMAGE}@{A}", f"{IMAGE}@{B}",
    ]  # fmt: skip
    assert inspect_argv(f"{IMAGE}@{A}")[:4] == ["docker", "buildx", "imagetools", "inspect"]


@pytest.mark.parametrize(
    ("given", "name", "match"),
    [
        pytest.param(
            {"merge": "true", "push_by_digest": "true", "digests": A}, "merge", "not both",
            id="merge-and-push-by-digest",
        ),
        pytest.param({"merge": "true"}, "merge", "digests-dir", id="merge-without-digests"),
        pytest.param(
            {"merge": "true", "digests": "a" * 64}, "digests", r"sha256:<64", id="digest-no-algo",
        ),
        pytest.param(
            {"merge": "true", "digests": "sha256:" + "A" * 64}, "digests", "lower-case",
            id="digest-upper-case",
        ),
        pytest.param(
            {"merge": "true", "digests": "sha256:abc"}, "digests", "'sha256:abc'",
            id="digest-too-short",
        ),
        pytest.param({"digests": A}, "digests", "merge: true", id="digests-without-merge"),
        pytest.param(
            {"push_by_digest": "true", "outputs": "type=local,dest=out"}, "push-by-digest",
            "outputs", id="push-by-digest-with-outputs",
        ),
        pytest.param(
            {"push_by_digest": "true", "load": "true"}, "push-by-digest", "loaded",
            id="push-by-digest-with-load",
        ),
        pytest.param({"push_by_digest": "maybe"}, "push-by-digest", "boolean", id="not-bool"),
        pytest.param(
            {"merge": "true", "digests_dir": "a\nb"}, "digests-dir", "single", id="dir-two-lines",
        ),
    ],
)  # fmt: skip
def test_invalid_inputs(given: dict[str, str], name: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        parse(inputs(**given))
    assert caught.value.input_name == name


def test_digests_dir_with_a_stranger_file() -> None:
    with pytest.raises(InputError, match=r"'notes.txt' is not a digest file"):
        digests_from_file_names(["a" * 64, "notes.txt"])
