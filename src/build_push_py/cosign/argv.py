"""``cosign sign`` and ``cosign verify`` for one pushed image. Pure.

A signature is made for a digest, never a tag (``image@sha256:...``): a tag can be moved to
another image after signing, a digest cannot.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from ..command import Command
from ..inputs.sign import SignInputs
from ..plan.signing import SignPlan
from ..runner import oidc

# The environment a keyless ``cosign sign`` reads on GitHub: its ambient OIDC provider asks
# the runner for a token with these.
OIDC_VARIABLES = oidc.REQUEST_VARIABLES
VERIFY_KEY_FILE = "cosign.pub"  # what the verify command names for the public key


def reference(image: str, digest: str) -> str:
    return f"{image}@{digest}"


def signing_config_argv(cosign: str, out: str) -> list[str]:
    """A signing config without a transparency log (``sign-tlog: false``; cosign 3 refuses
    ``--tlog-upload=false``)."""
    argv = Command([cosign, "signing-config", "create"])
    argv.add_opt("--out", out)
    return argv


def sign_argv(
    cosign: str, ref: str, inp: SignInputs, *, key_file: str = "", signing_config: str = ""
) -> list[str]:
    """``key_file``: where the PEM key was written; a KMS URI is passed as it is."""
    argv = Command([cosign, "sign", "--yes"])
    argv.add_opt("--key", key_file if inp.key_is_pem else inp.key)
    argv.add_opt("--signing-config", signing_config)
    return [*argv, ref]


def sign_env(inp: SignInputs, plan: SignPlan, env: Mapping[str, str]) -> dict[str, str]:
    """What ``cosign sign`` needs beyond the registry login (``DOCKER_CONFIG``)."""
    extra: dict[str, str] = {}
    if inp.key:
        # cosign asks on a terminal otherwise; an empty password is a valid answer
        extra["COSIGN_PASSWORD"] = inp.key_password
    if plan.keyless:
        extra |= {name: env[name] for name in OIDC_VARIABLES if name in env}
    return extra


def verify_command(ref: str, inp: SignInputs, plan: SignPlan) -> str:
    """The command a consumer runs to check the signature, as one shell line."""
    argv = Command(["cosign", "verify"])
    if plan.keyless:
        argv.add_opt("--certificate-identity", plan.identity)
        argv.add_opt("--certificate-oidc-issuer", plan.issuer)
    else:
        argv.add_opt("--key", VERIFY_KEY_FILE if inp.key_is_pem else inp.key)
    argv.add_flag("--insecure-ignore-tlog=true", not inp.tlog)
    return shlex.join([*argv, ref])
