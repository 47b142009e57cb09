"""Signing what the run pushes with cosign: whether and how this run signs (the ``sign*``
inputs are read by ``inputs.sign``). Pure: the decision comes from the inputs, the push
decision and the environment.

Keyless signing (Sigstore's public Fulcio and Rekor) needs the job's OIDC token, which the
runner hands out only with ``permissions: id-token: write``: it is there exactly when
``ACTIONS_ID_TOKEN_REQUEST_URL`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..inputs.sign import SignInputs, SignMode
from ..runner.env import RunnerEnv
from .push import PUSH_EVENTS

GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com"

OIDC_HINT = """\
permissions:
  contents: read
  packages: write
  id-token: write   # lets the job ask for the OIDC token that keyless signing needs
steps:
  - uses: org/build-push-py@v1
    with:
      sign: true"""


@dataclass(frozen=True)
class SignPlan:
    """Whether the run signs, and the identity a keyless signature will carry."""

    enabled: bool = False
    keyless: bool = False
    reason: str = ""  # why it does not sign, for the log
    warning: str = ""  # sign: true on an event whose code may come from outside
    identity: str = ""  # keyless: the certificate identity (the workflow's ref)
    issuer: str = GITHUB_OIDC_ISSUER


def require_signer(inp: SignInputs, runner: RunnerEnv) -> None:
    """``sign: true`` without a key needs the OIDC token: checked before anything runs."""
    if inp.mode is SignMode.TRUE and not inp.key and not runner.id_token_url:
        raise InputError(
            "sign",
            "keyless signing needs the job's OIDC token, and this job has none"
            " (ACTIONS_ID_TOKEN_REQUEST_URL is not set): grant `id-token: write`, or give"
            " sign-key",
            hint=OIDC_HINT,
        )


def decide_signing(
    inp: SignInputs, *, pushes: bool, by_digest: bool, runner: RunnerEnv
) -> SignPlan:
    """``pushes``: the run pushes a manifest or index with tags (not a push by digest, which
    the merge job signs)."""
    if inp.mode is SignMode.FALSE:
        return SignPlan(reason="sign: false")
    require_signer(inp, runner)
    if not inp.key and not runner.id_token_url:
        return SignPlan(reason="no OIDC token (permissions: id-token: write) and no sign-key")
    refused, warning = _untrusted_event(inp.mode, runner.event_name)
    reasons = (
        (by_digest, "a push by digest is signed by the merge job, as an index"),
        (not pushes, "nothing is pushed"),
        (bool(refused), refused),
    )
    why_not = next((why for applies, why in reasons if applies), "")
    if why_not:
        return SignPlan(reason=why_not)
    if inp.key:
        return SignPlan(enabled=True, warning=warning)
    server = runner.server_url.rstrip("/")
    return SignPlan(
        enabled=True, keyless=True, identity=f"{server}/{runner.workflow_ref}", warning=warning
    )


def _untrusted_event(mode: SignMode, event: str) -> tuple[str, str]:
    """Why ``auto`` does not sign on ``event``, or the warning ``true`` gets there.

    A signature vouches for the workflow that made the image, not for the code it built: on
    pull_request_target, workflow_run, issue_comment... that code may be a fork's, and its
    image would carry the same identity (a keyless certificate names the workflow at the
    default branch) as a release's. ``auto`` signs where ``push: auto`` pushes."""
    if event in PUSH_EVENTS:
        return "", ""
    on = f"on {event} events" if event else "without an event (GITHUB_EVENT_NAME is empty)"
    if mode is SignMode.AUTO:
        return (
            f"sign: auto does not sign {on}, whose code may not be the repository's own;"
            " set sign: true to sign",
            "",
        )
    return "", (
        f"sign: true signs this build {on} with the workflow's identity: the code built may"
        " not be the repository's own (a fork's pull request, a comment's ref), and its"
        " signature will look like a release's"
    )
