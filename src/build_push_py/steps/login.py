"""The action's own Docker config directory and the registry logins in it, shared by the
build and the merge step."""

from __future__ import annotations

import tempfile

from ..plan.inputs import Inputs
from ..registry import engine
from ..retry import retrier
from . import outputs
from .job import Job


def new_config_dir(job: Job, inp: Inputs) -> str:
    """The action's own Docker config directory (``DOCKER_CONFIG`` for buildx); the post
    step removes it."""
    config_dir = tempfile.mkdtemp(prefix="docker-config-", dir=outputs.temp_root(job.env))
    outputs.save_state(job, outputs.STATE_CONFIG, config_dir)
    outputs.save_state(job, outputs.STATE_LOGOUT, "true" if inp.logout else "false")
    return config_dir


def log_in(job: Job, inp: Inputs, config_dir: str) -> None:
    """Log in to every registry, into ``config_dir``."""
    if not inp.logins:
        return
    with job.phases("login"), job.wf.group("Login"):
        engine.login(inp.logins, config_dir, job.env, retrier(inp.retry, log=job.wf.info))
        for entry in inp.logins:
            job.wf.info(f"Logged in to {entry.registry} as {entry.username}")
