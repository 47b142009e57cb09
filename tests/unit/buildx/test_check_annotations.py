"""Build check warnings -> annotations (buildx/checks.py), as actions-toolkit's
``convertWarningsToGitHubAnnotations`` makes them, and the workflow command they become.

``metadata-check-warnings.json`` is what buildx 0.29.1 on engine 28.5.2 wrote for
``FROM <base> as base`` / ``RUN true`` / ``ENV PASSWORD=x`` in ``sub/Dockerfile.dev``.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest

from build_push_py.buildx import checks
from build_push_py.buildx.checks import Annotation, Dockerfile
from build_push_py.runner.workflow import Workflow

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "buildx"
METADATA = json.loads((FIXTURE / "metadata-check-warnings.json").read_text())
WARNINGS = checks.check_warnings(METADATA)
CONTENT = b"FROM localhost/bpp-test/busybox:latest as base\nRUN true\nENV PASSWORD=x\n"
LOCAL = Dockerfile("sub/Dockerfile.dev", "/ws/sub/Dockerfile.dev")


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def test_the_measured_warnings_become_two_annotations() -> None:
    assert checks.to_annotations(WARNINGS, LOCAL, CONTENT) == [
        Annotation(
            "FromAsCasing: 'as' and 'FROM' keywords' casing do not match\n"
            "More info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
            "The 'as' keyword should match the case of the 'from' keyword",
            "sub/Dockerfile.dev",
            1,
        ),
        Annotation(
            "SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data "
            '(ENV "PASSWORD")\n'
            "More info: https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/",
            "Sensitive data should not be used in the ARG or ENV commands",
            "sub/Dockerfile.dev",
            3,
        ),
    ]


@pytest.mark.parametrize(
    ("target", "content", "count"),
    [
        pytest.param(LOCAL, CONTENT, 2, id="same-file-same-content"),
        pytest.param(LOCAL, CONTENT + b"# changed since\n", 0, id="other-content"),
        pytest.param(Dockerfile("sub/Dockerfile", "/ws/sub/Dockerfile"), CONTENT, 0,
                     id="other-file-name"),
        pytest.param(LOCAL, None, 0, id="unreadable-local-file"),
        pytest.param(Dockerfile("Dockerfile"), None, 2, id="remote-takes-every-warning"),
    ],
)  # fmt: skip
def test_which_dockerfile_a_warning_is_about(
    target: Dockerfile, content: bytes | None, count: int
) -> None:
    found = checks.to_annotations(WARNINGS, target, content)
    assert len(found) == count
    assert all(a.file == target.path for a in found)


def _warning(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(WARNINGS[0])
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("warning", "expected"),
    [
        pytest.param(_warning(short=None), None, id="no-short"),
        pytest.param(_warning(detail=[]), None, id="no-detail"),
        pytest.param(_warning(short="not base64!"), None, id="short-not-base64"),
        pytest.param(_warning(detail=["@@"]), None, id="detail-not-base64"),
        pytest.param(_warning(sourceInfo=None), None, id="no-source"),
        pytest.param(_warning(sourceInfo={"filename": "Dockerfile.dev"}), None,
                     id="no-source-data"),
        pytest.param(
            _warning(url=None, range=None),
            Annotation("FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
                       "The 'as' keyword should match the case of the 'from' keyword",
                       "sub/Dockerfile.dev", None),
            id="no-url-no-range",
        ),
        pytest.param(
            _warning(detail=[b64("first part"), b64("second part")], short=b64("X (line 2) y"),
                     range=[{"start": {"line": 2}}]),
            Annotation("X (line 2) y\nMore info: " + str(WARNINGS[0]["url"]),
                       "first part second part", "sub/Dockerfile.dev", 2),
            id="details-joined-line-suffix-only-at-the-end",
        ),
        pytest.param(
            _warning(url=None, range=[{"start": {"line": True}}]),
            Annotation("FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
                       "The 'as' keyword should match the case of the 'from' keyword",
                       "sub/Dockerfile.dev", None),
            id="boolean-line-is-no-line",
        ),
    ],
)  # fmt: skip
def test_incomplete_warnings(warning: dict[str, Any], expected: Annotation | None) -> None:
    found = checks.to_annotations([warning], LOCAL, CONTENT)
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("metadata", "count"),
    [
        pytest.param({}, 0, id="no-warnings"),
        pytest.param({"buildx.build.warnings": "x"}, 0, id="not-a-list"),
        pytest.param({"buildx.build.warnings": [1, {"short": "x"}]}, 1, id="non-objects-dropped"),
        pytest.param(METADATA, 2, id="measured"),
    ],
)
def test_check_warnings(metadata: dict[str, Any], count: int) -> None:
    assert len(checks.check_warnings(metadata)) == count


REPO = "octo-org/hello-world"


@pytest.mark.parametrize(
    ("context", "file", "expected"),
    [
        pytest.param(".", "", Dockerfile("Dockerfile", "/ws/Dockerfile"), id="default"),
        pytest.param("app", "", Dockerfile("app/Dockerfile", "/ws/app/Dockerfile"),
                     id="context-subdirectory"),
        pytest.param("app", "docker/Dockerfile.dev",
                     Dockerfile("docker/Dockerfile.dev", "/ws/docker/Dockerfile.dev"),
                     id="file-relative-to-the-working-directory"),
        pytest.param(".", "/ws/sub/../x/Dockerfile", Dockerfile("x/Dockerfile", "/ws/x/Dockerfile"),
                     id="absolute-inside"),
        pytest.param(".", "/elsewhere/Dockerfile", None, id="absolute-outside"),
        pytest.param("../other", "", None, id="context-outside"),
        pytest.param(".", "-", None, id="stdin"),
        pytest.param("-", "", None, id="tarball-on-stdin"),
        pytest.param(f"https://github.com/{REPO}.git#refs/heads/main", "",
                     Dockerfile("Dockerfile"), id="git-context-of-this-repository"),
        pytest.param(f"https://github.com/{REPO}.git#main:sub", "sub/Dockerfile",
                     Dockerfile("sub/Dockerfile"), id="git-context-with-file"),
        pytest.param(f"https://acme.ghe.com/{REPO}", "", Dockerfile("Dockerfile"),
                     id="ghe-com"),
        pytest.param(f"git@github.com:{REPO}.git", "", Dockerfile("Dockerfile"), id="scp-form"),
        pytest.param("https://github.com/octo-org/other.git", "", None, id="other-repository"),
        pytest.param(f"https://gitlab.com/{REPO}.git", "", None, id="other-host"),
        pytest.param(f"https://ghes.example/{REPO}.git", "", None, id="enterprise-server"),
        pytest.param("https://example.com/context.tar.gz", "", None, id="tarball-url"),
    ],
)  # fmt: skip
def test_dockerfile_of_the_build(context: str, file: str, expected: Dockerfile | None) -> None:
    assert checks.dockerfile(context, file, cwd="/ws", workspace="/ws", repository=REPO) == expected


def _runner_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command as the runner does (ActionCommand.TryParseV2): the name up to a
    space, properties split at ``,`` then ``=``, the data after the first ``::`` that follows;
    then its unescaping."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props = info.partition(" ")

    def unescape(text: str, *, prop: bool) -> str:
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
        for code, char in [*pairs, ("%25", "%")]:
            text = text.replace(code, char)
        return text

    properties = {}
    for item in filter(None, props.split(",")):
        key, _, value = item.partition("=")
        properties[key] = unescape(value, prop=True)
    return name, properties, unescape(data, prop=False)


HOSTILE = "a::error::forged\n::error file=x::forged too\r%0A,title=t::x 100%"


@pytest.mark.parametrize(
    "note",
    [
        pytest.param(Annotation(HOSTILE, "title", "Dockerfile", 1), id="message"),
        pytest.param(Annotation("m", HOSTILE, "Dockerfile", 1), id="title"),
        pytest.param(Annotation("m", "t", "dir,line=9::x/%0A\nDockerfile", 2), id="file"),
    ],
)
def test_a_dockerfile_cannot_forge_a_workflow_command(
    note: Annotation, capsys: pytest.CaptureFixture[str]
) -> None:
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=io.StringIO())
    wf.warning(note.message, title=note.title, file=note.file, line=note.line)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    name, properties, data = _runner_command(lines[0])
    assert (name, data) == ("warning", note.message)
    assert properties == {"title": note.title, "file": note.file, "line": str(note.line)}
