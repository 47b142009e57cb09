"""The cosign binary: a pinned release, downloaded on first use and checked against its
SHA-256 (as sigstore's installer action does), so the action's image stays small.

``COSIGN_BIN`` names another cosign (a self-hosted runner's, or the tests' Debian one).
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
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


def locate(env: Mapping[str, str], cache_dir: Path) -> str:
    """The cosign to run: ``COSIGN_BIN``, the pinned one already in ``cache_dir``, or the
    pinned one downloaded there now."""
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
    if target.is_file() and _sha256(target) == sha256:
        return str(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    url = URL.format(version=VERSION, asset=asset)
    import urllib.request  # noqa: PLC0415 - http.client and ssl: 15 ms, for a download

    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:  # noqa: S310 - https
            partial.write_bytes(response.read())
    except OSError as exc:
        raise EngineError(f"cannot download cosign {VERSION} from {url}: {exc}") from None
    found = _sha256(partial)
    if found != sha256:
        partial.unlink()
        raise EngineError(f"cosign {VERSION} from {url} has SHA-256 {found}, not {sha256}")
    partial.chmod(0o700)
    partial.replace(target)
    return str(target)


def _sha256(path: Path) -> str:
    """Read in chunks: the binary is tens of MB, hashed at every signing step."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
