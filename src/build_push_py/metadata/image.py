"""The ``images`` input: base names the tags are attached to.

Either plain names (``name/app``; one line may hold several, comma separated) or
``name=...,enable=true|false`` per line, as upstream's ``image.ts`` reads them. Names are
lower-cased as upstream does, then checked against the image reference grammar so a typo
fails here rather than at push time.
https://github.com/distribution/reference/blob/main/regexp.go
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..inputs.lists import split_fields

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME = re.compile(rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_NAME_MAX = 255

INPUT = "images"


@dataclass(frozen=True)
class Image:
    name: str  # lower-cased, as it goes into the tags
    enable: bool = True
    given: str = field(default="", compare=False)  # as written, for the log

    @property
    def as_written(self) -> str:
        return self.given or self.name


def _image(line: str, name: str, enable: bool) -> Image:
    sanitized = name.lower()
    if not _NAME.fullmatch(sanitized) or len(sanitized) > _NAME_MAX:
        raise InputError(
            INPUT,
            f"{line!r}: {name!r} is not an image name; write it without tag or digest, "
            "e.g. 'ghcr.io/owner/app' or 'name=docker.io/owner/app,enable=true'",
        )
    return Image(sanitized, enable, given=name)


def parse_images(items: list[str]) -> tuple[Image, ...]:
    if len(items) == 1:
        fields = [f.strip() for f in split_fields(INPUT, items[0])]
        if fields and all("=" not in f for f in fields):
            return tuple(_image(items[0], f, True) for f in fields)
    images: list[Image] = []
    for line in items:
        name, enable = "", True
        for raw_field in split_fields(INPUT, line):
            parts = [part.strip() for part in raw_field.split("=")]
            if len(parts) == 1:
                name = parts[0]
                continue
            key, value = parts[0].lower(), parts[1]
            if key == "name":
                name = value
            elif key == "enable":
                if value not in ("true", "false"):
                    raise InputError(
                        INPUT, f"{line!r}: enable must be true or false, not {value!r}"
                    )
                enable = value == "true"
            else:
                raise InputError(
                    INPUT, f"{line!r}: unknown attribute {key!r}; use name= and enable="
                )
        if not name:
            raise InputError(INPUT, f"{line!r}: the image name is empty")
        images.append(_image(line, name, enable))
    return tuple(images)
