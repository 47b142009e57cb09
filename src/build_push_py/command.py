"""The argv of a subprocess, built one option at a time (python-on-whales' ``Command``).

Every buildx and cosign command the action runs gets its argv from a ``Command``: the whole
command line, the program first, as the log prints it. A buildx command starts with
``docker buildx`` (``buildx(...)``), whatever runs it: ``buildx.commands.buildx_runner`` runs
the buildx binary itself for that prefix when it finds one, so that what is printed is what a
user would type. A cosign command starts with the cosign program it is given.

An option given no value, or a switch that is off, leaves no word: callers state every option
the command can take and the values decide which appear.
"""

from __future__ import annotations

from collections.abc import Iterable

# The words every buildx command starts with.
BUILDX = ("docker", "buildx")


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


def buildx(*words: str) -> Command:
    """``docker buildx`` and its subcommand: ``buildx("imagetools", "create")``."""
    return Command([*BUILDX, *words])
