"""The build step: the builder, ``docker buildx build`` with the plan's argv, the outputs;
and the dry run, which prints that same argv."""

from __future__ import annotations

import shutil
import tempfile
from functools import partial

from ..buildx import commands
from ..buildx.argv import redact_argv
from ..buildx.result import BuildResult
from ..errors import BuildFailed
from ..plan.plan import Plan
from ..retry import retrier
from . import merge, outputs
from .builder import prepare
from .job import Job

# Where a dry run says the build's files would be; a real run has its own directory there.
DRY_RUN_DIR = "<build-dir>"
NEW_BUILDER = "<new builder>"


def log_plan(job: Job, plan: Plan) -> None:
    for note in plan.notes:
        job.wf.info(note)
    for message in plan.warnings:
        job.wf.warning(message)


def dry_run(job: Job, plan: Plan) -> None:
    """Print the tags, labels and the exact buildx command of the plan; run nothing."""
    builder = NEW_BUILDER if plan.builder.create is not None else plan.builder.name
    argv = plan.argv(plan.files(DRY_RUN_DIR), builder)
    # Tags and labels come from branch names and the repository: print them as data only.
    wf = job.wf
    with wf.untrusted():
        wf.info("Tags:")
        for tag in plan.meta.tags:
            wf.info(f"  {tag}")
        wf.info("Labels:")
        for label in plan.meta.labels:
            wf.info(f"  {label}")
        wf.info(f"Push: {'yes' if plan.push else 'no'}")
        wf.info("Command:")
        wf.info("  docker " + redact_argv(argv, plan.inputs.secret_values))
    outputs.build_summary(job, plan, None, dry_run=True)


def build_and_push(job: Job, plan: Plan, config_dir: str) -> BuildResult:
    inp, wf = plan.inputs, job.wf
    if inp.digests.push_by_digest and inp.digests.digests_dir:
        merge.digests_dir_path(inp.digests.digests_dir, job.env)  # refused before the push
    buildx_env = {**job.env, **plan.cache.env, "DOCKER_CONFIG": config_dir}
    with job.phases("builder"), wf.group("Builder"):
        builder, info = prepare(job, plan.builder, inp.build.buildkit_image, config_dir,
                                buildx_env)  # fmt: skip
        wf.info(f"buildx {plan.buildx}, builder {info.name} ({info.driver} driver)")

    work = tempfile.mkdtemp(prefix="build-", dir=config_dir)
    files = plan.files(work)
    result = BuildResult()
    try:
        commands.write_secret_files(plan.secret_payloads, files.secret_files)
        argv = plan.argv(files, builder)
        with (
            job.phases("build"),
            wf.group("Build" + (" and push" if plan.push else "")),
            # The command line and buildx's log quote build args, labels and the Dockerfile.
            wf.untrusted(),
        ):
            wf.info("docker " + redact_argv(argv, inp.secret_values))
            try:
                # A retry runs the same build again: every step is in BuildKit's cache by
                # then, so only the export and the push are repeated.
                result = retrier(inp.retry, log=wf.info)(
                    partial(
                        commands.run_build, job.runner, argv, iidfile=files.iidfile,
                        metadata_file=files.metadata_file, env=buildx_env, call=inp.build.call,
                    ),
                    "Build and push" if plan.push else "Build",
                )  # fmt: skip
            except BuildFailed as exc:
                result = exc.result
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)  # secret files live here
        # build-push-action writes these even when the build failed.
        outputs.build(job, result)
        outputs.build_summary(job, plan, result.digest)
    if inp.digests.push_by_digest:
        merge.record_digest(job, plan, result.digest)
    return result
