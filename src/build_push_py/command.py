"""The argv of a subprocess, built one option at a time (python-on-whales' ``Command``).

An option given no value, or a switch that is off, leaves no word: callers state every option
the command can take and the values decide which appear.
"""

from __future__ import annotations

from collections.abc import Iterable


class Command(list[str]):
    """An argv list: ``Command(["docker", "buildx", "create"])`` and the options after it."""

    def add_flag(self, flag: str, on: bool) -> None:
        """``--push`` when ``on``."""
        if on:
            self.append(flag)

    def add_opt(self, flag: str, value: str | None) -> None:
        """``--file VALUE`` when ``value`` is set and not empty."""
        if value:
            self += [flag, value]

    def add_many(self, flag: str, values: Iterable[str]) -> None:
        """``--tag A --tag B``: the flag once per value."""
        for value in values:
            self += [flag, value]
