"""The action's own Docker config directory and the registry logins in it, shared by the
build and the merge step."""

from __future__ import annotations

import tempfile
import threading
import time

from ..plan.inputs import Inputs
from ..registry import engine
from ..registry.login import docker_config
from ..retry import retrier
from . import outputs
from .job import Job

CONFIG_PREFIX = "docker-config-"


def new_config_dir(job: Job, inp: Inputs) -> str:
    """The action's own Docker config directory (``DOCKER_CONFIG`` for buildx); the clean-up
    at the end of the step removes it."""
    config_dir = tempfile.mkdtemp(prefix=CONFIG_PREFIX, dir=outputs.temp_root(job.env))
    outputs.save_state(job, outputs.STATE_CONFIG, config_dir)
    outputs.save_state(job, outputs.STATE_LOGOUT, "true" if inp.logout else "false")
    return config_dir


def log_in(job: Job, inp: Inputs, config_dir: str) -> None:
    """Log in to every registry, into ``config_dir``."""
    if not inp.logins:
        return
    with job.phases("login"), job.wf.group("Login"):
        engine.check_logins(inp.logins, config_dir, job.env, retrier(inp.retry, log=job.wf.info))
        _logged_in(job, inp, config_dir)


def _logged_in(job: Job, inp: Inputs, config_dir: str) -> None:
    """After the checks: the config that holds the logins, and the log's last lines."""
    engine.write_config(config_dir, docker_config(inp.logins))
    for entry in inp.logins:
        job.wf.info(f"Logged in to {entry.registry} as {entry.username}")


class PendingLogin:
    """``log_in`` with its checks in a thread from the start of the run: the engine's
    ``/auth`` checks and the docker SDK's import (0.05-0.1 s) then run while the repository
    look-up and the metadata do. ``wait`` prints the log ``log_in`` would have, in the same
    place, raises its error, and only then writes the config: the thread writes nothing, so a
    run that fails or is cancelled before ``wait`` leaves its clean-up nothing to race."""

    def __init__(self, job: Job, inp: Inputs, config_dir: str) -> None:
        self._job, self._inp, self._config_dir = job, inp, config_dir
        self._lines: list[str] = []
        self._error: Exception | None = None
        self._seconds = 0.0
        self._thread = threading.Thread(target=self._check, name="login", daemon=True)
        self._thread.start()

    def _check(self) -> None:
        started = time.monotonic()
        try:
            retry = retrier(self._inp.retry, log=self._lines.append)
            engine.check_logins(self._inp.logins, self._config_dir, self._job.env, retry)
        except Exception as exc:  # raised again by wait(), in the run's thread
            self._error = exc
        self._seconds = time.monotonic() - started

    def wait(self) -> None:
        self._thread.join()
        job = self._job
        job.phases.add("login", self._seconds)
        with job.wf.group("Login"):
            for line in self._lines:
                job.wf.info(line)
            if self._error is not None:
                raise self._error
            _logged_in(job, self._inp, self._config_dir)
