"""Tags, labels and annotations for the image: docker/metadata-action v5, ported.

``parse_inputs`` reads the inputs, ``fetch_repo_facts`` / ``fetch_commit_date`` (``repo``)
ask the GitHub API only when called, ``compute`` is pure, and ``meta_outputs``,
``bake_files`` and ``env_exports`` give the step outputs in upstream's exact format.
"""

from .config import MetaInputs, parse_inputs
from .events import ContextSource, effective_context
from .meta import (
    BAKE_FILE_NAMES,
    Meta,
    bake_file_text,
    bake_files,
    compute,
    env_exports,
    json_output,
    meta_outputs,
)
from .repo import RepoFacts, facts_without_api, fetch_commit_date, fetch_repo_facts

__all__ = [
    "BAKE_FILE_NAMES",
    "ContextSource",
    "Meta",
    "MetaInputs",
    "RepoFacts",
    "bake_file_text",
    "bake_files",
    "compute",
    "effective_context",
    "env_exports",
    "facts_without_api",
    "fetch_commit_date",
    "fetch_repo_facts",
    "json_output",
    "meta_outputs",
    "parse_inputs",
]
