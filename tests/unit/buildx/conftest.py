"""Fixtures of the build tests."""

from __future__ import annotations

import pytest
from build_fakes import FakeRunner


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()
