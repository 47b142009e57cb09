"""Time a dry run of the action, process start to exit, against a local mock of the API.

    python bench/dry_run.py [--runs 21]

The mock answers GET /repos/{owner}/{repo} like api.github.com, so the run pays for the
repository lookup (PyGithub) as it does on GitHub. Budget: median <= 180 ms, with bytecode
(the first run writes it; the image ships it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from common import table, time_command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from image.action_image import MOCK_REPOSITORY, mock_github_api  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    with mock_github_api() as api, tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp)
        (files / "event.json").write_text("{}")
        base = {
            "PATH": os.environ.get("PATH", ""),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_EVENT_PATH": str(files / "event.json"),
            "GITHUB_REF": "refs/tags/v1.2.3",
            "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37",
            "GITHUB_REPOSITORY": "octo-org/hello-world",
            "GITHUB_API_URL": api,
            "RUNNER_TEMP": str(files),
            "INPUT_IMAGES": "ghcr.io/octo-org/hello-world",
            "INPUT_TAGS": "type=semver,pattern={{version}}\ntype=sha",
            "INPUT_GITHUB-TOKEN": "not-a-real-token",
            "INPUT_DRY-RUN": "true",
        }
        rows = []
        for name, argv in (
            ("python3 -c pass (interpreter start)", [sys.executable, "-c", "pass"]),
            ("python3 -c 'import github' (PyGithub)", [sys.executable, "-c", "import github"]),
            ("dry run, API mocked", [sys.executable, str(ROOT / "entrypoint.py")]),
        ):
            for out in ("output", "env", "summary", "state"):
                (files / out).write_text("")
            env = base | {
                "GITHUB_OUTPUT": str(files / "output"),
                "GITHUB_ENV": str(files / "env"),
                "GITHUB_STEP_SUMMARY": str(files / "summary"),
                "GITHUB_STATE": str(files / "state"),
            }
            time_command(argv, env)  # warm the file cache and .pyc files
            rows.append((name, [time_command(argv, env) for _ in range(args.runs)]))
        if str(MOCK_REPOSITORY["description"]) not in (files / "output").read_text():
            raise SystemExit("the dry run did not use the mocked API")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
