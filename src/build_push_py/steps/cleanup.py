"""The clean-up at the end of the action's step: remove the builder the run created, then the
credentials (unless ``logout: false``), as ``Job.made`` records them. The action has no post
step: a container start costs more than this.
"""

from __future__ import annotations

import os
import shutil
from contextlib import suppress
from pathlib import Path

from ..buildx import commands
from .job import Job


def remove_secrets(job: Job) -> None:
    """What the run wrote that a secret is in, at once (a cancelled step: its programs may
    still run): the config directory's credentials (unless ``logout: false``), the build's
    secret files, a signing key, builder TLS keys. Only buildx's own state stays, for the
    clean-up's ``buildx rm``."""
    config_dir = job.made.config_dir
    keep = {"buildx"} if job.made.logout else {"buildx", "config.json"}
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


def clean_up(job: Job) -> None:
    env, wf, made = job.env, job.wf, job.made
    config_dir = made.config_dir
    if config_dir and not os.path.lexists(config_dir):  # removed by someone else: so is
        return  # any builder of the run (buildx kept its record in that directory)
    if made.builder:
        buildx_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else dict(env)
        try:
            commands.remove_builder(job.runner, made.builder, buildx_env)
            wf.info(f"Removed builder {made.builder}")
        except Exception as exc:
            wf.warning(f"could not remove builder {made.builder}: {exc}")
    if not config_dir:
        return
    if made.logout:
        shutil.rmtree(config_dir, ignore_errors=True)
        wf.info(f"Logged out: removed the action's Docker config {config_dir}")
    else:
        wf.info(f"Kept the action's Docker config {config_dir} (logout: false)")
