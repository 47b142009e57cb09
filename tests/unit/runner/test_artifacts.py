"""The artifact upload (runner/artifacts.py) against a local v4 artifact service of our own
(tests/support/artifact_server.py): the Twirp calls, the blocks, the token's scope, and every
way it can fail, each as one ArtifactError that quotes neither the token nor the signed URL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.artifact_server import SIGNATURE, ArtifactServer, running, runtime_token

from build_push_py.runner import artifacts
from build_push_py.runner.artifacts import ArtifactError, ArtifactService
from build_push_py.runner.env import RunnerEnv
from build_push_py.runner.http import Request

TOKEN = runtime_token()
# No proxy from the test machine's environment between the client and 127.0.0.1.
DIRECT = artifacts.urllib_sender({})


@pytest.fixture
def server() -> Iterator[ArtifactServer]:
    with running(TOKEN) as found:
        yield found


def _service(server: ArtifactServer, token: str = TOKEN) -> ArtifactService:
    runner = RunnerEnv.from_env({"ACTIONS_RESULTS_URL": server.url + "/",
                                 "ACTIONS_RUNTIME_TOKEN": token})  # fmt: skip
    found = artifacts.service_from_env(runner)
    assert isinstance(found, ArtifactService), found
    return found


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / ".octo~app~ABC123.dockerbuild"
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


def _no_sleep(seconds: float) -> None:
    pass


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(0, id="empty-file"),
        pytest.param(9850, id="one-block-as-measured"),
        pytest.param(artifacts.BLOCK_SIZE + 17, id="two-blocks"),
    ],
)
@pytest.mark.parametrize("camel_case", [pytest.param(False, id="proto-names"),
                                        pytest.param(True, id="act-camel-case")])  # fmt: skip
def test_upload_creates_sends_blocks_and_finalizes(tmp_path: Path, size: int, camel_case: bool
                                                   ) -> None:  # fmt: skip
    path = _file(tmp_path, size)
    with running(TOKEN, camel_case=camel_case) as server:
        done = artifacts.upload(_service(server), path.name, path, send=DIRECT, sleep=_no_sleep)
    stored = server.artifacts[path.name]
    assert stored.content == path.read_bytes()
    assert stored.content_type == "application/octet-stream"
    assert done == artifacts.Uploaded(
        stored.artifact_id or -1, size, hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert stored.request == {
        "workflow_run_backend_id": "run-backend-1",
        "workflow_job_run_backend_id": "job-backend-2",
        "name": path.name,
        "version": 4,
    }
    # The token goes to the results service only, never to the blob store.
    assert [(m, auth) for m, p, _, auth in server.requests if p.startswith("/blob/")] == [
        ("PUT", False)
    ] * (len(stored.blocks) + 1)
    assert all(auth for _, p, _, auth in server.requests if p.startswith("/twirp/"))


def test_retention_becomes_expires_at(server: ArtifactServer, tmp_path: Path) -> None:
    path = _file(tmp_path, 10)
    expires_at, note = artifacts.expiry(datetime(2026, 12, 1, 8, 30, tzinfo=UTC), 5)
    artifacts.upload(_service(server), path.name, path, expires_at=expires_at, send=DIRECT)
    assert (expires_at, note) == ("2026-12-06T08:30:00Z", "")
    assert server.artifacts[path.name].request["expires_at"] == "2026-12-06T08:30:00Z"


@pytest.mark.parametrize(
    ("days", "limit", "expected"),
    [
        pytest.param(None, "90", ("", ""), id="repository-default"),
        pytest.param(30, "", ("2027-01-01T00:00:00Z", ""), id="no-repository-limit"),
        pytest.param(30, "90", ("2027-01-01T00:00:00Z", ""), id="under-the-limit"),
        pytest.param(
            30, "7",
            ("2026-12-09T00:00:00Z",
             "build record retention of 30 days is more than the repository allows; "
             "keeping it 7 days"),
            id="capped-at-the-repository-limit",
        ),
    ],
)  # fmt: skip
def test_expiry(days: int | None, limit: str, expected: tuple[str, str]) -> None:
    assert artifacts.expiry(datetime(2026, 12, 2, tzinfo=UTC), days, limit) == expected


def test_a_transient_failure_is_tried_again(server: ArtifactServer, tmp_path: Path) -> None:
    server.faults = {"CreateArtifact": [503], "blob": [500], "FinalizeArtifact": [429]}
    waits: list[float] = []
    path = _file(tmp_path, 100)
    done = artifacts.upload(_service(server), path.name, path, send=DIRECT, sleep=waits.append)
    assert server.artifacts[path.name].content == path.read_bytes()
    assert done.size == 100
    assert waits == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("faults", "token", "message"),
    [
        pytest.param({}, runtime_token().replace("c2lnbmF0dXJl", "") + "x",
                     "CreateArtifact answered HTTP 401: unauthenticated: bad token",
                     id="token-refused"),
        pytest.param({"CreateArtifact": [503, 503, 503]}, TOKEN,
                     "CreateArtifact answered HTTP 503: unavailable: try later",
                     id="service-down-after-retries"),
        pytest.param({"CreateArtifact": [404]}, TOKEN,
                     "CreateArtifact answered HTTP 404: unavailable: try later",
                     id="not-retried-on-404"),
        pytest.param({"blob": [403]}, TOKEN, "uploading block 1 answered HTTP 403 (no body)",
                     id="blob-refused-without-quoting-its-echo"),
        pytest.param({"FinalizeArtifact": [400]}, TOKEN,
                     "FinalizeArtifact answered HTTP 400: unavailable: try later",
                     id="finalize-refused"),
    ],
)  # fmt: skip
def test_failures_are_one_error_without_credentials(
    server: ArtifactServer, tmp_path: Path, faults: dict[str, list[int]], token: str, message: str
) -> None:
    server.faults = faults
    path = _file(tmp_path, 100)
    with pytest.raises(ArtifactError) as caught:
        artifacts.upload(_service(server, token), path.name, path, send=DIRECT, sleep=_no_sleep)
    text = str(caught.value)
    assert text == message
    assert token not in text
    assert SIGNATURE not in text
    assert "secret-bearing" not in text


def test_a_redirect_is_not_followed(server: ArtifactServer, tmp_path: Path) -> None:
    """urllib would send the token on to wherever a redirect points."""
    server.faults = {"CreateArtifact": [302]}
    path = _file(tmp_path, 1)
    with pytest.raises(ArtifactError, match=r"^CreateArtifact answered HTTP 302"):
        artifacts.upload(_service(server), path.name, path, send=DIRECT, sleep=_no_sleep)
    assert [p for _, p, _, _ in server.requests] == [artifacts_path("CreateArtifact")]


def artifacts_path(method: str) -> str:
    return "/" + artifacts.SERVICE + method


def test_unreachable_service_is_one_error(tmp_path: Path) -> None:
    with running(TOKEN) as server:
        service = _service(server)
    path = _file(tmp_path, 1)  # the server is gone: the port refuses
    with pytest.raises(ArtifactError, match=r"^CreateArtifact failed: .*refused"):
        artifacts.upload(service, path.name, path, send=DIRECT, sleep=_no_sleep)


def test_a_field_act_does_not_know_is_refused_by_the_test_server(server: ArtifactServer) -> None:
    """The server refuses unknown fields, as act's does: what the client sends passes it."""
    service = _service(server)
    request = artifacts.create_request(service, "x")
    extra = json.loads(request.body) | {"mime_type": "application/octet-stream"}
    refused = DIRECT(Request("POST", request.url, request.headers, json.dumps(extra).encode()))
    accepted = DIRECT(request)
    assert (refused.status, accepted.status) == (500, 200)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        pytest.param("Actions.Results:r1:j1", ("r1", "j1"), id="only-scope"),
        pytest.param("Actions.GenericRead:x Actions.Results:ce7f-61c7:ca39-040a Actions.Upload",
                     ("ce7f-61c7", "ca39-040a"), id="among-other-scopes"),
        pytest.param("Actions.Results:1:1", ("1", "1"), id="act"),
    ],
)  # fmt: skip
def test_backend_ids_from_the_token(scope: str, expected: tuple[str, str]) -> None:
    assert artifacts.backend_ids(runtime_token(scope)) == expected


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        pytest.param({}, "the runner offers no artifact service (ACTIONS_RESULTS_URL is not set)",
                     id="no-service"),
        pytest.param({"ACTIONS_RESULTS_URL": "http://x/", "ACTIONS_RUNTIME_TOKEN": "opaque"},
                     "ACTIONS_RUNTIME_TOKEN is not a JWT", id="not-a-jwt"),
        pytest.param({"ACTIONS_RESULTS_URL": "http://x/", "ACTIONS_RUNTIME_TOKEN": "a.b!.c"},
                     "ACTIONS_RUNTIME_TOKEN has unreadable claims", id="bad-claims"),
        pytest.param({"ACTIONS_RESULTS_URL": "http://x/", "ACTIONS_RUNTIME_TOKEN": "a.WzFd.c"},
                     "ACTIONS_RUNTIME_TOKEN has unreadable claims", id="claims-not-an-object"),
        pytest.param({"ACTIONS_RESULTS_URL": "http://x/",
                      "ACTIONS_RUNTIME_TOKEN": runtime_token("Actions.GenericRead:x")},
                     "ACTIONS_RUNTIME_TOKEN has no Actions.Results scope", id="no-results-scope"),
        pytest.param({"ACTIONS_RESULTS_URL": "http://x/",
                      "ACTIONS_RUNTIME_TOKEN": runtime_token("Actions.Results:only-run")},
                     "ACTIONS_RUNTIME_TOKEN has no Actions.Results scope", id="scope-short"),
    ],
)  # fmt: skip
def test_no_service(env: dict[str, str], reason: str) -> None:
    assert artifacts.service_from_env(RunnerEnv.from_env(env)) == reason


def test_block_requests_keep_the_signed_query_as_given() -> None:
    url = "https://blob.example/c/x?sv=2023&sig=a%2Bb%3D"
    first = artifacts.block_request(url, 0, b"data")
    commit = artifacts.block_list_request(url, 2)
    assert (
        first.url
        == "https://blob.example/c/x?sv=2023&sig=a%2Bb%3D&comp=block&blockid=MDAwMDAwMDA%3D"
    )
    assert commit.url == "https://blob.example/c/x?sv=2023&sig=a%2Bb%3D&comp=blocklist"
    assert commit.body == (
        b'<?xml version="1.0" encoding="utf-8"?><BlockList>'
        b"<Latest>MDAwMDAwMDA=</Latest><Latest>MDAwMDAwMDE=</Latest></BlockList>"
    )
    assert "Authorization" not in first.headers
    assert "Authorization" not in commit.headers


def test_artifact_url() -> None:
    assert (
        artifacts.artifact_url("https://github.com/", "octo/app", "123", 42)
        == "https://github.com/octo/app/actions/runs/123/artifacts/42"
    )
