"""Fixtures for the tests of the action's image: the stack of tests/stack.py and the image
built from the real Dockerfile (see action_image.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image.action_image import ActionImage, build
from integration.conftest import reg_a, stack  # noqa: F401 - the stack's fixtures, shared
from stack import Stack


@pytest.fixture(scope="session")
def action_image(stack: Stack) -> ActionImage:  # noqa: F811 - `stack` is the fixture above
    return build(stack)
