"""The clean-up at the end of the action's step: remove the builder the run created, then the
credentials (unless ``logout: false``), from the state the run saved (in this process: no
other step hands it any).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from ..buildx import commands
from . import outputs
from .job import Job


def clean_up(job: Job) -> None:
    """``post`` with the state this run saved."""
    if job.wf.saved_state:
        post(job, job.wf.saved_state)


def remove_secrets(job: Job) -> None:
    """What the run wrote that a secret is in, at once (a cancelled step: its programs may
    still run): the config directory's credentials (unless ``logout: false``), the build's
    secret files, a signing key, builder TLS keys. Only buildx's own state stays, for the
    clean-up's ``buildx rm``."""
    state = job.wf.saved_state
    config_dir = state.get(outputs.STATE_CONFIG, "")
    keep = (
        {"buildx"}
        if state.get(outputs.STATE_LOGOUT, "true") == "true"
        else {"buildx", "config.json"}
    )
    try:
        entries = list(os.scandir(config_dir)) if config_dir else []
    except OSError:
        return
    for entry in entries:
        if entry.name in keep:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with suppress(OSError):
                Path(entry.path).unlink()


def post(job: Job, state: Mapping[str, str]) -> None:
    env, wf = job.env, job.wf
    config_dir = state.get(outputs.STATE_CONFIG, "")
    builder = state.get(outputs.STATE_BUILDER, "")
    if config_dir and not os.path.lexists(config_dir):  # removed by someone else: so is
        return  # any builder of the run (buildx kept its record in that directory)
    if builder:
        buildx_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else dict(env)
        try:
            commands.remove_builder(job.runner, builder, buildx_env)
            wf.info(f"Removed builder {builder}")
        except Exception as exc:
            wf.warning(f"could not remove builder {builder}: {exc}")
    if config_dir and state.get(outputs.STATE_LOGOUT, "true") == "true":
        shutil.rmtree(config_dir, ignore_errors=True)
        wf.info("Logged out: removed the action's Docker credentials")
