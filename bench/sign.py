"""What signing adds to the step: the same push to the test registry, alternately without and
with ``sign-key`` (a generated cosign key pair, no transparency log: the public Sigstore
instance is out of reach here), warm build cache, so the difference is the signing.

    sudo python bench/sign.py [--runs 10]

Needs the test stack (tests/stack.py) and Debian's cosign (scripts/install-deps).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import table, time_command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import stack as stack_lib  # noqa: E402
from support.checks import registry_auth  # noqa: E402
from support.runner import runner_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    cosign = shutil.which("cosign") or "/usr/bin/cosign"
    stack = stack_lib.up()
    reg = stack.registries[0]
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys"
        keys.mkdir()
        key_env = {"PATH": os.environ["PATH"], "COSIGN_PASSWORD": "bench", "HOME": str(keys)}
        subprocess.run([cosign, "generate-key-pair"], cwd=keys, env=key_env, check=True,
                       capture_output=True)  # fmt: skip
        ws = Path(tmp) / "ws"
        ws.mkdir()
        (ws / "Dockerfile").write_text("FROM scratch\nCOPY app.txt /\n")
        (ws / "app.txt").write_text("signed\n")
        inputs = {
            "images": f"{reg.host}/bench/sign", "tags": "type=raw,value=v1", "push": "true",
            "registry-auth": registry_auth(reg),
        }  # fmt: skip
        signing = {
            "sign-key": (keys / "cosign.key").read_text(), "sign-key-password": "bench",
            "sign-tlog": "false",
        }  # fmt: skip
        base = stack.env() | {"COSIGN_BIN": cosign}
        plain_env = runner_env(ws, {**inputs, "sign": "false"}, base=base)
        signed_env = runner_env(ws, {**inputs, **signing}, base=base)
        argv = [sys.executable, str(ROOT / "entrypoint.py")]
        time_command(argv, signed_env, cwd=str(ws))  # warm: the build is cached from here on
        plain, signed = [], []
        for _ in range(args.runs):
            for name in ("output", "env", "state", "summary"):
                (ws / "runner" / name).write_text("")
            plain.append(time_command(argv, plain_env, cwd=str(ws)))
            signed.append(time_command(argv, signed_env, cwd=str(ws)))
    print(table([("build and push, sign: false", plain), ("build, push and sign", signed)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
