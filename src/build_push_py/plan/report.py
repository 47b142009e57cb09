"""What a build reports besides its outputs: check annotations, the job summary and the build
record. The inputs (``inputs.report``) and build-push-action's environment switches, resolved
into ``ReportSettings``. Pure.

An input that is given wins over its variable; an empty input leaves the choice to the
variable (``DOCKER_BUILD_SUMMARY``, ``DOCKER_BUILD_RECORD_UPLOAD``,
``DOCKER_BUILD_RECORD_RETENTION_DAYS``), and an unset variable to the default. The variables
are read as actions-toolkit reads them (``Util.parseBool``, ``parseInt``), so a workflow that
sets them for build-push-action v7 behaves the same here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError
from ..inputs.grammar import env_bool, whole_number
from ..inputs.report import MAX_RETENTION_DAYS, ReportInputs
from ..metadata.jsnum import JS_PARSE_INT

SUMMARY_ENV = "DOCKER_BUILD_SUMMARY"
CHECKS_ANNOTATIONS_ENV = "DOCKER_BUILD_CHECKS_ANNOTATIONS"
RECORD_UPLOAD_ENV = "DOCKER_BUILD_RECORD_UPLOAD"
RECORD_RETENTION_ENV = "DOCKER_BUILD_RECORD_RETENTION_DAYS"
# Removed in build-push-action v7.0.0; v7 ignores them silently, we say so once.
REMOVED_ENV = (
    "DOCKER_BUILD_NO_SUMMARY",
    "DOCKER_BUILD_EXPORT_RETENTION_DAYS",
    "DOCKER_BUILD_EXPORT_LEGACY",
)


@dataclass(frozen=True)
class ReportSettings:
    annotations: bool = True  # check warnings become annotations on the Dockerfile
    fail_on_warnings: bool = False
    summary: bool = True  # the job summary, and the build record it links
    record_upload: bool = True  # the record as an artifact (else only the file)
    retention_days: int | None = None  # None: the repository's default
    warnings: tuple[str, ...] = ()


def _env_retention_days(knobs: Mapping[str, str]) -> int | None:
    """``DOCKER_BUILD_RECORD_RETENTION_DAYS`` as upstream's ``parseInt`` reads it: ``5d`` is 5,
    ``0`` the repository's default. What parseInt cannot read stops upstream's whole summary
    with a warning; here it is an error before the build, naming the variable."""
    value = knobs.get(RECORD_RETENTION_ENV, "")
    if value.strip() == "":
        return None
    match = JS_PARSE_INT.match(value)
    sign, digits = match.groups() if match else ("", "")
    days = whole_number(digits, MAX_RETENTION_DAYS) if digits else None
    if days is None or (days and sign == "-"):
        raise InputError(
            RECORD_RETENTION_ENV,
            f"{value.strip()[:40]!r} is not a number of days from 0 to {MAX_RETENTION_DAYS}",
            hint=f"env:\n  {RECORD_RETENTION_ENV}: '30'",
        )
    return days or None


def report_settings(inp: ReportInputs, knobs: Mapping[str, str]) -> ReportSettings:
    """The settings of this run from the inputs and ``knobs`` (``RunnerEnv.knobs``); a
    variable with a value its parser refuses is an InputError."""

    def switch(name: str, given: bool | None) -> bool:
        if given is not None:
            return given
        return env_bool(name, knobs.get(name), default=True)

    removed = [name for name in REMOVED_ENV if knobs.get(name, "").strip()]
    warnings = (
        (
            f"{', '.join(removed)}: removed in build-push-action v7, ignored here; use the "
            "inputs build-summary and build-record-retention-days (or DOCKER_BUILD_SUMMARY "
            "and DOCKER_BUILD_RECORD_RETENTION_DAYS)",
        )
        if removed
        else ()
    )
    summary = switch(SUMMARY_ENV, inp.summary)
    upload = switch(RECORD_UPLOAD_ENV, inp.record_upload)
    retention = inp.retention_days
    if upload and retention is None:
        retention = _env_retention_days(knobs)
    return ReportSettings(
        annotations=env_bool(
            CHECKS_ANNOTATIONS_ENV, knobs.get(CHECKS_ANNOTATIONS_ENV), default=True
        ),
        fail_on_warnings=inp.fail_on_warnings,
        summary=summary,
        record_upload=upload,
        retention_days=retention if upload else None,
        warnings=warnings,
    )


_REF = re.compile(r"([^/\s]+)/([^/\s]+)/([A-Za-z0-9]+)")
_NAME_PART = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class BuildRef:
    """A build in buildx's history: ``buildx.build.ref`` is ``<builder>/<node>/<id>``."""

    builder: str
    node: str
    id: str

    @classmethod
    def parse(cls, text: str) -> BuildRef | None:
        match = _REF.fullmatch(text.strip())
        return cls(*match.groups()) if match else None


def record_name(repository: str, ref: BuildRef) -> str:
    """The build record's file and artifact name: upstream's ``<owner>~<repo>~<ID6>.dockerbuild``
    behind a dot. A leading dot keeps it out of ``*`` patterns (actions/download-artifact's
    minimatch, and shell globs like ``digests/*`` after ``merge-multiple``), which is how a
    record got mixed into other artifacts (docker/build-push-action#1167)."""
    words = [w for w in repository.split("/") if _NAME_PART.fullmatch(w)] or ["build"]
    return "." + "~".join([*words[:2], ref.id[:6].upper()]) + ".dockerbuild"


@dataclass(frozen=True)
class BuildRecord:
    """The exported record: its file, and the artifact it became (None: not uploaded)."""

    name: str
    path: str
    size: int
    artifact_id: int | None = None
    url: str = ""


@dataclass(frozen=True)
class BuildReport:
    """What a build reported besides its outputs."""

    check_warnings: int = 0
    record: BuildRecord | None = None


def file_size(size: int) -> str:
    """A size as upstream logs it (actions-toolkit ``Util.formatFileSize``): ``9.62 KB``."""
    units = ("Bytes", "KB", "MB", "GB", "TB")
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{round(value, 2):g} {units[unit]}"
