"""The identity a keyless signature's certificate names, for the verify command we print.

Fulcio puts the token's ``job_workflow_ref`` claim in the certificate: the workflow that
runs the job. In a reusable workflow that is the called workflow, not the caller that
``GITHUB_WORKFLOW_REF`` names, so the claim is read from a token the step asks for itself
(audience ``sigstore``, as cosign asks). The token is not verified: it only words a command
for the log; the token itself is never shown.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

_TIMEOUT = 10


def job_workflow_ref(jwt: str) -> str:
    """The ``job_workflow_ref`` claim of ``jwt`` ('' when it has none or is unreadable)."""
    parts = jwt.split(".")
    if len(parts) != 3:
        return ""
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return ""
    ref = claims.get("job_workflow_ref") if isinstance(claims, dict) else None
    return ref if isinstance(ref, str) else ""


def token_url(request_url: str) -> str:
    return request_url + ("&" if "?" in request_url else "?") + "audience=sigstore"


def request_job_workflow_ref(env: Mapping[str, str]) -> tuple[str, str]:
    """(the claim, '') from a token the runner gives this job, or ('', why not)."""
    import urllib.request  # noqa: PLC0415 - http.client and ssl, only for keyless signing

    url, bearer = env.get("ACTIONS_ID_TOKEN_REQUEST_URL"), env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not bearer:
        return "", "no ID token request variables"
    request = urllib.request.Request(  # noqa: S310 - the runner's URL
        token_url(url), headers={"Authorization": f"bearer {bearer}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310
            value = json.loads(response.read()).get("value")
    except (OSError, ValueError, AttributeError) as exc:
        return "", f"the ID token request failed: {type(exc).__name__}"
    ref = job_workflow_ref(value) if isinstance(value, str) else ""
    return (ref, "") if ref else ("", "the ID token has no job_workflow_ref claim")
