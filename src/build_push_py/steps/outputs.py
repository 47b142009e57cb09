"""The one writer of what a run leaves for the workflow: step outputs, env exports, state
(what the clean-up removes), and the job summary (the failure report included).

A new step adds its outputs here, under a name of ``inputs.table.OUTPUTS``.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..buildx.result import BuildResult
from ..errors import ActionError
from ..inputs.grammar import env_bool
from ..inputs.table import OUTPUT_NAMES
from ..metadata import (
    BAKE_FILE_NAMES,
    Meta,
    MetaInputs,
    bake_file_text,
    bake_files,
    env_exports,
    meta_outputs,
)
from ..plan.plan import Plan
from ..plan.report import BuildRecord, BuildReport, file_size
from ..runner.env import RunnerEnv
from ..runner.summary import cell, code_block, table
from ..runner.workflow import Workflow
from .job import Job

TITLE = "build-push-py"


def temp_root(runner: RunnerEnv) -> str:
    return runner.temp or tempfile.gettempdir()


def _set(job: Job, outputs: Mapping[str, str]) -> None:
    for name, value in outputs.items():
        if name not in OUTPUT_NAMES:
            raise ValueError(f"{name!r} is not an output of action.yml")
        job.wf.set_output(name, value)


def metadata(job: Job, meta: Meta, inp: MetaInputs) -> None:
    """metadata-action's outputs, its bake files, and (unless switched off) the same values
    as ``DOCKER_METADATA_OUTPUT_*`` variables."""
    outputs = dict(meta_outputs(meta, inp))
    if job.wf.passes_outputs_on:  # else no output names them (the CLI): none to leave behind
        bake_dir = Path(tempfile.mkdtemp(prefix="metadata-", dir=temp_root(job.runner_env)))
        for name, content in bake_files(meta, inp).items():
            path = bake_dir / BAKE_FILE_NAMES[name]
            path.write_text(bake_file_text(content), encoding="utf-8")
            outputs[name] = str(path)
    _set(job, outputs)
    name = "DOCKER_METADATA_SET_OUTPUT_ENV"
    if env_bool(name, job.runner_env.knobs.get(name), default=True):
        for variable, value in env_exports(outputs).items():
            job.wf.export_env(variable, value)


def build(job: Job, result: BuildResult) -> None:
    """build-push-action's outputs; written also when the build failed."""
    _set(job, {"imageid": result.imageid, "digest": result.digest, "metadata": result.metadata})


def merged(job: Job, index_digest: str) -> None:
    _set(job, {"digest": index_digest})


def signed(job: Job, verify_commands: Sequence[str]) -> None:
    """The signing step's outputs, and the verify commands in the summary."""
    _set(job, {
        "signed": "true" if verify_commands else "false",
        "cosign-verify-command": "\n".join(verify_commands),
    })  # fmt: skip
    if verify_commands:
        rows = [("Verify", "<br>".join(cell(c) for c in verify_commands)), ("Time", _times(job))]
        job.wf.summary(table(f"{TITLE} signatures", rows))


def _times(job: Job) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in job.phases.seconds.items())


def build_report(job: Job, report: BuildReport) -> None:
    """The outputs of what the build reported: the check warnings and the build record."""
    found = report.record
    _set(job, {
        "check-warnings": str(report.check_warnings),
        "build-record": found.path if found else "",
        "build-record-artifact": str(found.artifact_id) if found and found.artifact_id else "",
    })  # fmt: skip


# The one link of the summary, to the build record's artifact. It is made of the runner's
# GITHUB_SERVER_URL and GITHUB_REPOSITORY and two numbers; anything but these characters is
# shown as text instead (``cell``), so nothing else can become a link or markup.
_ARTIFACT_URL = re.compile(
    r"https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._-]+)*/actions/runs/\d+/artifacts/\d+"
)


def _record_cell(found: BuildRecord) -> str:
    size = file_size(found.size)
    if found.url and _ARTIFACT_URL.fullmatch(found.url):
        return f'<a href="{html.escape(found.url, quote=True)}">{cell(found.name)}</a> ({size})'
    where = cell(found.url) if found.url else "not uploaded"
    return f"{cell(found.name)} ({size}, {where})"


def build_summary(
    job: Job, plan: Plan, digest: str | None, *, dry_run: bool = False,
    report: BuildReport | None = None, promoted_from: str = "",
) -> None:  # fmt: skip
    meta, cache = plan.meta, plan.cache
    title = f"{TITLE} plan (dry run)" if dry_run else TITLE
    rows = [
        ("Images", ", ".join(cell(i) for i in meta.images) or "-"),
        ("Tags", "<br>".join(cell(t) for t in meta.tags) or "-"),
        ("Pushed", "yes" if plan.push and not dry_run else "no"),
        ("Digest", cell(digest) if digest else "-"),
        ("Platforms", ", ".join(cell(p) for p in plan.inputs.build.platforms) or "engine default"),
        (
            "Cache",
            "<br>".join(cell(c.text) for c in [*cache.cache_from, *cache.cache_to]) or "none",
        ),
    ]
    if promoted_from:
        rows.append(("Build", f"promoted from {cell(promoted_from)}, not rebuilt"))
    if report is not None:
        rows.append(("Build check warnings", str(report.check_warnings)))
        if report.record is not None:
            rows.append(("Build record", _record_cell(report.record)))
    rows.append(("Time", _times(job)))
    job.wf.summary(table(title, rows))


def merge_summary(
    job: Job, groups: Mapping[str, Sequence[str]], digests: Sequence[str], index_digest: str,
    *, dry_run: bool = False,
) -> None:  # fmt: skip
    rows = [
        ("Images", ", ".join(cell(i) for i in groups)),
        ("Tags", "<br>".join(cell(t) for tags in groups.values() for t in tags)),
        ("Merged digests", "<br>".join(cell(d) for d in digests)),
        ("Index digest", cell(index_digest) if index_digest else "-"),
        ("Time", _times(job)),
    ]
    job.wf.summary(table(f"{TITLE} merge" + (" (dry run)" if dry_run else ""), rows))


def report_failure(wf: Workflow, exc: ActionError) -> None:
    """The one error report of the action and the CLI: an ``::error::`` line, and in the job
    summary the message and the fix, both as text that cannot render."""
    wf.error(str(exc))
    parts = [f"### {TITLE} failed", "", code_block(str(exc))]
    if exc.hint:
        parts += ["", "How to fix it:", "", code_block(exc.hint, "yaml")]
    wf.summary("\n".join(parts) + "\n")
