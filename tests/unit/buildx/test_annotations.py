"""The ``annotations`` input has one meaning, for both actions it replaces.

An item that names its level (``index:``, ``manifest-descriptor[linux/amd64]:``,
``index,manifest:``) is build-push-action's: it reaches buildx as written. Any other item is
a custom annotation of metadata-action: merged over the computed ones and put at each level
of ``DOCKER_METADATA_ANNOTATIONS_LEVELS``. No annotation is given to buildx twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import pytest
from support.meta import SHA_DEV, oci_labels, raw_inputs, run

from build_push_py.buildx.argv import RunFacts, buildx_argv
from build_push_py.buildx.imagetools import index_annotations
from build_push_py.buildx.version import BuildxVersion
from build_push_py.inputs.build import BuildInputs, parse_build_inputs
from build_push_py.metadata import meta_outputs, parse_inputs

TAGS = ["type=ref,event=branch"]  # push_branch: version "dev"


def defaults(level: str = "manifest", **overrides: str) -> list[str]:
    """metadata-action's computed annotations for the fixture, at one level."""
    return [f"{level}:{line}" for line in oci_labels(SHA_DEV, "dev", **overrides)]


def _build(raw: Mapping[str, str]) -> BuildInputs:
    """The build inputs, given ``annotations`` as the metadata inputs read it."""
    return parse_build_inputs(raw, annotations=parse_inputs(raw).annotation_items)


def annotation_flags(inputs: Mapping[str, str], env: Mapping[str, str] | None = None) -> list[str]:
    """The ``--annotation`` values of the build, the inputs read by both halves."""
    meta = run("push_branch", {"tags": TAGS, **inputs}, env=env)
    build = _build(raw_inputs(inputs))
    argv = buildx_argv(
        build, tags=meta.tags, labels=meta.labels, annotations=meta.annotations,
        version=BuildxVersion(0, 13, 1), push=False, metadata_file="m", iidfile="i",
        builder=None, cache_from=(), cache_to=(), secret_files={},
        facts=RunFacts(default_provenance=False),
    )  # fmt: skip
    return [value for flag, value in pairwise(argv) if flag == "--annotation"]


def annotations_output(inputs: Mapping[str, str], env: Mapping[str, str] | None = None) -> str:
    inp = parse_inputs(raw_inputs({"tags": TAGS, **inputs}))
    return meta_outputs(run("push_branch", {"tags": TAGS, **inputs}, env=env), inp)["annotations"]


# -- from metadata-action: custom annotations give upstream's `annotations` output -------------

CUSTOM = "maintainer=Foo\norg.opencontainers.image.title=MyTitle\nrev={{sha}}\nnot-a-pair"
CUSTOMISED = {"maintainer": "Foo", "org.opencontainers.image.title": "MyTitle", "rev": "860c190"}


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param("", defaults(**CUSTOMISED), id="default-level"),
        pytest.param("index,manifest", defaults("index", **CUSTOMISED) + defaults(**CUSTOMISED),
                     id="two-levels"),
        pytest.param("manifest-descriptor", defaults("manifest-descriptor", **CUSTOMISED),
                     id="descriptor-level"),
    ],
)  # fmt: skip
def test_custom_annotations_are_levelled_like_metadata_action(
    levels: str, expected: list[str]
) -> None:
    env = {"DOCKER_METADATA_ANNOTATIONS_LEVELS": levels}
    assert annotations_output({"annotations": CUSTOM}, env).split("\n") == expected
    assert annotation_flags({"annotations": CUSTOM}, env) == expected


# -- from build-push-action: items with a level go to buildx as written -----------------------

# `annotations: ${{ steps.meta.outputs.annotations }}`: metadata-action's output for the same
# run, whose `created` (say) is a moment earlier than this step's
META_STEP = defaults(**{"org.opencontainers.image.created": "2020-01-10T00:29:59.000Z"})
HAND_WRITTEN = [
    "index:org.opencontainers.image.description=A multi-arch image",
    "manifest-descriptor[linux/amd64]:example4=zzz",
    "index,manifest:both=1",
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # upstream build-push-action passes each line once, as given
        pytest.param(META_STEP, META_STEP, id="metadata-action-output"),
        pytest.param(
            [*META_STEP, *HAND_WRITTEN],
            [*META_STEP, *HAND_WRITTEN],
            id="metadata-action-output-and-hand-written",
        ),
        # without a metadata step the computed annotations come first, the given ones after
        pytest.param(HAND_WRITTEN, [*defaults(), *HAND_WRITTEN], id="hand-written"),
        pytest.param(
            ["manifest:org.opencontainers.image.title=Mine"],
            defaults(**{"org.opencontainers.image.title": "Mine"}),
            id="given-level-and-key-win-over-the-computed",
        ),
    ],
)
def test_items_with_a_level_reach_buildx_as_written(given: list[str], expected: list[str]) -> None:
    assert annotation_flags({"annotations": "\n".join(given)}) == expected


def test_an_item_with_a_level_is_not_levelled_again() -> None:
    """Upstream's row 29 inputs: each annotation once, none as manifest:index:...=xxx."""
    given = ("example1=www\nindex:example2=xxx\nmanifest:example3=yyy\n"
             "manifest-descriptor[linux/amd64]:example4=zzz")  # fmt: skip
    flags = annotation_flags({"annotations": given})
    assert flags == [
        *defaults(example1="www"),
        "index:example2=xxx",
        "manifest:example3=yyy",
        "manifest-descriptor[linux/amd64]:example4=zzz",
    ]
    assert annotations_output({"annotations": given}).split("\n") == defaults(example1="www")


def test_merge_step_puts_each_annotation_on_the_index_once() -> None:
    given = "example1=www\nindex:example2=xxx\nmanifest-descriptor:example4=zzz"
    meta = run("push_branch", {"tags": TAGS, "annotations": given})
    build = _build({"annotations": given})
    merged = index_annotations(meta.annotations, build.explicit_annotations)
    assert merged == [
        *defaults("index", example1="www"),
        "index:example2=xxx",
        "manifest-descriptor:example4=zzz",
    ]
