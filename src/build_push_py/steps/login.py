"""The action's own Docker config directory and the registry logins in it, shared by the
build and the merge step.

A login obtains its credentials by its method (``registry.login.METHODS``: the inputs as
given, an ECR token, a Docker Hub OIDC token), masking each secret as soon as it has it;
once every login has its credentials, the engine checks each of them (``docker login``'s
check) through one client, with the run's retries; only then are they written: to the
action's ``config.json``, or for a ``scope`` to buildx's config directory inside it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..buildx.commands import buildx_config_dir
from ..plan.inputs import Inputs
from ..registry import engine
from ..registry.login import docker_configs, method_of
from ..registry.method import Credential, RegistryLogin
from ..retry import Retrier, retrier
from . import outputs
from .job import Job

CONFIG_PREFIX = "docker-config-"
Obtained = list[tuple[RegistryLogin, Sequence[Credential]]]


def new_config_dir(job: Job, inp: Inputs) -> str:
    """The action's own Docker config directory (``DOCKER_CONFIG`` for buildx); the clean-up
    at the end of the step removes it."""
    config_dir = tempfile.mkdtemp(prefix=CONFIG_PREFIX, dir=outputs.temp_root(job.runner_env))
    job.made.config_dir, job.made.logout = config_dir, inp.logout
    return config_dir


def _obtain_and_check(
    job: Job, inp: Inputs, config_dir: str, retry: Retrier, log: Callable[[str], None]
) -> Obtained:
    """Every login's credentials, then all of them checked by the engine in one call (one
    client, so one ``/version`` request); writes nothing but masks."""
    obtained: Obtained = [
        (login, method_of(login).obtain(login, job.env, job.wf.mask, log)) for login in inp.logins
    ]
    credentials = [cred for _, creds in obtained for cred in creds]
    engine.check_logins(credentials, config_dir, job.env, retry)
    return obtained


def log_in(job: Job, inp: Inputs, config_dir: str) -> None:
    """Log in to every registry, into ``config_dir``."""
    if not inp.logins:
        return
    with job.phases("login"), job.wf.group("Login"):
        retry = retrier(inp.retry, log=job.wf.info)
        _logged_in(job, config_dir, _obtain_and_check(job, inp, config_dir, retry, job.wf.info))


def _logged_in(job: Job, config_dir: str, obtained: Obtained) -> None:
    """After the checks: the configs that hold the logins, and the log's last lines."""
    # inside config_dir: a scope with BUILDX_CONFIG set was refused with the inputs
    buildx_config = Path(buildx_config_dir({**job.env, "DOCKER_CONFIG": config_dir}))
    for path, config in docker_configs(obtained).items():
        if not path:
            engine.write_config(config_dir, config)
            continue
        engine.write_config(str(buildx_config / path), config)
    for login, credentials in obtained:
        for cred in credentials:
            user = f" as {cred.username}" if cred.show_username else ""
            scoped = f" (scope {login.scope})" if login.scope else ""
            job.wf.info(f"Logged in to {cred.registry}{user}{scoped}")


class PendingLogin:
    """``log_in`` with its work in a thread from the start of the run: obtaining the
    credentials, the engine's ``/auth`` checks and the imports they need (the docker SDK,
    botocore for ECR) then run while the repository look-up and the metadata do. ``wait``
    prints the log ``log_in`` would have, in the same place, raises its error, and only then
    writes the config: the thread writes nothing but masks, so a run that fails or is
    cancelled before ``wait`` leaves its clean-up nothing to race."""

    def __init__(self, job: Job, inp: Inputs, config_dir: str) -> None:
        self._job, self._inp, self._config_dir = job, inp, config_dir
        self._lines: list[str] = []
        self._error: Exception | None = None
        self._obtained: Obtained = []
        self._seconds = 0.0
        self._thread = threading.Thread(target=self._check, name="login", daemon=True)
        self._thread.start()

    def _check(self) -> None:
        started = time.monotonic()
        try:
            retry = retrier(self._inp.retry, log=self._lines.append)
            self._obtained = _obtain_and_check(
                self._job, self._inp, self._config_dir, retry, self._lines.append
            )
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
            _logged_in(job, self._config_dir, self._obtained)
