"""The action's own Docker config directory and the registry logins in it, shared by the
build and the merge step."""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from ..plan.inputs import Inputs
from ..private import write_private
from ..registry import engine
from ..registry.login import docker_config
from ..retry import retrier
from . import outputs
from .job import Job

CONFIG_PREFIX = "docker-config-"
# A file in the config directory holding a random token that is also saved in the state:
# the clean-up's proof that the directory it is told to remove is the one made here.
MARKER = ".build-push-py"


def new_config_dir(job: Job, inp: Inputs) -> str:
    """The action's own Docker config directory (``DOCKER_CONFIG`` for buildx); the post
    step removes it."""
    config_dir = tempfile.mkdtemp(prefix=CONFIG_PREFIX, dir=outputs.temp_root(job.env))
    token = secrets.token_hex(16)
    write_private(Path(config_dir) / MARKER, token)
    outputs.save_state(job, outputs.STATE_CONFIG, config_dir)
    outputs.save_state(job, outputs.STATE_CONFIG_TOKEN, token)
    outputs.save_state(job, outputs.STATE_LOGOUT, "true" if inp.logout else "false")
    return config_dir


def not_own_config_dir(config_dir: str, token: str, env: Mapping[str, str]) -> str:
    """Why ``config_dir`` cannot be shown to be one ``new_config_dir`` made with ``token``;
    '' when it can: a path alone proves nothing."""
    path = Path(config_dir)
    root = Path(outputs.temp_root(env)).resolve()
    if path.is_symlink():
        return "it is a symbolic link"
    if path.resolve().parent != root or not path.resolve().name.startswith(CONFIG_PREFIX):
        return f"the action makes its config directories as {root / CONFIG_PREFIX}*"
    marker = path / MARKER
    if marker.is_symlink() or not marker.is_file():
        return f"it holds no {MARKER} file"
    if not token or not secrets.compare_digest(marker.read_text(encoding="utf-8"), token):
        return f"its {MARKER} file does not match the state of this run"
    return ""


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
        job.phases.seconds["login"] = job.phases.seconds.get("login", 0.0) + self._seconds
        with job.wf.group("Login"):
            for line in self._lines:
                job.wf.info(line)
            if self._error is not None:
                raise self._error
            _logged_in(job, self._inp, self._config_dir)
