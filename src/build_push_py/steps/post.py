"""The clean-up at the end of the action's step: remove the builder the run created, then the
credentials (unless ``logout: false``), from the state the run saved.

Only what this run made is removed: a config directory must carry the marker of
``login.new_config_dir`` and a builder the name ``buildx.commands.create_builder`` gives.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

from ..buildx import commands
from ..buildx.builder import BUILDER_PREFIX, is_own_builder
from . import outputs
from .job import Job
from .login import not_own_config_dir


def clean_up(job: Job) -> None:
    """``post`` with the state this run saved."""
    if job.wf.saved_state:
        post(job, job.wf.saved_state)


def post(job: Job, state: Mapping[str, str]) -> None:
    env, wf = job.env, job.wf
    config_dir = state.get(outputs.STATE_CONFIG, "")
    token = state.get(outputs.STATE_CONFIG_TOKEN, "")
    builder = state.get(outputs.STATE_BUILDER, "")
    if config_dir and not os.path.lexists(config_dir):  # removed by someone else: so is
        return  # any builder of the run (buildx kept its record in that directory)
    refused = not_own_config_dir(config_dir, token, env) if config_dir else ""
    if refused:
        wf.warning(f"not removing {config_dir}: {refused}")
        config_dir = ""
    buildx_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else dict(env)
    if builder and not is_own_builder(builder):
        wf.warning(f"not removing builder {builder!r}: the action names its builders "
                   f"{BUILDER_PREFIX}<8 hex digits>")  # fmt: skip
    elif builder:
        try:
            commands.remove_builder(job.runner, builder, buildx_env)
            wf.info(f"Removed builder {builder}")
        except Exception as exc:
            wf.warning(f"could not remove builder {builder}: {exc}")
    if config_dir and state.get(outputs.STATE_LOGOUT, "true") == "true":
        shutil.rmtree(config_dir, ignore_errors=True)
        wf.info("Logged out: removed the action's Docker credentials")
