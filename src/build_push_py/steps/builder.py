"""The builder: what buildx says about itself (asked in a thread while the metadata is
computed), and the builder the action creates for the job when the plan says so."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..buildkit_image import pull_buildkit_image
from ..buildx import commands
from ..buildx.builder import BuilderInfo
from ..buildx.drivers import image_to_pull
from ..buildx.version import BuildxVersion
from ..errors import ActionError, InputError
from ..inputs.driver import BuilderSpec
from ..plan.plan import ASSUMED_BUILDX, BuilderChoice
from ..private import write_private
from ..proc import Runner
from ..retry import Retrier
from .job import Job

BuildxFacts = tuple[BuildxVersion, BuilderInfo]


class BuilderProbe:
    """buildx's version and the current builder's description, asked for in threads as soon
    as the inputs are known: the two buildx calls run at the same time, and their waits
    overlap the repository lookup. ``inspect`` False asks for the version only."""

    def __init__(self, job: Job, env: Mapping[str, str], builder: str | None, *,
                 inspect: bool = True) -> None:  # fmt: skip
        pool = ThreadPoolExecutor(max_workers=2)
        self._version = pool.submit(commands.detect_version, job.runner, env)
        self._info = (
            pool.submit(commands.inspect_builder, job.runner, builder, env) if inspect else None
        )
        pool.shutdown(wait=False)

    def result(self) -> BuildxFacts:
        """Raises what the probe raised (buildx missing, engine unreachable); when buildx is
        missing, that, rather than the inspection's failure that follows from it."""
        version = self._version.result()
        return version, self._info.result() if self._info is not None else BuilderInfo()

    def result_or_assumed(self, job: Job) -> BuildxFacts:
        """For a dry run: what buildx said, or when it cannot be asked, the buildx it
        plans for without Docker."""
        try:
            return self.result()
        except ActionError as exc:
            job.wf.info(f"buildx cannot be asked ({exc}): planning for buildx {ASSUMED_BUILDX}")
            return ASSUMED_BUILDX, BuilderInfo()


def _tls_files(spec: BuilderSpec, config_dir: str) -> dict[str, str]:
    """TLS material given as PEM text goes to private files in ``config_dir`` (removed with
    it when the step ends, ``steps.cleanup``); a path must exist."""
    files: dict[str, str] = {}
    for material in spec.tls:
        if material.is_pem:
            path = Path(config_dir) / f"buildkit-{material.option}.pem"
            write_private(path, material.value + "\n")
            files[material.option] = str(path)
        elif not Path(material.value).is_file():
            # never quoted: a key pasted without its BEGIN line is still a key
            raise InputError(
                f"tls-{material.option}",
                "is neither PEM text (-----BEGIN ...) nor the path of an existing file",
            )
    return files


def create_builder(
    runner: Runner, spec: BuilderSpec, buildkit_image: str, config_dir: str,
    env: Mapping[str, str],
) -> str:  # fmt: skip
    """Create and start the builder of ``spec``, its TLS files in ``config_dir``; its name."""
    return commands.create_builder(runner, spec, buildkit_image, env, _tls_files(spec, config_dir))


def prepare(
    job: Job, choice: BuilderChoice, buildkit_image: str, config_dir: str,
    env: Mapping[str, str], *, retry: Retrier,
) -> tuple[str | None, BuilderInfo]:  # fmt: skip
    """The builder to name in the build (None: buildx's current one) and its description;
    a builder created here is saved in the state, for the clean-up at the end of the step
    (``steps.cleanup``) to remove. Its BuildKit image, when the engine runs it, is pulled
    first, with ``retry``."""
    if choice.create is None:
        return choice.name, choice.info
    spec = choice.create
    if choice.reasons:
        job.wf.info(
            f"The {choice.info.driver} builder cannot do {', '.join(choice.reasons)}: creating one"
        )
    else:
        job.wf.info(f"Creating a {spec.driver.value} builder for the job")
    pull = image_to_pull(spec, buildkit_image)
    if pull is not None:
        image, input_name = pull
        pull_buildkit_image(job.engine(env, config_dir), image, input_name, retry, job.wf.info)
    name = create_builder(job.runner, spec, buildkit_image, config_dir, env)
    job.made.builder = name
    job.wf.info(f"Created builder {name}")
    # What the build step reads of it (the log, the build record's look-up) is known here.
    return name, BuilderInfo(name=name, driver=spec.driver.value)
