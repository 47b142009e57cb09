"""Outputs and bake files: upstream's json, bakeFile, bakeFileTagsLabels and sepTags tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.meta import SHA_DEV, oci_labels, raw_inputs, run

from build_push_py.metadata import (
    BAKE_FILE_NAMES,
    bake_file_text,
    bake_files,
    env_exports,
    meta_outputs,
    parse_inputs,
)
from build_push_py.metadata.meta import collation_key

RAW_TAGS = ["type=ref,event=branch", "type=raw,my", "type=raw,custom", "type=raw,tags"]
TAG_RAW_TAGS = ["type=ref,event=tag", "type=raw,my", "type=raw,custom", "type=raw,tags"]
MATCH_RAW_TAGS = ["type=match,pattern=\\d{8}", "type=raw,my", "type=raw,custom", "type=raw,tags"]
SEMVER_RAW_TAGS = [
    "type=semver,pattern={{version}}",
    "type=semver,pattern={{major}}.{{minor}}",
    "type=semver,pattern={{major}}",
    "type=raw,my",
    "type=raw,custom",
    "type=raw,tags",
]
TWO = ["org/app", "ghcr.io/user/app"]
CUSTOM_LABELS = [
    "maintainer=CrazyMax",
    "org.opencontainers.image.title=MyCustom=Title",
    "org.opencontainers.image.description=Another description",
    "org.opencontainers.image.vendor=MyCompany",
]
CUSTOM_LABEL_OBJECT = {
    "maintainer": "CrazyMax",
    "org.opencontainers.image.title": "MyCustom=Title",
    "org.opencontainers.image.description": "Another description",
    "org.opencontainers.image.vendor": "MyCompany",
}


def _for_images(images: list[str], names: list[str]) -> list[str]:
    return [f"{image}:{name}" for image in images for name in names]


# upstream's json and bakeFile tables share their runs; json01 and json07 add a label line
# without '=' that is dropped
# (event, ref, inputs, version, tags, custom labels)
Scenario = tuple[str, str | None, dict[str, Any], str, list[str], dict[str, str]]
SCENARIOS: dict[str, Scenario] = {
    "01": (
        "push_branch",
        None,
        {"images": ["user/app"], "tags": RAW_TAGS, "labels": ["invalid"]},
        "dev",
        _for_images(["user/app"], ["dev", "my", "custom", "tags"]),
        {},
    ),
    "02": (
        "push_branch",
        None,
        {"images": ["user/app"], "tags": ["type=ref,event=branch", "type=raw,my"]},
        "dev",
        ["user/app:dev", "user/app:my"],
        {},
    ),
    "03": (
        "tag_non_version",
        None,
        {"images": ["user/app"], "tags": TAG_RAW_TAGS, "bake-target": "meta"},
        "release1",
        _for_images(["user/app"], ["release1", "my", "custom", "tags", "latest"]),
        {},
    ),
    "04": (
        "tag_non_version",
        "refs/tags/20200110-RC2",
        {"images": ["user/app"], "tags": MATCH_RAW_TAGS, "flavor": ["latest=false"]},
        "20200110",
        _for_images(["user/app"], ["20200110", "my", "custom", "tags"]),
        {},
    ),
    "05": (
        "tag_semver",
        None,
        {"images": TWO, "tags": SEMVER_RAW_TAGS},
        "1.1.1",
        _for_images(TWO, ["1.1.1", "1.1", "1", "my", "custom", "tags", "latest"]),
        {},
    ),
    "06": (
        "tag_semver",
        None,
        {"images": TWO, "tags": ["type=raw,my", "type=raw,custom", "type=raw,tags"]},
        "my",
        _for_images(TWO, ["my", "custom", "tags"]),
        {},
    ),
    "07": (
        "tag_semver",
        None,
        {"images": ["org/app"], "labels": CUSTOM_LABELS},
        "v1.1.1",
        ["org/app:v1.1.1", "org/app:latest"],
        CUSTOM_LABEL_OBJECT,
    ),
}


def _label_object(revision: str, version: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in oci_labels(revision, version))


def _json_extra(number: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """json01 has labels ``invalid`` and ``foo=``, json07 a leading ``foo``."""
    if number == "01":
        return {**inputs, "labels": ["invalid", "foo="]}, {"foo": ""}
    if number == "07":
        return {**inputs, "labels": ["foo", *inputs["labels"]]}, {}
    return inputs, {}


@pytest.mark.parametrize("number", list(SCENARIOS), ids=[f"json{n}" for n in SCENARIOS])
def test_json_output(number: str) -> None:
    event, ref, inputs, version, tags, custom = SCENARIOS[number]
    inputs, extra = _json_extra(number, inputs)
    meta = run(event, inputs, ref=ref)
    out = json.loads(meta_outputs(meta, parse_inputs(raw_inputs(inputs)))["json"])
    # later v5 releases add "tag-names" (checked in json01 below); upstream's table predates it
    del out["tag-names"]
    assert out == {
        "tags": tags,
        "labels": {**_label_object(SHA_DEV, version), **custom, **extra},
        "annotations": [f"manifest:{line}" for line in oci_labels(SHA_DEV, version)],
    }


@pytest.mark.parametrize("number", list(SCENARIOS), ids=[f"bakeFile{n}" for n in SCENARIOS])
def test_bake_files(number: str) -> None:
    event, ref, inputs, version, tags, custom = SCENARIOS[number]
    meta = run(
        event,
        inputs,
        ref=ref,
        env={"DOCKER_METADATA_ANNOTATIONS_LEVELS": "index,manifest-descriptor"},
    )
    files = bake_files(meta, parse_inputs(raw_inputs(inputs)))
    assert list(files) == list(BAKE_FILE_NAMES)
    target = inputs.get("bake-target", "docker-metadata-action")
    images = ",".join(dict.fromkeys(tag.partition(":")[0] for tag in tags))
    args = {"DOCKER_META_IMAGES": images, "DOCKER_META_VERSION": version}
    labels = {**_label_object(SHA_DEV, version), **custom}
    annotations = [
        f"{level}:{line}"
        for level in ("index", "manifest-descriptor")
        for line in oci_labels(SHA_DEV, version)
    ]
    assert files["bake-file-tags"] == {"target": {target: {"tags": tags, "args": args}}}
    assert files["bake-file-labels"] == {"target": {target: {"labels": labels}}}
    assert files["bake-file-annotations"] == {"target": {target: {"annotations": annotations}}}
    if number == "01":  # bakeFileTagsLabels01
        assert files["bake-file"] == {
            "target": {target: {"tags": tags, "labels": labels, "args": args}}
        }


def test_output_texts_json01() -> None:
    inputs = {"images": ["user/app"], "tags": RAW_TAGS, "labels": ["invalid", "foo="]}
    meta = run("push_branch", inputs)
    out = meta_outputs(meta, parse_inputs(raw_inputs(inputs)))
    assert json.loads(out["json"]) == {
        "tags": ["user/app:dev", "user/app:my", "user/app:custom", "user/app:tags"],
        "tag-names": ["dev", "my", "custom", "tags"],
        "labels": {"foo": "", **_label_object(SHA_DEV, "dev")},
        "annotations": [f"manifest:{line}" for line in oci_labels(SHA_DEV, "dev")],
    }
    assert out["json"].startswith('{"tags":["user/app:dev",')  # compact, upstream's key order
    assert list(out) == ["version", "tags", "tag-names", "labels", "annotations", "json"]
    assert out["version"] == "dev"
    assert out["tags"] == "user/app:dev\nuser/app:my\nuser/app:custom\nuser/app:tags"
    assert out["tag-names"] == "dev\nmy\ncustom\ntags"
    assert out["labels"].split("\n") == ["foo=", *oci_labels(SHA_DEV, "dev")]


def test_separators_sep_tags01_02() -> None:
    for sep in (" ", ","):
        inputs = {"images": ["user/app"], "tags": RAW_TAGS, "sep-tags": sep, "sep-labels": "|"}
        out = meta_outputs(run("push_branch", inputs), parse_inputs(raw_inputs(inputs)))
        assert out["tags"] == sep.join(
            ["user/app:dev", "user/app:my", "user/app:custom", "user/app:tags"]
        )
        assert out["labels"].count("|") == 7


def test_bake_file_target_and_missing_version() -> None:
    inputs = {"images": ["user/app"], "tags": ["type=ref,event=pr"], "bake-target": "meta"}
    files = bake_files(run("push_branch", inputs), parse_inputs(raw_inputs(inputs)))
    assert files["bake-file-tags"] == {
        "target": {"meta": {"tags": [], "args": {"DOCKER_META_IMAGES": "user/app"}}}
    }


def test_bake_file_text_is_two_space_json() -> None:
    text = bake_file_text({"target": {"t": {"tags": [], "args": {"A": "é"}}}})
    assert text.split("\n") == [
        "{",
        '  "target": {',
        '    "t": {',
        '      "tags": [],',
        '      "args": {',
        '        "A": "é"',
        "      }",
        "    }",
        "  }",
        "}",
    ]


def test_env_exports_names() -> None:
    exported = env_exports({"version": "1", "tag-names": "a", "bake-file-tags": "/tmp/x.json"})
    assert exported == {
        "DOCKER_METADATA_OUTPUT_VERSION": "1",
        "DOCKER_METADATA_OUTPUT_TAG_NAMES": "a",
        "DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS": "/tmp/x.json",
    }


def test_label_order_follows_locale_compare() -> None:
    keys = ["org.b", "Maintainer", "a_b", "a.b", "a-b", "a1", "ab", "B"]
    # ICU root order: '_' < '-' < '.' < digits < letters; case only breaks ties
    assert sorted(keys, key=collation_key) == [
        "a_b",
        "a-b",
        "a.b",
        "a1",
        "ab",
        "B",
        "Maintainer",
        "org.b",
    ]


def test_json_object_lists_index_keys_first() -> None:
    meta = run("push_branch", {"labels": ["b=1", "10=x", "2=y"]})
    assert list(meta.label_map)[:2] == ["2", "10"]


def test_label_key_of_5000_digits_is_no_array_index() -> None:
    key = "1" * 5000
    meta = run("push_branch", {"labels": ["b=1", f"{key}=x", "2=y"]})
    assert next(iter(meta.label_map)) == "2"
    assert meta.label_map[key] == "x"
