"""The post step: remove the builder the main step created, then the credentials (unless
``logout: false``). The runner runs it even when the main step failed."""

from __future__ import annotations

import shutil

from ..buildx import commands
from . import outputs
from .job import Job


def post(job: Job) -> None:
    env, wf = job.env, job.wf
    config_dir = env.get(f"STATE_{outputs.STATE_CONFIG}", "")
    builder = env.get(f"STATE_{outputs.STATE_BUILDER}", "")
    buildx_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else dict(env)
    if builder:
        try:
            commands.remove_builder(job.runner, builder, buildx_env)
            wf.info(f"Removed builder {builder}")
        except Exception as exc:
            wf.warning(f"could not remove builder {builder}: {exc}")
    if config_dir and env.get(f"STATE_{outputs.STATE_LOGOUT}", "true") == "true":
        shutil.rmtree(config_dir, ignore_errors=True)
        wf.info("Logged out: removed the action's Docker credentials")
