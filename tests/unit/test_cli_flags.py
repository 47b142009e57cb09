"""Every input of the action is a flag of both CLI commands (but ``dry-run``: ``plan`` is
the dry run), and every input's group is one the README and the CLI list."""

from __future__ import annotations

import argparse

import pytest

from build_push_py.cli import _parser
from build_push_py.inputs.table import GROUPS, INPUTS


def _flags(command: str) -> set[str]:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {flag for action in sub.choices[command]._actions for flag in action.option_strings}


@pytest.mark.parametrize("command", ["plan", "run"])
def test_every_input_is_a_flag(command: str) -> None:
    wanted = {f"--{spec.name}" for spec in INPUTS if spec.name != "dry-run"}
    assert wanted - _flags(command) == set()


def test_every_group_is_listed() -> None:
    assert {spec.group for spec in INPUTS} <= set(GROUPS)
