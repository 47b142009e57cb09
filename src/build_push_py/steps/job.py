"""What every step of a run is given: the environment (and what the runner put in it), the
runner's protocol, the way to run buildx, the way to reach the engine's API and the clock of
the phases for the summary."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..buildkit_image import DockerEngine, EngineFactory
from ..buildx.commands import buildx_runner
from ..prefetch import RepoLookup
from ..proc import Runner
from ..runner.env import RunnerEnv
from ..runner.workflow import Workflow


@dataclass
class Phases:
    """Wall time per phase, for the job summary."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - start)

    def add(self, name: str, seconds: float) -> None:
        """Time of ``name`` measured elsewhere (in a thread of the run)."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@dataclass
class Made:
    """What this run made, which its clean-up removes when the step ends: the Docker config
    directory (kept with ``logout: false``) and the builder."""

    config_dir: str = ""
    logout: bool = True
    builder: str = ""


@dataclass
class Job:
    env: Mapping[str, str]
    wf: Workflow
    runner: Runner
    phases: Phases = field(default_factory=Phases)
    made: Made = field(default_factory=Made)
    # The engine's API for an environment and the action's config dir (pulling images).
    engine: EngineFactory = DockerEngine
    # The repository look-up started before the action was imported (``prefetch``).
    prefetched: RepoLookup | None = None
    # What the runner put in ``env``, read once; ``env`` itself goes to child processes.
    runner_env: RunnerEnv = field(init=False)

    def __post_init__(self) -> None:
        self.runner_env = RunnerEnv.from_env(self.env)

    @classmethod
    def start(
        cls, env: Mapping[str, str], wf: Workflow, prefetched: RepoLookup | None = None
    ) -> Job:
        return cls(env, wf, buildx_runner(env), prefetched=prefetched)
