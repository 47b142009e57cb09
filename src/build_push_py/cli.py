"""``build-push-py``: the action on a laptop, through the same code path.

Every action input is also a flag (``--images``, ``--tags``, ``--push`` ...). The GitHub
context comes from the local checkout unless given (``--ref``, ``--sha``, ``--event``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import __version__, context
from .inputs.table import GROUPS, INPUTS, env_name

_REMOTE = re.compile(r"(?:github\.com[:/])(?P<repo>[^/]+/[^/]+?)(?:\.git)?/?$")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build-push-py",
        description="Compute Docker image tags and labels from git, then build and push.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "plan": "print tags, labels and the buildx command; touch no Docker engine",
        "run": "do the whole job against the local Docker engine",
    }
    for name, help_text in commands.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        ctx = cmd.add_argument_group("git context (default: read from the checkout)")
        ctx.add_argument("--ref", help="full git ref, e.g. refs/tags/v1.2.3")
        ctx.add_argument("--sha", help="commit sha")
        ctx.add_argument("--event", default="push", help="GitHub event name (default: push)")
        ctx.add_argument("--repository", help="owner/name (default: from the origin remote)")
        ctx.add_argument("--workdir", default=".", help="the checkout (default: .)")
        for group, title in GROUPS.items():
            args = cmd.add_argument_group(f"{title}: inputs as in action.yml")
            for spec in INPUTS:
                if spec.group != group or spec.name == "dry-run":
                    continue
                default = "" if spec.default.startswith("${{") else spec.default
                args.add_argument(
                    f"--{spec.name}",
                    dest=f"input_{spec.name}",
                    metavar="VALUE",
                    help=f"{spec.description} (default: {default!r})",
                )
    return parser


def _origin_repository(workdir: str) -> str:
    url = context.git(["remote", "get-url", "origin"], workdir)
    match = _REMOTE.search(url)
    return match.group("repo") if match else ""


def runner_env(args: argparse.Namespace, base: Mapping[str, str], workdir: str) -> dict[str, str]:
    """The environment a runner would give the action, made from flags and the checkout."""
    env = dict(base)
    for spec in INPUTS:
        value = getattr(args, f"input_{spec.name}", None)
        if value is not None:
            env[env_name(spec.name)] = value
    token = env_name("github-token")
    if token not in env and (base.get("GITHUB_TOKEN") or base.get("GH_TOKEN")):
        env[token] = base.get("GITHUB_TOKEN") or base.get("GH_TOKEN", "")
    env[env_name("dry-run")] = "true" if args.command == "plan" else "false"
    env["GITHUB_EVENT_NAME"] = args.event
    env["GITHUB_SHA"] = args.sha or context.git(["rev-parse", "HEAD"], workdir)
    env["GITHUB_REF"] = args.ref or context.git_ref(workdir)
    env["GITHUB_REPOSITORY"] = args.repository or _origin_repository(workdir)
    env.setdefault("GITHUB_WORKSPACE", str(Path(workdir).resolve()))
    for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"):
        env.pop(name, None)
    return env


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        env = runner_env(args, os.environ, args.workdir)
    except context.RefusedCheckout as exc:
        sys.stderr.write(f"error: {exc}\n{exc.hint}\n")
        return 1
    os.chdir(args.workdir)  # the build context and file are relative to it, as on a runner
    # The action's own step, clean-up and signals included; `--help` did not pay for it.
    from .__main__ import main as step  # noqa: PLC0415

    return step(env)


if __name__ == "__main__":
    sys.exit(main())
