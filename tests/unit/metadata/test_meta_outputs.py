"""Outputs and bake files: upstream's json, bakeFile, bakeFileTagsLabels and sepTags tables."""

from __future__ import annotations

import json

from meta_support import SHA_DEV, oci_labels, raw_inputs, run

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


def _label_object(revision: str, version: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in oci_labels(revision, version))


def test_json_output_json01() -> None:
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


def test_json_label_value_keeps_equals_json07() -> None:
    inputs = {
        "images": ["org/app"],
        "labels": ["foo", "maintainer=CrazyMax", "org.opencontainers.image.title=MyCustom=Title"],
    }
    meta = run("tag_semver", inputs)
    assert meta.label_map["org.opencontainers.image.title"] == "MyCustom=Title"
    assert "foo" not in meta.label_map


def test_bake_files_bakefile01() -> None:
    inputs = {"images": ["user/app"], "tags": RAW_TAGS, "labels": ["invalid"]}
    meta = run(
        "push_branch",
        inputs,
        env={"DOCKER_METADATA_ANNOTATIONS_LEVELS": "index,manifest-descriptor"},
    )
    files = bake_files(meta, parse_inputs(raw_inputs(inputs)))
    assert list(files) == list(BAKE_FILE_NAMES)
    tags = ["user/app:dev", "user/app:my", "user/app:custom", "user/app:tags"]
    args = {"DOCKER_META_IMAGES": "user/app", "DOCKER_META_VERSION": "dev"}
    assert files["bake-file-tags"] == {
        "target": {"docker-metadata-action": {"tags": tags, "args": args}}
    }
    assert files["bake-file-labels"] == {
        "target": {"docker-metadata-action": {"labels": _label_object(SHA_DEV, "dev")}}
    }
    assert files["bake-file-annotations"]["target"]["docker-metadata-action"]["annotations"] == [
        *(f"index:{line}" for line in oci_labels(SHA_DEV, "dev")),
        *(f"manifest-descriptor:{line}" for line in oci_labels(SHA_DEV, "dev")),
    ]
    assert files["bake-file"] == {
        "target": {
            "docker-metadata-action": {
                "tags": tags,
                "labels": _label_object(SHA_DEV, "dev"),
                "args": args,
            }
        }
    }


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
