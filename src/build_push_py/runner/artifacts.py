"""Uploading one file as a workflow artifact, not zipped, through the runner's artifact
service: the v4 protocol that actions/upload-artifact@v4 and later speak.

As @actions/artifact does it: ``CreateArtifact`` (Twirp, JSON, the job's runtime token) at
``ACTIONS_RESULTS_URL`` answers with a signed blob URL; the content goes there as Azure
block blob blocks (``comp=block``, then ``comp=blocklist``), which needs no token; then
``FinalizeArtifact`` with the size and SHA-256 answers with the artifact's ID. The run and
job IDs the service wants come from the token's ``scp`` claim
(``Actions.Results:<run>:<job>``).

Blocks rather than one ``PUT`` of the whole blob: act's artifact server appends only what
arrives as ``comp=block`` and answers a plain ``PUT`` with 200 while keeping nothing.

The requests are built by pure functions; ``upload`` sends them. No request carries fields
beyond those the v4 protocol defines (act's server refuses unknown ones, e.g. ``mime_type``).
Error texts never quote the signed URL nor the token.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from .env import RunnerEnv
from .http import NotHttp, Request, Response, Send, sender
from .oidc import jwt_claims

SERVICE = "twirp/github.actions.results.api.v1.ArtifactService/"
VERSION = 4
BLOCK_SIZE = 4 * 1024 * 1024  # what every version of the blob service takes in one block
TIMEOUT = 60.0
ATTEMPTS = 3
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class ArtifactError(Exception):
    """The upload failed; the text says where, and never quotes a credential."""


@dataclass(frozen=True)
class ArtifactService:
    results_url: str
    token: str = field(repr=False)
    run_backend_id: str
    job_backend_id: str


@dataclass(frozen=True)
class Uploaded:
    artifact_id: int
    size: int
    sha256: str


def backend_ids(token: str) -> tuple[str, str]:
    """(run, job) backend IDs from the runtime token's ``scp`` claim. The token is a JWT; its
    signature is the service's business, only the claims are read."""
    try:
        claims = jwt_claims(token)
    except ValueError as exc:
        raise ArtifactError(f"ACTIONS_RUNTIME_TOKEN {exc}") from None
    scopes = claims.get("scp")
    for scope in scopes.split(" ") if isinstance(scopes, str) else ():
        words = scope.split(":")
        if words[0] == "Actions.Results":
            if len(words) != 3 or not words[1] or not words[2]:
                break
            return words[1], words[2]
    raise ArtifactError("ACTIONS_RUNTIME_TOKEN has no Actions.Results scope")


def service_from_env(runner: RunnerEnv) -> ArtifactService | str:
    """The artifact service of this job, or why there is none."""
    url, token = runner.results_url, runner.runtime_token
    if not url or not token:
        return "the runner offers no artifact service (ACTIONS_RESULTS_URL is not set)"
    try:
        run, job = backend_ids(token)
    except ArtifactError as exc:
        return str(exc)
    return ArtifactService(url, token, run, job)


def expiry(now: datetime, days: int | None, repository_limit: str = "") -> tuple[str, str]:
    """(``expires_at`` in protobuf's JSON form or '', a warning or '') for a retention of
    ``days``, capped at the repository's ``GITHUB_RETENTION_DAYS`` as @actions/artifact does."""
    if not days:
        return "", ""
    note = ""
    limit = repository_limit.strip()
    if limit.isdigit() and 0 < int(limit) < days:
        note = (
            f"build record retention of {days} days is more than the repository allows; "
            f"keeping it {limit} days"
        )
        days = int(limit)
    moment = now + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), note


def _twirp(service: ArtifactService, method: str, message: Mapping[str, Any]) -> Request:
    return Request(
        "POST",
        service.results_url.rstrip("/") + "/" + SERVICE + method,
        {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {service.token}",
        },
        json.dumps(message).encode(),
    )


def create_request(service: ArtifactService, name: str, expires_at: str = "") -> Request:
    message: dict[str, Any] = {
        "workflow_run_backend_id": service.run_backend_id,
        "workflow_job_run_backend_id": service.job_backend_id,
        "name": name,
        "version": VERSION,
    }
    if expires_at:
        message["expires_at"] = expires_at
    return _twirp(service, "CreateArtifact", message)


def finalize_request(service: ArtifactService, name: str, size: int, sha256: str) -> Request:
    return _twirp(service, "FinalizeArtifact", {
        "workflow_run_backend_id": service.run_backend_id,
        "workflow_job_run_backend_id": service.job_backend_id,
        "name": name,
        "size": str(size),  # an int64: a string in protobuf's JSON
        "hash": f"sha256:{sha256}",
    })  # fmt: skip


def block_id(index: int) -> str:
    """Azure wants every block ID of a blob the same length: base64 of a fixed-width number."""
    return base64.b64encode(f"{index:08d}".encode()).decode()


def _with_query(url: str, query: str) -> str:
    # Appended as text: parsing and re-encoding the signed query could change its signature.
    return url + ("&" if "?" in url else "?") + query


def block_request(upload_url: str, index: int, chunk: bytes) -> Request:
    blockid = urllib.parse.quote(block_id(index), safe="")
    return Request(
        "PUT",
        _with_query(upload_url, f"comp=block&blockid={blockid}"),
        {"Content-Type": "application/octet-stream"},
        chunk,
    )


def block_list_request(upload_url: str, blocks: int) -> Request:
    latest = "".join(f"<Latest>{block_id(i)}</Latest>" for i in range(blocks))
    body = f'<?xml version="1.0" encoding="utf-8"?><BlockList>{latest}</BlockList>'
    return Request(
        "PUT",
        _with_query(upload_url, "comp=blocklist"),
        {"Content-Type": "application/xml", "x-ms-blob-content-type": "application/octet-stream"},
        body.encode(),
    )


def _field(message: Mapping[str, Any], name: str, camel: str) -> object:
    """A response field: Twirp servers answer with the proto names, act's in lowerCamelCase."""
    return message.get(name, message.get(camel))


def signed_upload_url(message: Mapping[str, Any]) -> str:
    url = _field(message, "signed_upload_url", "signedUploadUrl")
    if message.get("ok") is not True or not isinstance(url, str) or not url:
        raise ArtifactError("CreateArtifact answered without an upload URL")
    return url


def artifact_id(message: Mapping[str, Any]) -> int:
    found = _field(message, "artifact_id", "artifactId")
    text = str(found) if isinstance(found, int | str) and not isinstance(found, bool) else ""
    if message.get("ok") is not True or not text.isdigit():
        raise ArtifactError("FinalizeArtifact answered without an artifact ID")
    return int(text)


def artifact_url(server_url: str, repository: str, run_id: str, artifact: int) -> str:
    return f"{server_url.rstrip('/')}/{repository}/actions/runs/{run_id}/artifacts/{artifact}"


def urllib_sender(proxies: Mapping[str, str] | None = None) -> Send:
    """runner/http.py's sender, with this service's timeout: the proxies of the process's
    environment unless ``proxies`` replace them; redirects are not followed."""
    return sender(proxies, timeout=TIMEOUT)


def _problem(what: str, response: Response, *, blob: bool = False) -> str:
    """What went wrong, in one line: the status and the service's own words (a Twirp error's
    ``code``/``msg``; for the blob service only its error code, as its XML may echo the
    signed request)."""
    detail = ""
    if blob:
        detail = response.headers.get("x-ms-error-code", "")
    else:
        try:
            message = json.loads(response.body)
        except ValueError:
            message = None
        if isinstance(message, dict) and (message.get("msg") or message.get("code")):
            detail = ": ".join(str(message[k]) for k in ("code", "msg") if message.get(k))
        else:
            detail = " ".join(response.body.decode("utf-8", errors="replace").split())[:200]
    return f"{what} answered HTTP {response.status}" + (f": {detail}" if detail else " (no body)")


def _exchange(
    send: Send, request: Request, what: str, sleep: Callable[[float], None], *, blob: bool = False
) -> Response:
    """``request``, tried again after a connection failure or a 408/429/5xx answer."""
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(float(2 ** (attempt - 1)))
        try:
            response = send(request)
        except NotHttp:  # trying again changes nothing
            raise ArtifactError("the artifact service's URLs must be http or https") from None
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            problem = f"{what} failed: {reason}"
            continue
        if 200 <= response.status < 300:
            return response
        problem = _problem(what, response, blob=blob)
        if response.status not in _RETRY_STATUS:
            break
    raise ArtifactError(problem)


def _json(response: Response, what: str) -> Mapping[str, Any]:
    try:
        message = json.loads(response.body)
    except ValueError:
        raise ArtifactError(f"{what} answered with something other than JSON") from None
    if not isinstance(message, dict):
        raise ArtifactError(f"{what} answered with something other than a JSON object")
    return message


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(BLOCK_SIZE):
        yield chunk


def upload(
    service: ArtifactService,
    name: str,
    path: Path,
    *,
    expires_at: str = "",
    send: Send | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Uploaded:
    """Upload the file at ``path`` as the artifact ``name``; ``ArtifactError`` when it fails."""
    sender = send or urllib_sender()
    created = _exchange(sender, create_request(service, name, expires_at), "CreateArtifact", sleep)
    upload_url = signed_upload_url(_json(created, "CreateArtifact"))
    digest, size, blocks = hashlib.sha256(), 0, 0
    with path.open("rb") as handle:
        for chunk in _chunks(handle):
            request = block_request(upload_url, blocks, chunk)
            _exchange(sender, request, f"uploading block {blocks + 1}", sleep, blob=True)
            digest.update(chunk)
            size += len(chunk)
            blocks += 1
    _exchange(sender, block_list_request(upload_url, blocks), "committing the blocks", sleep,
              blob=True)  # fmt: skip
    finalized = _exchange(
        sender, finalize_request(service, name, size, digest.hexdigest()), "FinalizeArtifact", sleep
    )
    return Uploaded(artifact_id(_json(finalized, "FinalizeArtifact")), size, digest.hexdigest())
