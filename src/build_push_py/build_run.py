"""The part of a run that touches Docker: login, builder, build and push, build outputs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from . import scale_run, workflow
from .app import (
    STATE_BUILDER,
    Inputs,
    Phases,
    Plan,
    buildx_runner,
    summary_markdown,
)
from .build import buildx
from .build.argv import redact_argv, secret_payloads
from .build.builder import (
    BuilderInfo,
    default_provenance,
    missing_features,
    needs_container_builder,
    with_engine_store,
)
from .build.remote import BuilderSpec, Driver
from .build.version import BuildxVersion
from .login_run import log_in
from .proc import Runner
from .retry import retrier


class BuilderProbe:
    """buildx's version and the builder's description, asked for in a thread as soon as the
    inputs are known: two subprocess waits that then overlap the repository API lookup."""

    def __init__(self, inp: Inputs, env: Mapping[str, str], config_dir: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._future = self._pool.submit(
            self._probe, buildx_runner(env), inp.build.builder or None,
            {**env, "DOCKER_CONFIG": config_dir},
        )  # fmt: skip
        self._pool.shutdown(wait=False)

    @staticmethod
    def _probe(
        runner: Runner, builder: str | None, env: Mapping[str, str]
    ) -> tuple[BuildxVersion, BuilderInfo]:
        return buildx.detect_version(runner, env), buildx.inspect_builder(runner, builder, env)

    def result(self) -> tuple[BuildxVersion, BuilderInfo]:
        """Raises what the probe raised (buildx missing, engine unreachable)."""
        return self._future.result()


def build_and_push(
    plan: Plan, env: Mapping[str, str], phases: Phases, config_dir: str, probe: BuilderProbe
) -> None:
    inp, cache, push = plan.inputs, plan.cache, plan.push
    log_in(plan, env, phases, config_dir)
    buildx_env = {**env, **cache.env, "DOCKER_CONFIG": config_dir}
    runner = buildx_runner(env)

    with phases("builder"), workflow.group("Builder"):
        version, info = probe.result()
        builder = inp.build.builder or None
        info = with_engine_store(info)
        if inp.driver is not None:
            workflow.info(f"Creating a {inp.driver.driver.value} builder for the job")
            builder = scale_run.create_job_builder(
                runner, inp.driver, inp.build.buildkit_image, config_dir, buildx_env
            )
            workflow.save_state(STATE_BUILDER, builder)
            info = buildx.inspect_builder(runner, builder, buildx_env)
        elif needs_container_builder(plan.build, cache.cache_to, info):
            reasons = ", ".join(missing_features(plan.build, cache.cache_to, info))
            workflow.info(f"The {info.driver} builder cannot do {reasons}: creating one")
            builder = buildx.create_builder(
                runner, BuilderSpec(Driver.DOCKER_CONTAINER), inp.build.buildkit_image,
                buildx_env,
            )  # fmt: skip
            workflow.save_state(STATE_BUILDER, builder)
            info = buildx.inspect_builder(runner, builder, buildx_env)
        plan = replace(
            plan, facts=replace(plan.facts, default_provenance=default_provenance(info, env))
        )
        workflow.info(f"buildx {version}, builder {info.name} ({info.driver} driver)")

    work = Path(tempfile.mkdtemp(prefix="build-", dir=config_dir))
    metadata_file, iidfile = str(work / "metadata.json"), str(work / "iidfile")
    result = buildx.BuildResult()
    try:
        secret_files = buildx.write_secret_files(
            secret_payloads(inp.build, plan.facts), str(work)
        )
        argv = plan.argv(
            version,
            metadata_file=metadata_file,
            iidfile=iidfile,
            builder=builder,
            secret_files=secret_files,
        )
        with (
            phases("build"),
            workflow.group("Build" + (" and push" if push else "")),
            # The command line and buildx's log quote build args, labels and the Dockerfile.
            workflow.untrusted(),
        ):
            workflow.info("docker " + redact_argv(argv, inp.build.secret_values))
            try:
                # A retry runs the same build again: every step is in BuildKit's cache by
                # then, so only the export and the push are repeated.
                result = retrier(inp.retry, log=workflow.info)(
                    partial(
                        buildx.run_build, runner, argv, iidfile=iidfile,
                        metadata_file=metadata_file, env=buildx_env, call=inp.build.call,
                    ),
                    "Build and push" if push else "Build",
                )  # fmt: skip
            except buildx.BuildFailed as exc:
                result = exc.result
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)  # secret files live here
        # build-push-action writes these even when the build failed.
        for name, value in (("imageid", result.imageid), ("digest", result.digest),
                            ("metadata", result.metadata)):
            workflow.set_output(name, value)
        workflow.summary(summary_markdown(plan, result.digest, phases))
    if inp.digests.push_by_digest:
        scale_run.record_digest(plan, result.digest, env)
