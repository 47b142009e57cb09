"""The report switches (inputs/report.py, plan/report.py): inputs over build-push-action's
variables over the defaults, the variables read as actions-toolkit reads them, and the build
record's name."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.report import parse_report_inputs
from build_push_py.inputs.table import read_raw
from build_push_py.plan.report import (
    BuildRef,
    ReportSettings,
    file_size,
    record_name,
    report_settings,
)


def _settings(inputs: dict[str, str], env: dict[str, str]) -> ReportSettings:
    raw = read_raw({"INPUT_" + k.upper(): v for k, v in inputs.items()})
    return report_settings(parse_report_inputs(raw), env)


@pytest.mark.parametrize(
    ("inputs", "env", "expected"),
    [
        pytest.param({}, {}, ReportSettings(), id="defaults"),
        pytest.param({}, {"DOCKER_BUILD_SUMMARY": "false"},
                     ReportSettings(summary=False), id="env-turns-summary-off"),
        pytest.param({}, {"DOCKER_BUILD_SUMMARY": "0"},
                     ReportSettings(summary=False), id="env-parsebool-0"),
        pytest.param({"build-summary": "true"}, {"DOCKER_BUILD_SUMMARY": "false"},
                     ReportSettings(summary=True), id="input-wins-over-env"),
        pytest.param({"build-summary": "false"}, {"DOCKER_BUILD_SUMMARY": "not-a-bool"},
                     ReportSettings(summary=False), id="input-given-env-not-read"),
        pytest.param({"build-summary": " "}, {"DOCKER_BUILD_SUMMARY": "F"},
                     ReportSettings(summary=False), id="blank-input-leaves-it-to-env"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_UPLOAD": "false"},
                     ReportSettings(record_upload=False), id="env-upload-off"),
        pytest.param({"build-record-upload": "FALSE"}, {},
                     ReportSettings(record_upload=False), id="input-upload-off"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "5d"},
                     ReportSettings(retention_days=5), id="env-retention-parseint"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "0"},
                     ReportSettings(), id="env-retention-0-is-default"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": " -0"},
                     ReportSettings(), id="env-retention-minus-0-is-default"),
        pytest.param({"build-record-retention-days": "0030"}, {},
                     ReportSettings(retention_days=30), id="input-retention-leading-zeros"),
        pytest.param({"build-record-retention-days": "7"},
                     {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "30"},
                     ReportSettings(retention_days=7), id="input-retention-wins"),
        pytest.param({"build-record-upload": "false"},
                     {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "nope"},
                     ReportSettings(record_upload=False), id="retention-unread-without-upload"),
        pytest.param({}, {"DOCKER_BUILD_CHECKS_ANNOTATIONS": "false"},
                     ReportSettings(annotations=False), id="annotations-off"),
        pytest.param({"checks-fail-on-warnings": "true"}, {},
                     ReportSettings(fail_on_warnings=True), id="fail-on-warnings"),
        pytest.param(
            {}, {"DOCKER_BUILD_NO_SUMMARY": "true", "DOCKER_BUILD_EXPORT_LEGACY": "true",
                 "DOCKER_BUILD_EXPORT_RETENTION_DAYS": ""},
            ReportSettings(warnings=(
                "DOCKER_BUILD_NO_SUMMARY, DOCKER_BUILD_EXPORT_LEGACY: removed in "
                "build-push-action v7, ignored here; use the inputs build-summary and "
                "build-record-retention-days (or DOCKER_BUILD_SUMMARY and "
                "DOCKER_BUILD_RECORD_RETENTION_DAYS)",
            )),
            id="removed-variables-one-warning",
        ),
    ],
)  # fmt: skip
def test_settings(inputs: dict[str, str], env: dict[str, str], expected: ReportSettings) -> None:
    assert _settings(inputs, env) == expected


@pytest.mark.parametrize(
    ("inputs", "env", "message"),
    [
        pytest.param({"build-summary": "yes"}, {}, r"^input 'build-summary': 'yes' is not",
                     id="input-not-yaml-bool"),
        pytest.param({"checks-fail-on-warnings": "1"}, {},
                     r"^input 'checks-fail-on-warnings': '1' is not", id="fail-on-not-bool"),
        pytest.param({}, {"DOCKER_BUILD_SUMMARY": "yes"},
                     r"^input 'DOCKER_BUILD_SUMMARY': 'yes' is not a boolean", id="env-summary"),
        pytest.param({}, {"DOCKER_BUILD_CHECKS_ANNOTATIONS": "off"},
                     r"^input 'DOCKER_BUILD_CHECKS_ANNOTATIONS': 'off'", id="env-annotations"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_UPLOAD": "nah"},
                     r"^input 'DOCKER_BUILD_RECORD_UPLOAD': 'nah'", id="env-upload"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "a week"},
                     r"DOCKER_BUILD_RECORD_RETENTION_DAYS': 'a week' is not a number of days",
                     id="env-retention-nan"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "-3"},
                     r"'-3' is not a number of days", id="env-retention-negative"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "\u00b2"},
                     r"'\u00b2' is not a number of days", id="env-retention-superscript"),
        pytest.param({}, {"DOCKER_BUILD_RECORD_RETENTION_DAYS": "9" * 5000},
                     r"'9{40}' is not a number of days", id="env-retention-5000-digits"),
        pytest.param({"build-record-retention-days": "\u0663"}, {},
                     r"'\u0663' is not a number of days", id="input-retention-arabic-digit"),
        pytest.param({"build-record-retention-days": "9" * 5000}, {},
                     r"'9{40}' is not a number of days", id="input-retention-5000-digits"),
        pytest.param({"build-record-retention-days": "5d"}, {},
                     r"^input 'build-record-retention-days': '5d' is not a number of days",
                     id="input-retention-strict"),
        pytest.param({"build-record-retention-days": "0"}, {},
                     r"'0' is not a number of days from 1 to 400", id="input-retention-zero"),
        pytest.param({"build-record-retention-days": "401"}, {},
                     r"'401' is not a number of days from 1 to 400", id="input-retention-high"),
    ],
)  # fmt: skip
def test_invalid(inputs: dict[str, str], env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _settings(inputs, env)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("default/default/tc2dkuhjwmngpittn57roxged",
                     BuildRef("default", "default", "tc2dkuhjwmngpittn57roxged"),
                     id="docker-driver"),
        pytest.param("bpp-1a2b3c4d/bpp-1a2b3c4d0/abc",
                     BuildRef("bpp-1a2b3c4d", "bpp-1a2b3c4d0", "abc"), id="container-builder"),
        pytest.param("default/default", None, id="two-parts"),
        pytest.param("a/b/c/d", None, id="four-parts"),
        pytest.param("a/b/../x", None, id="path-in-id"),
        pytest.param("", None, id="empty"),
    ],
)  # fmt: skip
def test_build_ref(text: str, expected: BuildRef | None) -> None:
    assert BuildRef.parse(text) == expected


REF = BuildRef("default", "default", "tc2dkuhjwmngpittn57roxged")


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        pytest.param("octo-org/hello-world", ".octo-org~hello-world~TC2DKU.dockerbuild",
                     id="upstream-name-behind-a-dot"),
        pytest.param("", ".build~TC2DKU.dockerbuild", id="no-repository"),
        pytest.param("a/b:c", ".a~TC2DKU.dockerbuild", id="odd-characters-dropped"),
    ],
)  # fmt: skip
def test_record_name(repository: str, expected: str) -> None:
    assert record_name(repository, REF) == expected


@pytest.mark.parametrize(
    ("size", "text"),
    [
        pytest.param(0, "0 Bytes", id="zero"),
        pytest.param(1023, "1023 Bytes", id="bytes"),
        pytest.param(1024, "1 KB", id="one-kb"),
        pytest.param(9850, "9.62 KB", id="measured-record"),
        pytest.param(5 * 1024**3 + 1, "5 GB", id="gb"),
    ],
)
def test_file_size(size: int, text: str) -> None:
    assert file_size(size) == text
