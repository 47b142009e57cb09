"""The signing inputs: ``sign``, ``sign-key``, ``sign-key-password`` and ``sign-tlog``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from .grammar import Switch, input_bool, input_switch

# cosign's key references other than a file: KMS and HashiCorp Vault URIs, k8s secrets.
_KEY_URI = re.compile(r"(awskms|gcpkms|azurekms|hashivault|k8s|gitlab)://\S+")
_PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")

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
