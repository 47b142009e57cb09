"""Files that hold secrets: credentials, secret values, TLS keys."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private(path: str | Path, text: str) -> None:
    """Write ``text`` to a file only this user can read, created with that mode (no window
    in which it is readable by others), and whole: it is written beside and renamed over
    ``path``, so a program reading ``path`` meanwhile (buildx reading the Docker config while
    the logins are written) sees the old file or the new one, never a part."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
