"""Fixtures of the build tests."""

from __future__ import annotations

import pytest
from support.fakes import FakeRunner


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()
