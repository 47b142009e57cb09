"""Talking to the runner: log commands, masks, groups, outputs, env exports, state, summary.

Everything goes through github-action-utils (random output delimiters, escaping).
Outside a runner (``GITHUB_ACTIONS`` is not ``true``: the CLI on a laptop) workflow commands
become plain lines, masks print nothing (an ``::add-mask::`` line would show the secret on a
terminal) and file commands are skipped.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import github_action_utils as gau


def info(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def on_runner() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def warning(message: str) -> None:
    if on_runner():
        gau.warning(message)
    else:
        sys.stderr.write(f"warning: {message}\n")


def error(message: str) -> None:
    if on_runner():
        gau.error(message)
    else:
        sys.stderr.write(f"error: {message}\n")


def mask(value: str) -> None:
    """Mask a secret; the runner matches masks per line, so mask every line."""
    if not on_runner():
        return
    for line in value.splitlines() or [value]:
        if line.strip():
            gau.add_mask(line)


@contextmanager
def group(title: str) -> Iterator[None]:
    if not on_runner():
        info(f"== {title}")
        yield
        return
    with gau.group(title):
        yield


@contextmanager
def untrusted() -> Iterator[None]:
    """Print text from the event (branch names, titles) without it being read as commands."""
    if not on_runner():  # a terminal reads no workflow commands
        yield
        return
    token = secrets.token_hex(16)
    info(f"::stop-commands::{token}")
    try:
        yield
    finally:
        info(f"::{token}::")


def set_output(name: str, value: str) -> None:
    if os.environ.get("GITHUB_OUTPUT"):
        gau.set_output(name, value)


def export_env(name: str, value: str) -> None:
    if os.environ.get("GITHUB_ENV"):
        gau.set_env(name, value)


# What this process saved, for a caller that runs the post step itself (the CLI).
_saved_state: dict[str, str] = {}


def save_state(name: str, value: str) -> None:
    _saved_state[name] = value
    if os.environ.get("GITHUB_STATE"):
        gau.save_state(name, value)


def saved_state() -> dict[str, str]:
    """The state saved so far, as the runner would give it to the post step."""
    return {f"STATE_{name}": value for name, value in _saved_state.items()}


def summary(markdown: str) -> None:
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        gau.append_job_summary(markdown)
