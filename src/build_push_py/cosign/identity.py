"""The identity a keyless signature's certificate names, for the verify command we print.

Fulcio puts the token's ``job_workflow_ref`` claim in the certificate: the workflow that
runs the job. In a reusable workflow that is the called workflow, not the caller that
``GITHUB_WORKFLOW_REF`` names, so the claim is read from a token the step asks for itself
(audience ``sigstore``, as cosign asks). The token is not verified: it only words a command
for the log; the token itself is never shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import OidcError
from ..runner import oidc


def job_workflow_ref(jwt: str) -> str:
    """The ``job_workflow_ref`` claim of ``jwt`` ('' when it has none or is unreadable)."""
    try:
        claims = oidc.jwt_claims(jwt)
    except ValueError:
        return ""
    ref = claims.get("job_workflow_ref")
    return ref if isinstance(ref, str) else ""


def request_job_workflow_ref(env: Mapping[str, str]) -> tuple[str, str]:
    """(the claim, '') from a token the runner gives this job, or ('', why not)."""
    if not oidc.can_request(env):
        return "", "no ID token request variables"
    try:
        ref = job_workflow_ref(oidc.id_token(env, "sigstore"))
    except OidcError as exc:
        return "", str(exc)
    return (ref, "") if ref else ("", "the ID token has no job_workflow_ref claim")
