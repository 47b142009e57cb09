"""The clean-up: remove the builder the run created, then the credentials (unless
``logout: false``). ``clean_up`` runs it at the end of the action's main step, also when it
failed; the CLI's ``run`` calls ``post`` with its saved state, as the post step of older
releases did, which read the state back as ``STATE_<name>``.

Only what this run made is removed: its state may come from outside (``build-push-py run``
merges the caller's environment), so a config directory must carry the marker of
``login.new_config_dir`` and a builder the name ``buildx.commands.create_builder`` gives.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

from ..buildx import commands
from ..buildx.builder import BUILDER_PREFIX, is_own_builder
from . import outputs
from .job import Job
from .login import not_own_config_dir


def clean_up(job: Job) -> None:
    """``post`` with the state this run saved, and only that (never ``STATE_*`` of the
    environment)."""
    saved = job.wf.saved_state
    if not saved:
        return
    env = {k: v for k, v in job.env.items() if not k.startswith("STATE_")}
    post(replace(job, env=env | {f"STATE_{name}": value for name, value in saved.items()}))


def post(job: Job) -> None:
    env, wf = job.env, job.wf
    config_dir = env.get(f"STATE_{outputs.STATE_CONFIG}", "")
    token = env.get(f"STATE_{outputs.STATE_CONFIG_TOKEN}", "")
    builder = env.get(f"STATE_{outputs.STATE_BUILDER}", "")
    if config_dir and not os.path.lexists(config_dir):
        # Removed already, by the step that made it; a builder of the run went before it
        # (buildx kept its record in that directory).
        return
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
    if config_dir and env.get(f"STATE_{outputs.STATE_LOGOUT}", "true") == "true":
        shutil.rmtree(config_dir, ignore_errors=True)
        wf.info("Logged out: removed the action's Docker credentials")
