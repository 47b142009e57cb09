"""``build-push-py``: the action on a laptop, through the same code path.

Every action input is also a flag (``--images``, ``--tags``, ``--push`` ...). The GitHub
context comes from the local checkout unless given (``--ref``, ``--sha``, ``--event``).
A secret given as a flag is visible to every user of the machine (``ps``) and stays in the
shell's history: it is taken with a warning; ``--input-file NAME=PATH`` (``-``: standard
input) and the runner's variables (``INPUT_PASSWORD=...``) are the ways without.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import __version__, context
from .errors import ActionError
from .inputs.table import GROUPS, INPUTS, SECRET_INPUTS, env_name

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
        cmd.add_argument(
            "--input-file",
            dest="from_files",  # not input_file: that is --file's
            action="append",
            default=[],
            metavar="NAME=PATH",
            help="the input NAME's value from the file PATH ('-': standard input), as for a "
            "secret: a flag's value is visible to other users (ps) and kept in the history",
        )
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


def secret_flags(args: argparse.Namespace) -> list[str]:
    """The secret inputs given as flags, each a warning (as ``docker login -p`` gives)."""
    return [
        f"--{name} on the command line is visible to other users of this machine (ps) and "
        f"kept in the shell's history; use --input-file {name}=PATH (- for standard input) "
        f"or the variable {env_name(name)} instead"
        for name in SECRET_INPUTS
        if getattr(args, f"input_{name}", None) is not None
    ]


def _input_files(args: argparse.Namespace) -> dict[str, str]:
    """The values of ``--input-file NAME=PATH``, without the one line end a file has last."""
    names = {spec.name for spec in INPUTS if spec.name != "dry-run"}
    values: dict[str, str] = {}
    for item in args.from_files:
        name, _, path = item.partition("=")
        if name not in names or not path:
            raise ActionError(f"--input-file {item!r}: give NAME=PATH, NAME an input's name")
        if getattr(args, f"input_{name}", None) is not None or name in values:
            raise ActionError(f"--input-file {name}=...: {name} is given twice")
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # its message would quote a byte of it
            raise ActionError(f"--input-file {name}={path}: it is not UTF-8") from None
        except OSError as exc:
            raise ActionError(f"--input-file {name}={path}: cannot read it: {exc}") from None
        values[name] = text.removesuffix("\n").removesuffix("\r")
    return values


def runner_env(args: argparse.Namespace, base: Mapping[str, str], workdir: str) -> dict[str, str]:
    """The environment a runner would give the action, made from flags and the checkout."""
    env = dict(base)
    for spec in INPUTS:
        value = getattr(args, f"input_{spec.name}", None)
        if value is not None:
            env[env_name(spec.name)] = value
    for name, value in _input_files(args).items():
        env[env_name(name)] = value
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
    for warning in secret_flags(args):
        sys.stderr.write(f"warning: {warning}\n")
    try:
        env = runner_env(args, os.environ, args.workdir)
    except ActionError as exc:  # a file or the checkout could not be read
        sys.stderr.write(f"error: {exc}\n" + (f"{exc.hint}\n" if exc.hint else ""))
        return 1
    os.chdir(args.workdir)  # the build context and file are relative to it, as on a runner
    # The action's own step, clean-up and signals included; `--help` did not pay for it.
    from .__main__ import main as step  # noqa: PLC0415

    return step(env)


if __name__ == "__main__":
    sys.exit(main())
