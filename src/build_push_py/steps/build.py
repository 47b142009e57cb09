"""The build step: the builder, ``docker buildx build`` with the plan's argv, the outputs,
what the build reports (check annotations, the build record, the job summary); and the dry
run, which prints that same argv."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import proc
from ..buildx import checks, commands
from ..buildx.argv import build_context, redact_argv
from ..buildx.builder import BuilderInfo
from ..buildx.result import BuildFailed, BuildResult
from ..errors import ActionError
from ..plan.plan import BuildFiles, Plan
from ..plan.report import (
    BuildRecord,
    BuildRef,
    BuildReport,
    ReportSettings,
    file_size,
    record_name,
)
from ..retry import retrier
from . import merge, outputs
from .builder import prepare
from .job import Job

if TYPE_CHECKING:
    from ..runner.artifacts import ArtifactService

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
        wf.info("  " + redact_argv(argv, plan.inputs.secret_values))
    if plan.report.summary:
        outputs.build_summary(job, plan, None, dry_run=True)


def build_and_push(job: Job, plan: Plan, config_dir: str) -> BuildResult:
    """The builder, the build (and push), the outputs and the report, the digest file and
    the check warnings' verdict: the build step, in that order."""
    inp = plan.inputs
    if inp.digests.push_by_digest and inp.digests.digests_dir:
        merge.digests_dir_path(inp.digests.digests_dir, job.runner_env)  # refused before the push
    buildx_env = {**job.env, **plan.cache.env, "DOCKER_CONFIG": config_dir}
    builder, info = _builder(job, plan, config_dir, buildx_env)
    work = tempfile.mkdtemp(prefix="build-", dir=config_dir)
    files = plan.files(work)
    result = BuildResult()
    started = time.time()
    try:
        result = _build(job, plan, builder, files, buildx_env)
    except BuildFailed as exc:
        result = exc.result
        raise
    finally:
        metadata = commands.read_metadata(files.metadata_file)
        shutil.rmtree(work, ignore_errors=True)  # secret files live here
        # build-push-action writes these even when the build failed.
        outputs.build(job, result)
        report = _report(job, plan, result, metadata=metadata, builder=info.name,
                         started=started, buildx_env=buildx_env)  # fmt: skip
    if inp.digests.push_by_digest:
        merge.record_digest(job, plan, result.digest)
    _check_warnings(plan, report)
    return result


def _builder(
    job: Job, plan: Plan, config_dir: str, buildx_env: Mapping[str, str]
) -> tuple[str | None, BuilderInfo]:
    """The builder the build runs on (None: buildx's current one) and what it is: the
    plan's, made first when the plan says so."""
    inp, wf = plan.inputs, job.wf
    with job.phases("builder"), wf.group("Builder"):
        builder, info = prepare(job, plan.builder, inp.build.buildkit_image, config_dir,
                                buildx_env, retry=retrier(inp.retry, log=wf.info))  # fmt: skip
        wf.info(f"buildx {plan.buildx}, builder {info.name} ({info.driver} driver)")
    return builder, info


def _build(
    job: Job, plan: Plan, builder: str | None, files: BuildFiles, buildx_env: Mapping[str, str]
) -> BuildResult:
    """``buildx build`` with the secret files written, tried again after a temporary
    registry failure; its log fenced (it quotes build args, labels and the Dockerfile)."""
    inp, wf = plan.inputs, job.wf
    commands.write_secret_files(plan.secret_payloads, files.secret_files)
    argv = plan.argv(files, builder)
    with (
        job.phases("build"),
        wf.group("Build" + (" and push" if plan.push else "")),
        wf.untrusted(),
    ):
        wf.info(redact_argv(argv, inp.secret_values))
        # A retry runs the same build again: every step is in BuildKit's cache by then, so
        # only the export and the push are repeated.
        return retrier(inp.retry, log=wf.info)(
            partial(
                commands.run_build, job.runner, argv, iidfile=files.iidfile,
                metadata_file=files.metadata_file, env=buildx_env, call=inp.build.call,
                pass_env=[*plan.cache.pass_env, *(name for _, name in inp.build.secret_envs)],
            ),
            "Build and push" if plan.push else "Build",
        )  # fmt: skip


def _report(
    job: Job, plan: Plan, result: BuildResult, *, metadata: Mapping[str, Any], builder: str,
    started: float, buildx_env: Mapping[str, str],
) -> BuildReport:  # fmt: skip
    """The check warnings as annotations, the build record, their outputs and the summary;
    also of a failed build."""
    report_to = plan.report
    ref = metadata.get("buildx.build.ref")
    found = BuildRef.parse(ref if isinstance(ref, str) else "") or BuildRef.parse(
        commands.find_ref(buildx_env, builder, started)
    )
    report = BuildReport(
        check_warnings=annotate(job, plan, metadata, report_to),
        record=record(job, plan, found, report_to, buildx_env),
    )
    outputs.build_report(job, report)
    if report_to.summary:
        outputs.build_summary(job, plan, result.digest, report=report)
    return report


def _check_warnings(plan: Plan, report: BuildReport) -> None:
    """``checks-fail-on-warnings``: after the push and the outputs, as upstream."""
    count = report.check_warnings
    if plan.report.fail_on_warnings and count:
        raise ActionError(
            f"the Dockerfile's build checks found {count} warning{'s' if count != 1 else ''} "
            "and checks-fail-on-warnings is true",
            hint="# fix what the annotations on the Dockerfile point at, or let them pass:\n"
            "with:\n  checks-fail-on-warnings: false",
        )


def annotate(job: Job, plan: Plan, metadata: Mapping[str, Any], report_to: ReportSettings
             ) -> int:  # fmt: skip
    """Turn the build's check warnings into annotations on the Dockerfile (unless
    ``DOCKER_BUILD_CHECKS_ANNOTATIONS`` is false); returns how many warnings there were."""
    warnings = checks.check_warnings(metadata)
    if not warnings or not report_to.annotations:
        return len(warnings)
    target = checks.dockerfile(
        build_context(plan.build, plan.facts),
        plan.build.file,
        cwd=str(Path.cwd()),
        workspace=job.runner_env.workspace,
        repository=job.runner_env.repository,
    )
    if target is None:
        return len(warnings)
    content = None
    if target.local_path is not None:
        try:
            content = Path(target.local_path).read_bytes()
        except OSError:
            return len(warnings)
    found = checks.to_annotations(warnings, target, content)
    # Workflow.warning escapes the Dockerfile's text: it cannot end the command or add one.
    with job.wf.group(f"Generating GitHub annotations ({len(found)} build checks found)"):
        for note in found:
            job.wf.warning(note.message, title=note.title, file=note.file, line=note.line)
    return len(warnings)


def _skip_record(job: Job, plan: Plan, ref: BuildRef | None, report_to: ReportSettings) -> str:
    """Why this run exports no build record ('' when it does), as upstream decides it."""
    call = plan.build.call
    if not report_to.summary:
        return "Build summary disabled"
    if not job.wf.on_runner:
        return "no build record outside GitHub Actions"
    if call not in ("", "build"):
        return f"Build summary skipped for {call} subrequest"
    if not plan.buildx.at_least(commands.RECORD_EXPORT):
        return f"Build summary requires Buildx >= {commands.RECORD_EXPORT}"
    if ref is None:
        return "Build summary requires a build reference"
    return ""


def _service(job: Job, report_to: ReportSettings) -> ArtifactService | str:
    from ..runner import artifacts  # noqa: PLC0415 - http.client and ssl, for an upload only

    if not report_to.record_upload:
        return "build record upload disabled"
    # Not RunnerEnv.on_dotcom, which compares the URL's text: this reads its host, in any
    # scheme, port or case and whatever its path, and a *.localhost server has the service.
    host = urlsplit(job.runner_env.server_url).hostname or ""
    if host != "github.com" and not host.endswith((".ghe.com", ".localhost")):
        return "GitHub Enterprise Server has no artifact service for build records"
    return artifacts.service_from_env(job.runner_env)


def record(
    job: Job, plan: Plan, ref: BuildRef | None, report_to: ReportSettings,
    buildx_env: Mapping[str, str],
) -> BuildRecord | None:  # fmt: skip
    """Export the build's record from buildx's history and upload it as an artifact. Never
    fails the build: any failure is one warning."""
    wf, gh = job.wf, job.runner_env
    reason = (
        "No build record: the step is being cancelled"
        if proc.cancelling()
        else _skip_record(job, plan, ref, report_to)
    )
    if reason or ref is None:
        wf.info(reason)
        return None
    with job.phases("record"), wf.group("Build record"):
        name = record_name(gh.repository, ref)
        path = Path(tempfile.mkdtemp(prefix="build-record-", dir=outputs.temp_root(gh))) / name
        try:
            commands.export_record(
                job.runner, ref.builder, ref.id, output=str(path), version=plan.buildx,
                env=buildx_env,
            )  # fmt: skip
            size = path.stat().st_size
        except (ActionError, OSError) as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            wf.warning(f"could not export the build record: {exc}")
            return None
        wf.info(f"Build record written to {path} ({file_size(size)})")
        exported = BuildRecord(name, str(path), size)
        service = _service(job, report_to)
        if isinstance(service, str):
            wf.info(f"Not uploading the build record: {service}")
            return exported
        from ..runner import artifacts  # noqa: PLC0415 - as in _service

        expires_at, note = artifacts.expiry(
            datetime.now(UTC), report_to.retention_days, gh.retention_days
        )
        if note:
            wf.warning(note)
        wf.info(f"Uploading {name} as an artifact")
        try:
            uploaded = artifacts.upload(service, name, path, expires_at=expires_at)
        except (artifacts.ArtifactError, OSError) as exc:
            wf.warning(f"could not upload the build record {name}: {exc}")
            return exported
        url = artifacts.artifact_url(
            gh.server_url,
            gh.repository,
            gh.run_id,
            uploaded.artifact_id,
        )
        wf.info(f"Artifact download URL: {url}")
        return BuildRecord(name, str(path), size, uploaded.artifact_id, url)
