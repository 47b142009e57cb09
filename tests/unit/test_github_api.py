"""Repository facts and commit date from the GitHub API, mocked with ``responses``."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import requests
import responses
from support.meta import SHA_PR, load_event

from build_push_py.context import GitHubContext
from build_push_py.github_api import fetch_commit_date, fetch_repo_facts
from build_push_py.metadata import RepoFacts

REPO_JSON = {
    "name": "Hello-World",
    "full_name": "octocat/Hello-World",
    "description": "This your first repo!",
    "html_url": "https://github.com/octocat/Hello-World",
    "default_branch": "main",
    "license": {"key": "mit", "spdx_id": "MIT"},
    "private": False,
}
API = "https://api.github.com/repos/octocat/Hello-World"


def url(address: str) -> re.Pattern[str]:
    """PyGithub spells out the port and adds ``?page=1``; match the address either way."""
    scheme, _, rest = address.partition("://")
    host, _, path = rest.partition("/")
    return re.compile(rf"{scheme}://{re.escape(host)}(:443)?/{re.escape(path)}(\?.*)?$")


def _ctx(api_url: str = "https://api.github.com") -> GitHubContext:
    return dataclasses.replace(load_event("pull_request"), api_url=api_url)


@responses.activate
def test_facts_from_api() -> None:
    call = responses.get(url(API), json=REPO_JSON)
    warnings: list[str] = []
    facts = fetch_repo_facts(_ctx(), "t0ken", warn=warnings.append)
    assert facts == RepoFacts(
        "Hello-World",
        "This your first repo!",
        "https://github.com/octocat/Hello-World",
        "MIT",
        "main",
    )
    assert warnings == []
    assert call.calls[0].request.headers["Authorization"] == "token t0ken"


@responses.activate
def test_ghes_base_url_with_path() -> None:
    responses.get(
        url("https://ghe.example/api/v3/repos/octocat/Hello-World"),
        json={**REPO_JSON, "license": None},
    )
    facts = fetch_repo_facts(_ctx("https://ghe.example/api/v3"), "t", warn=pytest.fail)
    assert (facts.name, facts.license_spdx_id) == ("Hello-World", "")


FALLBACK = RepoFacts("Hello-World", "", "https://github.com/octocat/Hello-World", "", "master")


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        pytest.param(
            401, {"message": "Bad credentials"}, "HTTP 401 Bad credentials", id="unauthorized"
        ),
        pytest.param(404, {"message": "Not Found"}, "HTTP 404 Not Found", id="not-found"),
        pytest.param(
            403,
            {"message": "API rate limit exceeded"},
            "HTTP 403 API rate limit exceeded",
            id="rate-limited",
        ),
    ],
)
@responses.activate
def test_api_errors_fall_back(status: int, body: dict[str, str], reason: str) -> None:
    responses.get(url(API), json=body, status=status)
    warnings: list[str] = []
    assert fetch_repo_facts(_ctx(), "t", warn=warnings.append) == FALLBACK
    assert len(warnings) == 1
    assert reason in warnings[0]


@responses.activate
def test_network_error_falls_back() -> None:
    responses.get(url(API), body=requests.ConnectionError("connection refused"))
    warnings: list[str] = []
    assert fetch_repo_facts(_ctx(), "t", warn=warnings.append) == FALLBACK
    assert "connection refused" in warnings[0]


@responses.activate
def test_no_token_makes_no_call() -> None:
    warnings: list[str] = []
    assert fetch_repo_facts(_ctx(), "", warn=warnings.append) == FALLBACK
    assert len(warnings) == 1
    assert len(responses.calls) == 0


def test_empty_context_has_empty_facts() -> None:
    warnings: list[str] = []
    assert fetch_repo_facts(GitHubContext(), "t", warn=warnings.append) == RepoFacts()
    assert len(warnings) == 1


@responses.activate
def test_commit_date_from_payload_needs_no_api() -> None:
    assert (
        fetch_commit_date(load_event("push_branch"), "t", warn=pytest.fail)
        == "2020-01-09T17:45:12-08:00"
    )
    assert len(responses.calls) == 0


@responses.activate
def test_commit_date_from_api() -> None:
    responses.get(
        url(f"{API}/commits/{SHA_PR}"),
        json={"sha": SHA_PR, "commit": {"committer": {"date": "2024-11-13T13:42:28Z"}}},
    )
    assert fetch_commit_date(_ctx(), "t", warn=pytest.fail) == "2024-11-13T13:42:28+00:00"


@responses.activate
def test_commit_date_api_error_is_empty() -> None:
    responses.get(url(f"{API}/commits/{SHA_PR}"), json={"message": "Not Found"}, status=404)
    warnings: list[str] = []
    assert fetch_commit_date(_ctx(), "t", warn=warnings.append) == ""
    assert "HTTP 404" in warnings[0]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param({**REPO_JSON, "license": "MIT"}, '"license" is not an object', id="licence"),
        pytest.param({**REPO_JSON, "name": 5}, "'name' is not text", id="name"),
        pytest.param({**REPO_JSON, "license": {"spdx_id": []}}, "'license.spdx_id' is not text",
                     id="spdx-id"),
    ],
)  # fmt: skip
@responses.activate
def test_a_field_of_the_wrong_type_falls_back(answer: dict[str, object], reason: str) -> None:
    responses.get(url(API), json=answer)
    warnings: list[str] = []
    assert fetch_repo_facts(_ctx(), "t", warn=warnings.append) == FALLBACK
    assert warnings == [f"Cannot read repository octocat/Hello-World from {API[:22]}: "
                        f"the answer's {reason}"]  # fmt: skip


@responses.activate
def test_a_redirect_to_another_host_falls_back() -> None:
    elsewhere = "https://elsewhere.example/repos/octocat/Hello-World"
    responses.get(url(API), status=301, headers={"Location": elsewhere})
    warnings: list[str] = []
    assert fetch_repo_facts(_ctx(), "t", warn=warnings.append) == FALLBACK
    assert len(warnings) == 1
    assert "redirected from host api.github.com to elsewhere.example" in warnings[0]


@responses.activate
def test_the_apis_text_is_cleaned_as_the_payloads() -> None:
    """JSON's "\\udce9" is a lone surrogate, which no output file takes: U+FFFD, as for the
    payload's text."""
    body = json.dumps({**REPO_JSON, "description": "caf\udce9"})
    responses.get(url(API), body=body, content_type="application/json")
    responses.get(url(API.replace("Hello-World", "Gone")), status=404,
                  body='{"message": "gone \\udce9"}', content_type="application/json")  # fmt: skip
    warnings: list[str] = []

    facts = fetch_repo_facts(_ctx(), "t", warn=warnings.append)
    gone = dataclasses.replace(_ctx(), repository="octocat/Gone")
    fetch_repo_facts(gone, "t", warn=warnings.append)

    assert facts.description == "caf\ufffd"
    assert warnings[0].endswith("HTTP 404 gone \ufffd")
    for text in [*dataclasses.astuple(facts), *warnings]:
        text.encode()  # raises on a lone surrogate


@responses.activate
def test_a_commit_date_of_the_wrong_type_is_empty() -> None:
    responses.get(url(f"{API}/commits/{SHA_PR}"),
                  json={"sha": SHA_PR, "commit": {"committer": {"date": 5}}})  # fmt: skip
    warnings: list[str] = []
    assert fetch_commit_date(_ctx(), "t", warn=warnings.append) == ""
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Cannot read commit {SHA_PR} from https://api.github.com: ")
