"""The cosign binary: a pinned release, downloaded on first use and checked against its
SHA-256 (as sigstore's installer action does), so the action's image stays small.

``COSIGN_BIN`` names another cosign (a self-hosted runner's, or the tests' Debian one).

The cache (``$HOME``, which the job's other steps can write) is read once per run; the bytes
checked are the bytes run, from a file of the run's own directory. A download lands beside
the cache under a random name, created exclusively (never through a link someone left
there), and replaces it in one rename.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from ..errors import EngineError

VERSION = "v3.1.3"
# SHA-256 of the release assets (cosign_checksums.txt of the release).
RELEASE = {
    "x86_64": ("cosign-linux-amd64",
               "4629c757b7618056f8ddd7e2625ae9fdd94c0372a65049520bc7d9df9efc7f71"),
    "aarch64": ("cosign-linux-arm64",
                "c5d324e091826b0d7a78eb16fef316450b4eb9aaec045611c08ba06f5e73220a"),
}  # fmt: skip
URL = "https://github.com/sigstore/cosign/releases/download/{version}/{asset}"
_TIMEOUT = 60


def locate(env: Mapping[str, str], cache_dir: Path, run_dir: Path) -> str:
    """The cosign to run: ``COSIGN_BIN``; else the pinned one, from ``cache_dir`` or
    downloaded there now, checked and written to ``run_dir`` (a private directory of this
    run), where it runs from."""
    given = env.get("COSIGN_BIN", "")
    if given:
        if not Path(given).is_file():
            raise EngineError(f"COSIGN_BIN={given}: no such file")
        return given
    machine = platform.machine()
    if machine not in RELEASE:
        raise EngineError(f"no pinned cosign for {machine}; set COSIGN_BIN")
    asset, sha256 = RELEASE[machine]
    target = cache_dir / f"cosign-{VERSION}"
    data = _read(target)
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        url = URL.format(version=VERSION, asset=asset)
        data = _download(url)
        found = hashlib.sha256(data).hexdigest()
        if found != sha256:
            raise EngineError(f"cosign {VERSION} from {url} has SHA-256 {found}, not {sha256}")
        _write_beside(target, data)
    runnable = run_dir / "cosign"
    fd = os.open(runnable, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o700)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return str(runnable)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _download(url: str) -> bytes:
    import urllib.request  # noqa: PLC0415 - http.client and ssl: 15 ms, for a download

    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:  # noqa: S310 - https
            data: bytes = response.read()
    except OSError as exc:
        raise EngineError(f"cannot download cosign {VERSION} from {url}: {exc}") from None
    return data


def _write_beside(target: Path, data: bytes) -> None:
    """``data`` to ``target`` through a new file of a random name beside it: a cache that
    cannot be written only costs the next run a download."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".part",
                                       dir=target.parent)  # fmt: skip
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(partial).chmod(0o700)
        Path(partial).replace(target)  # a link at target is replaced, not followed
    except OSError:
        with suppress(OSError):
            Path(partial).unlink()
