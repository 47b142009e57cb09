"""A release tag's run with and without promotion, on the build of bench/as_runner.py.

    sudo python bench/promote.py [--runs 7] [--cold]

Each round pushes a new repository of the test registry ``reg-a`` as a ``main`` push does
(``promote: true``: the build records its inputs), then times the ``v1.2.3`` tag run of the
same commit:

- ``promote: true``: finds ``sha-<commit>`` and adds the release's tags to it;
- ``promote: false``: builds again, BuildKit's cache warm from the main push (a runner that
  kept its cache, or a self-hosted one);
- with ``--cold``, ``promote: false`` after ``docker builder prune -af``: a fresh runner,
  the common case on GitHub's hosted runners (the base image stays in the engine: the pull
  a fresh runner would pay too is not counted).

The action runs on the host (``entrypoint.py``), in the 2-stage checkout of as_runner.py;
the repository look-up goes to a local mock of the API.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import stack as stack_lib  # noqa: E402 - needs the path above
from as_runner import host_git_env, make_workspace  # noqa: E402
from common import table  # noqa: E402
from image.action_image import mock_github_api  # noqa: E402
from stack import Stack  # noqa: E402
from support.runner import runner_env  # noqa: E402

TAGS = "type=ref,event=branch\ntype=sha\ntype=semver,pattern={{version}}"


class Rounds:
    def __init__(self, stack: Stack, root: Path, api_url: str) -> None:
        self.stack = stack
        self.root = root
        self.reg = stack.registries[0]
        self.workspace = root / "workspace"
        self.sha = make_workspace(self.workspace, stack.base_image())
        self.api_url = api_url
        self.count = 0

    def run(self, repo: str, ref: str, promote: bool) -> float:
        """One run of the action as ``ref`` would run it; its seconds. A tag run with
        ``promote`` must have promoted, any other must have built."""
        self.count += 1
        files = self.root / f"run-{self.count}"  # outside the checkout, as RUNNER_TEMP is
        inputs = {
            "images": f"{self.reg.host}/{repo}",
            "tags": TAGS,
            "registry": self.reg.host,
            "username": self.reg.user,
            "password": self.reg.password,
            "push": "true",
            "promote": "true" if promote else "false",
        }
        github = {"GITHUB_API_URL": self.api_url, "GITHUB_SHA": self.sha, "GITHUB_REF": ref}
        base = self.stack.env() | host_git_env(self.workspace)
        env = runner_env(files, inputs, github=github, base=base)
        env["GITHUB_WORKSPACE"] = str(self.workspace)
        start = time.perf_counter()
        argv = [sys.executable, str(ROOT / "entrypoint.py")]
        done = subprocess.run(argv, env=env, cwd=self.workspace, capture_output=True, text=True,
                              check=False)  # fmt: skip
        elapsed = time.perf_counter() - start
        promoted = "Promoted from" in done.stdout
        if done.returncode != 0 or promoted != (promote and ref.startswith("refs/tags/")):
            raise SystemExit(f"unexpected run ({ref}, promote {promote}):\n{done.stdout}")
        return elapsed

    def prune(self) -> None:
        subprocess.run([str(self.stack.docker), "builder", "prune", "-af"],
                       env=self.stack.env(), capture_output=True, check=True)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="also time a rebuild without cache")
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)
    samples: dict[str, list[float]] = {"main push (builds, records)": [],
                                       "tag run, promote: true": [],
                                       "tag run, promote: false, warm cache": []}  # fmt: skip
    if args.cold:
        samples["tag run, promote: false, cold cache"] = []
    with (
        mock_github_api() as api_url,
        stack_lib.session(args.state_dir) as running,
        tempfile.TemporaryDirectory(prefix="bench-promote-") as tmp,
    ):
        rounds = Rounds(running, Path(tmp), api_url)
        rounds.run(f"bench/promote-{uuid.uuid4().hex[:8]}", "refs/heads/main", True)  # warm-up
        for _ in range(args.runs):
            repo = f"bench/promote-{uuid.uuid4().hex[:8]}"
            samples["main push (builds, records)"].append(rounds.run(repo, "refs/heads/main", True))
            samples["tag run, promote: true"].append(rounds.run(repo, "refs/tags/v1.2.3", True))
            samples["tag run, promote: false, warm cache"].append(
                rounds.run(repo, "refs/tags/v1.2.3", False)
            )
            if args.cold:
                rounds.prune()
                samples["tag run, promote: false, cold cache"].append(
                    rounds.run(repo, "refs/tags/v1.2.3", False)
                )
    print(f"{args.runs} rounds, each a new repository")
    print(table(list(samples.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
