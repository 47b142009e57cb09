"""The real cosign (Debian's) for the signing tests: a generated key pair, and ``cosign
verify`` as a consumer runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from stack import Registry, Stack

from support.fanout import authfile

COSIGN = shutil.which("cosign") or "/usr/bin/cosign"


def key_pair(directory: Path, password: str) -> tuple[str, Path]:
    """A new cosign key pair: the private key's PEM text and the public key's path."""
    directory.mkdir(parents=True)
    env = {"PATH": os.environ["PATH"], "COSIGN_PASSWORD": password, "HOME": str(directory)}
    subprocess.run([COSIGN, "generate-key-pair"], cwd=directory, env=env, check=True,
                   capture_output=True)  # fmt: skip
    return (directory / "cosign.key").read_text(), directory / "cosign.pub"


def verify(stack: Stack, tmp_path: Path, reg: Registry, ref: str, public_key: Path) -> int:
    """``cosign verify`` as a consumer runs it, logged in to ``reg``."""
    config = tmp_path / f"verify-{uuid.uuid4().hex[:6]}"
    config.mkdir()
    (config / "config.json").write_text(authfile(tmp_path, reg).read_text())
    env = stack.env() | {"DOCKER_CONFIG": str(config), "HOME": str(config)}
    done = subprocess.run(
        [COSIGN, "verify", "--key", str(public_key), "--insecure-ignore-tlog=true", ref],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    return done.returncode
