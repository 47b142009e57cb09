"""Git repositories the tests build: a committed checkout, and a commit that carries a
signature block."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Protocol


def commit_all(ws: Path, message: str) -> str:
    """Everything in ``ws`` committed (a repository made there first if it has none): the
    commit."""
    git = ["git", "-C", str(ws), "-c", "user.name=t", "-c", "user.email=t@example.test"]
    if not (ws / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True)
    done = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return done.stdout.strip()


class Git(Protocol):
    """Runs git in a repository, ``text`` on its stdin: what it printed, stripped."""

    def __call__(self, *args: str, text: str | None = None) -> str: ...


def signed_commit(git: Git, parent: str | None = None) -> str:
    """A commit of HEAD's tree with a PGP signature block (no key made it; only its shape
    matters), stored in ``git``'s repository: the commit."""
    tree = git("rev-parse", "HEAD^{tree}")
    parents = f"parent {parent}\n" if parent else ""
    signed = (f"tree {tree}\n{parents}author t <t@t> 1704067200 +0000\n"
              "committer t <t@t> 1704067200 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n"
              " AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n")  # fmt: skip
    return git("hash-object", "-t", "commit", "-w", "--stdin", text=signed)
