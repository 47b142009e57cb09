"""Helpers shared by the integration tests: unique repositories, workspaces, logins, the
secret scan, attestations read back from a registry."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from stack import Registry

from support.runner import ActionRun


def repo_name(prefix: str) -> str:
    return f"bpp-test/{prefix}-{uuid.uuid4().hex[:8]}"


def registry_auth(*registries: Registry) -> str:
    return "".join(
        f"- registry: {r.host}\n  username: {r.user}\n  password: {r.password}\n"
        for r in registries
    )


def workspace(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text(dockerfile)
    for name, text in (files or {}).items():
        (ws / name).write_text(text)
    return ws


def assert_no_secret(run: ActionRun, *secrets: str) -> None:
    """No secret in any log, output, export, summary or file the run wrote.

    ``::add-mask ::VALUE`` lines are how an action asks the runner to mask a value; the runner
    consumes them and never shows them, so they are the one place a secret may appear.
    """
    shown = "\n".join(
        line for line in run.everything.splitlines() if not line.startswith("::add-mask ::")
    )
    for secret in secrets:
        assert secret not in shown


def attestations(reg: Registry, repo: str, reference: str) -> dict[str, list[dict[str, Any]]]:
    """The in-toto statements attached to the image behind ``reference``, by the digest of
    the image manifest they describe: the index's ``attestation-manifest`` entries, each
    layer of which is one statement."""
    _, index = reg.manifest(repo, reference)
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in index.get("manifests", []):
        annotations = entry.get("annotations", {})
        if annotations.get("vnd.docker.reference.type") != "attestation-manifest":
            continue
        _, manifest = reg.manifest(repo, entry["digest"])
        found[annotations["vnd.docker.reference.digest"]] = [
            json.loads(reg.blob(repo, layer["digest"])) for layer in manifest["layers"]
        ]
    return found
