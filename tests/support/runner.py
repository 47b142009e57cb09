"""Run the action the way GitHub's runner runs a container action, and read what it wrote.

Inputs go in as ``INPUT_<NAME>`` (hyphens kept), the event as a payload file, and the
runner's file commands (outputs, env, state, summary) as files that are parsed back here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "entrypoint.py"


def parse_file_commands(text: str) -> dict[str, str]:
    """Read ``name=value`` and ``name<<DELIM ... DELIM`` records; later ones win."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            i += 1
            values[name] = "\n".join(body)
        else:
            name, _, value = line.partition("=")
            values[name] = value
    return values


@dataclass
class ActionRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    env_exports: dict[str, str]
    state: dict[str, str]
    summary: str
    workdir: Path

    @property
    def everything(self) -> str:
        """All text the run made visible: logs, outputs, exports, summary, files it wrote."""
        files = [p.read_text(errors="replace") for p in self.workdir.rglob("*.json") if p.is_file()]
        return "\n".join(
            [
                self.stdout,
                self.stderr,
                json.dumps(self.outputs),
                json.dumps(self.env_exports),
                self.summary,
                *files,
            ]
        )

    def errors(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::error")]

    def _logged(self, pattern: str) -> str:
        match = re.search(pattern, self.stdout)
        assert match, f"no {pattern!r} in the log:\n{self.stdout[-3000:]}"
        return match.group(1)

    @property
    def config_dir(self) -> str:
        """The Docker config directory the run made, as its clean-up names it."""
        return self._logged(r"the action's Docker config (\S+)")

    @property
    def builder(self) -> str:
        """The builder the run created, as it logged it."""
        return self._logged(r"Created builder (\S+)")


def runner_env(
    workdir: Path,
    inputs: Mapping[str, str],
    *,
    event_name: str = "push",
    payload: Mapping[str, Any] | None = None,
    github: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a container action step, with files under ``workdir``."""
    files = workdir / "runner"
    files.mkdir(parents=True, exist_ok=True)
    event_path = files / "event.json"
    event_path.write_text(json.dumps(dict(payload or {})))
    for name in ("output", "env", "state", "summary"):
        (files / name).touch()
    env = {
        k: v
        for k, v in (base if base is not None else os.environ).items()
        if not k.startswith(("INPUT_", "GITHUB_", "STATE_", "ACTIONS_", "RUNNER_"))
    }
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "octo-org/hello-world",
            "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_RUN_ID": "123456789",
            "GITHUB_RUN_NUMBER": "15",
            "GITHUB_SERVER_URL": "https://github.com",
            # Nothing listens here: the repository API fails fast and the action warns.
            "GITHUB_API_URL": "http://127.0.0.1:9",
            "GITHUB_WORKSPACE": str(workdir),
            "RUNNER_TEMP": str(files),
            "GITHUB_OUTPUT": str(files / "output"),
            "GITHUB_ENV": str(files / "env"),
            "GITHUB_STATE": str(files / "state"),
            "GITHUB_STEP_SUMMARY": str(files / "summary"),
        }
    )
    env.update(github or {})
    for name, value in inputs.items():
        env["INPUT_" + name.replace(" ", "_").upper()] = value
    return env


# Every run of the current test with its environment; tests/integration/conftest.py scans them
# for secrets after each test.
RUNS: list[tuple[dict[str, str], ActionRun]] = []
_SECRET_INPUTS = ("INPUT_PASSWORD", "INPUT_GITHUB-TOKEN", "INPUT_SIGN-KEY-PASSWORD")
# what configure-aws-credentials exports for an ECR login
_AWS_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_MASK_PREFIXES = ("::add-mask::", "::add-mask ::")


def secret_inputs(env: Mapping[str, str]) -> list[str]:
    """The secrets a run was given: password, token, the signing key's lines and password,
    and the values of ``secrets`` lines."""
    values = [env.get(name, "") for name in (*_SECRET_INPUTS, *_AWS_SECRETS)]
    values += env.get("INPUT_SIGN-KEY", "").splitlines()
    for line in env.get("INPUT_SECRETS", "").splitlines():
        values.append(line.partition("=")[2].strip().strip('"'))
    return [v for v in values if len(v) >= 6]


def leaked_secrets(run: ActionRun, secrets: list[str]) -> list[str]:
    """The secrets seen in any log, output, export, state, summary or file of the run.

    ``::add-mask::VALUE`` lines are how an action asks the runner to mask a value; the runner
    consumes them and never shows them, so they are the one place a secret may appear.
    """
    text = "\n".join([run.everything, json.dumps(run.state)])
    shown = "\n".join(ln for ln in text.splitlines() if not ln.startswith(_MASK_PREFIXES))
    return [secret for secret in secrets if secret in shown]


def run_action(
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    timeout: float = 600,
    entrypoint: Path = ENTRYPOINT,
) -> ActionRun:
    done = subprocess.run(
        [sys.executable, str(entrypoint)],
        env=dict(env),
        cwd=str(cwd or env.get("GITHUB_WORKSPACE", ".")),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    files = Path(env["GITHUB_OUTPUT"]).parent
    run = ActionRun(
        returncode=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        outputs=parse_file_commands((files / "output").read_text()),
        env_exports=parse_file_commands((files / "env").read_text()),
        state=parse_file_commands((files / "state").read_text()),
        summary=(files / "summary").read_text(),
        workdir=Path(env["GITHUB_WORKSPACE"]),
    )
    RUNS.append((dict(env), run))
    return run
