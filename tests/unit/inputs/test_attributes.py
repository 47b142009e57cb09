"""Attribute items (``outputs``, ``cache-from``, ``cache-to``, ``attests``, ``provenance``,
``sbom``), read once."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from build_push_py.buildx.argv import has_exporter_type
from build_push_py.errors import InputError
from build_push_py.inputs.attributes import Attributes
from build_push_py.inputs.build import parse_build_inputs
from build_push_py.inputs.lists import CsvError, records
from build_push_py.inputs.table import read_raw


def test_an_item_keeps_its_text_and_reads_its_fields() -> None:
    item = Attributes.read("cache-to", ' type = registry , "ref=user/app:cache" ,mode=max')
    assert item.text == ' type = registry , "ref=user/app:cache" ,mode=max'
    assert item.fields == ("type = registry", "ref=user/app:cache", "mode=max")
    assert (item.get("type"), item.get("ref"), item.get("mode")) == ("registry", "user/app:cache",
                                                                    "max")  # fmt: skip
    assert item.get("dest") is None


def test_the_first_of_two_keys_wins() -> None:
    assert Attributes.read("outputs", "type=local,type=tar").get("type") == "local"


def test_a_made_item_reads_as_its_text_does() -> None:
    made = Attributes.of("type=gha", "scope=octo-app-main", "mode=max")
    assert made == Attributes.read("cache-to", made.text)


def test_a_quote_out_of_place_names_the_input() -> None:
    with pytest.raises(InputError) as caught:
        Attributes.read("cache-from", 'type=registry,ref="user/app')
    assert caught.value.input_name == "cache-from"


def test_the_build_inputs_hold_the_items_as_given() -> None:
    raw = read_raw({
        "INPUT_OUTPUTS": "type=local,dest=out\ntype=tar,dest=o.tar",
        "INPUT_CACHE-FROM": "type=registry,ref=user/app:cache",
        "INPUT_ATTESTS": "type=sbom,generator=image",
        "INPUT_PROVENANCE": " mode=max , builder-id=x ",
        "INPUT_SBOM": "True",
    })  # fmt: skip
    build = parse_build_inputs(raw)
    assert [o.text for o in build.outputs] == ["type=local,dest=out", "type=tar,dest=o.tar"]
    assert [o.get("dest") for o in build.outputs] == ["out", "o.tar"]
    assert build.cache_from[0].get("ref") == "user/app:cache"
    assert build.attests[0].fields == ("type=sbom", "generator=image")
    assert build.provenance is not None
    assert build.provenance.fields == ("mode=max", "builder-id=x")
    assert build.sbom == Attributes.of("true")
    assert parse_build_inputs(read_raw({})).provenance is None


_WORD = st.text(alphabet="abcdelortx.=/ ", min_size=1, max_size=12)
_FIELD = st.one_of(_WORD, _WORD.map(lambda w: f'"{w},{w}"'), st.sampled_from(["type=local",
                   "type=tar", "type=docker", "dest=out", "."]))  # fmt: skip
_ITEM = st.lists(_FIELD, min_size=1, max_size=4).map(",".join)


def _reads(text: str) -> bool:
    try:
        records(text)
    except CsvError:
        return False
    return True


def _joined(kind: str, outputs: list[str]) -> bool:
    """actions-toolkit's ``hasExporterType``: every output in one CSV document."""
    for record in records("\n".join(outputs)):
        if len(record) == 1 and not record[0].startswith("type="):
            return kind == "local"
        if any(f.partition("=")[0].strip() == "type" and
               f.partition("=")[2].partition("=")[0].strip() == kind for f in record):  # fmt: skip
            return True
    return False


@given(st.lists(_ITEM, min_size=1, max_size=4), st.sampled_from(["local", "tar", "docker"]))
def test_items_read_one_by_one_find_the_exporter_the_whole_document_finds(
    outputs: list[str], kind: str
) -> None:
    assume(all(_reads(output) for output in outputs))
    items = [Attributes.read("outputs", output) for output in outputs]
    assert has_exporter_type(kind, items) is _joined(kind, outputs)
