"""The report inputs: ``checks-fail-on-warnings``, ``build-summary``, ``build-record-upload``
and ``build-record-retention-days``, as given (``plan.report`` resolves them with the
variables)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError
from .grammar import input_bool, whole_number

# GitHub keeps artifacts at most 90 days on public repositories, 400 on private ones of an
# enterprise; the repository's own limit (GITHUB_RETENTION_DAYS) caps it at upload time.
MAX_RETENTION_DAYS = 400


@dataclass(frozen=True)
class ReportInputs:
    """The inputs as given: None where the input is empty (the variable or default decides)."""

    fail_on_warnings: bool = False
    summary: bool | None = None
    record_upload: bool | None = None
    retention_days: int | None = None


def _optional_bool(name: str, value: str) -> bool | None:
    return None if value.strip() == "" else input_bool(name, value)


def parse_retention_days(name: str, value: str) -> int | None:
    text = value.strip()
    if text == "":
        return None
    days = whole_number(text, MAX_RETENTION_DAYS) if re.fullmatch(r"[0-9]+", text) else None
    if days is None or not 1 <= days <= MAX_RETENTION_DAYS:
        raise InputError(
            name,
            f"{text[:40]!r} is not a number of days from 1 to {MAX_RETENTION_DAYS}; "
            "leave it empty for the repository's default",
        )
    return days


def parse_report_inputs(raw: Mapping[str, str]) -> ReportInputs:
    return ReportInputs(
        fail_on_warnings=input_bool("checks-fail-on-warnings", raw["checks-fail-on-warnings"]),
        summary=_optional_bool("build-summary", raw["build-summary"]),
        record_upload=_optional_bool("build-record-upload", raw["build-record-upload"]),
        retention_days=parse_retention_days(
            "build-record-retention-days", raw["build-record-retention-days"]
        ),
    )
