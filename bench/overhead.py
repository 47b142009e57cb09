"""The action's overhead over a plain ``docker buildx build`` with the same arguments.

    sudo python bench/overhead.py [--runs 15]

Starts the test stack (tests/stack.py), builds a small image once to warm the cache, then
alternates the whole action (``entrypoint.py``: inputs, metadata, repository API on a local
mock, builder inspection, build, outputs) with the exact buildx command it ran. Both build
with a warm cache and push nothing. Budget: median overhead <= 300 ms.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from common import table, time_command
from dry_run import MockAPI

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import stack as stack_lib  # noqa: E402
from support.runner import run_action, runner_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    stack = stack_lib.up()
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        ws.mkdir()
        (ws / "Dockerfile").write_text("FROM scratch\nCOPY app.txt /\n")
        (ws / "app.txt").write_text("hello\n")
        env = runner_env(
            ws,
            {"images": "localhost/bench/app", "tags": "type=sha", "push": "false",
             "github-token": "not-a-real-token"},
            github={"GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}"},
            base=stack.env(),
        )  # fmt: skip
        first = run_action(env)
        if first.returncode != 0:
            raise SystemExit(first.stdout + first.stderr)
        line = next(x for x in first.stdout.splitlines() if x.startswith("docker buildx build"))
        plain = shlex.split(line)
        # The action's temp files are gone: give the plain build files of its own.
        for flag, name in (("--iidfile", "iid"), ("--metadata-file", "meta.json")):
            plain[plain.index(flag) + 1] = str(Path(tmp) / name)
        action_argv = [sys.executable, str(ROOT / "entrypoint.py")]
        action, buildx = [], []
        for _ in range(args.runs):
            for name in ("output", "env", "state", "summary"):
                (ws / "runner" / name).write_text("")
            action.append(time_command(action_argv, env, cwd=str(ws)))
            buildx.append(time_command(plain, stack.env(), cwd=str(ws)))
    server.shutdown()
    overhead = statistics.median(action) - statistics.median(buildx)
    print(table([("plain docker buildx build", buildx), ("build-push-py (same build)", action)]))
    print(f"\nmedian overhead: {overhead * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
