"""What to mask before the inputs are parsed: a parse error or a warning must find every
secret masked, and the inputs may be invalid, so this reads them leniently."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from .table import SECRET_INPUTS

_PASSWORD_KEY = re.compile(r"\bpassword\s*:")
_AROUND_VALUE = " \t'\"[]{}"


def password_texts(registry_auth: str) -> list[str]:
    """What follows ``password:`` on each line of ``registry-auth``, read without YAML (the
    text may not parse) for masking: stripped of blanks, quotes and brackets, and also cut
    at the ``,``, ``}`` or ``]`` that may end it in a flow collection."""
    found: list[str] = []
    for line in registry_auth.splitlines():
        for key in _PASSWORD_KEY.finditer(line):
            rest = line[key.end() :]
            found.append(rest.strip(_AROUND_VALUE))
            found.append(re.split(r"[,}\]]", rest, maxsplit=1)[0].strip(_AROUND_VALUE))
    return [text for text in dict.fromkeys(found) if text]


def secret_texts(raw: Mapping[str, str], env: Mapping[str, str]) -> Iterator[str]:
    """What to mask before parsing (a parse error or a warning must find it masked), read
    leniently as the inputs may be invalid: the secret inputs, the values in them, and the
    variables that ``secret-envs`` names. The runner masks whole strings (per line), so a
    value shown on its own needs a mask of its own."""
    for name in SECRET_INPUTS:
        yield raw.get(name, "")
    yield from password_texts(raw.get("registry-auth", ""))
    for line in raw.get("secrets", "").splitlines():  # ID=value; a value may be quoted
        yield line.partition("=")[2].strip().strip('"')
    for item in re.split(r"[\n,]", raw.get("secret-envs", "")):  # ID=ENV_NAME
        yield env.get(item.partition("=")[2].strip(), "")
