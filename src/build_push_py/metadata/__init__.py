"""Tags, labels and annotations for the image: docker/metadata-action, ported. Pure.

``parse_inputs`` reads the inputs, ``compute`` computes from them, the context and the
repository facts (``RepoFacts``; the API look-up is ``github_api``), and ``meta_outputs``,
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
from .repo import RepoFacts, facts_without_api

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
    "json_output",
    "meta_outputs",
    "parse_inputs",
]
