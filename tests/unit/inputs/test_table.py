"""The input table names the module that parses each input; no other module reads it."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping

from build_push_py.inputs.table import INPUTS, read_raw
from build_push_py.plan.inputs import parse

PACKAGE = "build_push_py."


class Reads(Mapping[str, str]):
    """The raw inputs, noting for each the modules of the code that read it."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)
        self.readers: dict[str, set[str]] = {name: set() for name in self.raw}

    def __getitem__(self, name: str) -> str:
        return self._read(name, sys._getframe(1).f_globals["__name__"])

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if name not in self.raw:
            return default
        return self._read(name, sys._getframe(1).f_globals["__name__"])

    def _read(self, name: str, module: str) -> str:
        self.readers[name].add(module.removeprefix(PACKAGE))
        return self.raw[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


def _parsed_by(raw: Mapping[str, str]) -> dict[str, set[str]]:
    reads = Reads(raw)
    parse(reads)
    return reads.readers


def test_each_input_is_read_once_by_the_parser_its_row_names() -> None:
    assert _parsed_by(read_raw({})) == {spec.name: {spec.parser} for spec in INPUTS}


def test_a_full_set_of_inputs_is_read_the_same_way() -> None:
    given = {
        "INPUT_IMAGES": "ghcr.io/o/app",
        "INPUT_ANNOTATIONS": "index:a=1\nb=2",
        "INPUT_REGISTRY-AUTH": "- registry: ghcr.io\n  username: u\n  password: p",
        "INPUT_OUTPUTS": "type=local,dest=out",
        "INPUT_DRIVER": "docker-container",
        "INPUT_SIGN-KEY": "awskms:///arn:aws:kms:eu-west-1:1:key/k",
        "INPUT_RETRIES": "2",
        "INPUT_BUILD-SUMMARY": "false",
    }
    assert _parsed_by(read_raw(given)) == {spec.name: {spec.parser} for spec in INPUTS}


def test_the_parsers_named_are_modules_of_the_package() -> None:
    for spec in INPUTS:
        assert f"{PACKAGE}{spec.parser}" in sys.modules, spec
