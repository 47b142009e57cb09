"""Signing what the run pushes with cosign: the ``sign*`` inputs, and whether and how this
run signs. Pure: the decision comes from the inputs, the push decision and the environment.

Keyless signing (Sigstore's public Fulcio and Rekor) needs the job's OIDC token, which the
runner hands out only with ``permissions: id-token: write``: it is there exactly when
``ACTIONS_ID_TOKEN_REQUEST_URL`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from ..inputs.grammar import Switch, input_bool, input_switch
from ..runner.env import RunnerEnv
from .push import PUSH_EVENTS

# cosign's key references other than a file: KMS and HashiCorp Vault URIs, k8s secrets.
_KEY_URI = re.compile(r"(awskms|gcpkms|azurekms|hashivault|k8s|gitlab)://\S+")
_PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
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


SignMode = Switch


@dataclass(frozen=True)
class SignInputs:
    mode: SignMode = SignMode.AUTO
    key: str = field(default="", repr=False)  # PEM text or a KMS URI; '' for keyless
    key_password: str = field(default="", repr=False)
    tlog: bool = True

    @property
    def key_is_pem(self) -> bool:
        return bool(_PEM_KEY.search(self.key))

    @property
    def secret_values(self) -> tuple[str, ...]:
        return tuple(v for v in (self.key if self.key_is_pem else "", self.key_password) if v)


def parse_sign_inputs(raw: Mapping[str, str]) -> SignInputs:
    mode = input_switch("sign", raw.get("sign", ""))
    key = raw.get("sign-key", "").strip()
    if key and not _PEM_KEY.search(key) and not _KEY_URI.fullmatch(key):
        # never quote the value: it may be a key that lost its header
        raise InputError(
            "sign-key",
            "is neither a cosign private key (PEM text, -----BEGIN ... PRIVATE KEY-----) nor a"
            " KMS URI (awskms://, gcpkms://, azurekms://, hashivault://)",
            hint="with:\n  sign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}\n"
            "  sign-key-password: ${{ secrets.COSIGN_PASSWORD }}",
        )
    password = raw.get("sign-key-password", "")
    if password and not key:
        raise InputError("sign-key-password", "is used only with sign-key; set sign-key too")
    return SignInputs(
        mode=mode,
        key=key,
        key_password=password,
        tlog=input_bool("sign-tlog", raw.get("sign-tlog", ""), default=True),
    )


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
