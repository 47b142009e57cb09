"""The action's own Docker config directory and the registry logins in it, shared by the
build and the merge step."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping

from . import workflow
from .app import STATE_CONFIG, STATE_LOGOUT, Inputs, Phases, Plan, temp_root
from .build import engine
from .retry import retrier


def new_config_dir(inp: Inputs, env: Mapping[str, str]) -> str:
    """The action's own Docker config directory (``DOCKER_CONFIG`` for buildx); the post
    step removes it."""
    config_dir = tempfile.mkdtemp(prefix="docker-config-", dir=temp_root(env))
    workflow.save_state(STATE_CONFIG, config_dir)
    workflow.save_state(STATE_LOGOUT, "true" if inp.logout else "false")
    return config_dir


def log_in(plan: Plan, env: Mapping[str, str], phases: Phases, config_dir: str = "") -> str:
    """Log in to every registry in ``config_dir`` (a new one when not given); returns it."""
    inp = plan.inputs
    config_dir = config_dir or new_config_dir(inp, env)
    if inp.logins:
        with phases("login"), workflow.group("Login"):
            engine.login(inp.logins, config_dir, env, retrier(inp.retry, log=workflow.info))
            for entry in inp.logins:
                workflow.info(f"Logged in to {entry.registry} as {entry.username}")
    return config_dir
