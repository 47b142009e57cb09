"""Fixtures for the tests of the action's image: the stack of tests/stack.py and the image
built from the real Dockerfile (see action_image.py), on the usual base and on one without the
standard library's bytecode (as the official python images are)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image.action_image import (
    ACTION_IMAGE,
    ActionImage,
    build,
    fake_buildkit,
    mock_github_api,
    python_base_without_bytecode,
)
from integration.conftest import base_image, reg_a, stack  # noqa: F401 - the stack's fixtures, shared
from stack import Stack


@pytest.fixture(scope="session")
def action_image(stack: Stack) -> ActionImage:  # noqa: F811 - `stack` is the fixture above
    return build(stack)


@pytest.fixture(scope="session")
def action_image_on_bare_python(stack: Stack) -> ActionImage:  # noqa: F811
    """The image on a base whose standard library has no bytecode."""
    return build(stack, ACTION_IMAGE + "-nopyc", base=python_base_without_bytecode(stack))


@pytest.fixture(scope="session")
def fake_buildkit_image(stack: Stack) -> str:  # noqa: F811
    return fake_buildkit(stack)


@pytest.fixture(scope="session")
def github_api() -> Iterator[str]:
    with mock_github_api() as url:
        yield url
