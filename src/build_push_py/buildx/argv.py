"""The ``docker buildx build`` argv, as docker/build-push-action builds it.

Pure: everything (computed tags, file paths of written secrets, the buildx version, facts
about the run and the builder) comes in as arguments. Flag order follows upstream
``src/context.ts`` (``getBuildArgs`` then ``getCommonArgs``), so the upstream argv tables
of ``__tests__/context.test.ts`` hold for this function too.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..command import buildx
from ..errors import InputError
from ..inputs.attributes import Attributes
from ..inputs.build import BuildInputs
from ..inputs.grammar import go_bool
from ..runner.env import DEFAULT_SERVER_URL
from . import version as v
from .gitcontext import GIT_AUTH_TOKEN, git_auth_token_id
from .version import BuildxVersion

_DEFAULT_CONTEXT = re.compile(r"\{\{\s*defaultContext\s*\}\}")
# The key of the token's file in ``secret_files``: no secret id holds a '=', so no user
# secret shares it, even one whose id is the token's (both are passed, as upstream does).
TOKEN_FILE_KEY = "=github-token"  # noqa: S105 - a dictionary key, not a secret


@dataclass(frozen=True)
class RunFacts:
    """What the argv needs beyond the inputs: the run, the repository, the builder."""

    # Provenance builder-id: the workflow run URL with its attempt (``workflow_run_url``).
    builder_id: str = ""
    # Private repositories get ``mode=min,inline-only=true`` provenance by default, public
    # ones ``mode=max`` (build-push-action README, "provenance").
    private_repository: bool = False
    # The git context URL that ``{{defaultContext}}`` stands for
    # (``gitcontext.default_git_context``).
    default_context: str = ""
    # The secret id of ``github-token`` (``gitcontext.git_auth_token_id``).
    git_auth_token_id: str = git_auth_token_id(DEFAULT_SERVER_URL)
    # Whether the builder and BUILDX_NO_DEFAULT_ATTESTATIONS allow a provenance attestation
    # nobody asked for (plan.plan.make_plan); the inputs decide the rest (``_attest_args``).
    default_provenance: bool = True


def workflow_run_url(server_url: str, repository: str, run_id: str, run_attempt: str) -> str:
    attempt = run_attempt or "1"
    return f"{server_url.rstrip('/')}/{repository}/actions/runs/{run_id}/attempts/{attempt}"


def merge_pairs(computed: Iterable[str], user: Iterable[str]) -> list[str]:
    """``key=value`` lists merged by key: first position kept, the later (user) value wins."""
    merged: dict[str, str] = {}
    for item in [*computed, *user]:
        key = item.partition("=")[0]
        merged[key] = item
    return list(merged.values())


def has_exporter_type(kind: str, outputs: Sequence[Attributes]) -> bool:
    """As actions-toolkit ``Build.hasExporterType``, which reads all outputs as one CSV
    document: the first record that is a lone destination decides."""
    for record in (record for output in outputs for record in output.records):
        # A lone destination without type= is the local exporter (buildx build/output.go).
        if len(record) == 1 and not record[0].startswith("type="):
            return kind == "local"
        for field in record:
            key, _, value = field.partition("=")
            if key.strip() == "type" and value.partition("=")[0].strip() == kind:
                return True
    return False


def has_attestation_type(kind: str, attest: Attributes) -> bool:
    return any(
        field.partition("=")[0].strip() == "type"
        and field.partition("=")[2].partition("=")[0].strip() == kind
        for field in attest.fields
    )


def _resolved(fields: Iterable[str]) -> str:
    """Boolean shorthands become ``disabled=``: ``type=sbom,true`` -> ``type=sbom,disabled=false``
    (actions-toolkit ``Build.resolveAttestationAttrs``; quotes do not survive)."""
    out: list[str] = []
    for field in fields:
        flag = go_bool(field)
        out.append(field if flag is None else f"disabled={str(not flag).lower()}")
    return ",".join(out)


def _has_builder_id(item: Attributes) -> bool:
    """Does the item's first record carry ``builder-id=`` (``Build.resolveProvenanceAttrs``)?"""
    first = item.records[0] if item.records else ()
    return any(field.partition("=")[0].strip() == "builder-id" for field in first)


def _provenance_input(provenance: Attributes, builder_id: str) -> tuple[str, ...]:
    """The fields of the ``provenance`` input as build-push-action's ``getProvenanceInput``
    normalises it."""
    if provenance.text == "true":
        return (f"builder-id={builder_id}",)
    if provenance.text == "false":
        return ("false",)
    if _has_builder_id(provenance):
        return provenance.fields
    return (*provenance.fields, f"builder-id={builder_id}")


def provenance_requested(inp: BuildInputs) -> bool:
    """The inputs ask for provenance themselves (``provenance``, or an ``attests`` line of
    ``type=provenance``): no default one is added, and BUILDX_NO_DEFAULT_ATTESTATIONS is
    not read."""
    return inp.provenance is not None or any(
        has_attestation_type("provenance", a) for a in inp.attests
    )


def exports_to_docker(inp: BuildInputs) -> bool:
    """``load`` or a ``type=docker`` output: the image goes to the engine, which gets no
    default provenance (actions-toolkit ``Build.hasDockerExporter``)."""
    return inp.load or has_exporter_type("docker", inp.outputs)


def _attests(inp: BuildInputs, facts: RunFacts) -> list[str]:
    """The values of ``--attest``."""
    attests: list[str] = []
    if inp.provenance:
        prov = _provenance_input(inp.provenance, facts.builder_id)
        attests.append(_resolved(("type=provenance", *prov)))
    elif not provenance_requested(inp) and facts.default_provenance and not exports_to_docker(inp):
        mode = "mode=min,inline-only=true" if facts.private_repository else "mode=max"
        attests.append(f"type=provenance,{mode},builder-id={facts.builder_id}")
    if inp.sbom:
        attests.append(_resolved(("type=sbom", *inp.sbom.fields)))
    for attest in inp.attests:
        is_provenance = has_attestation_type("provenance", attest)
        is_sbom = has_attestation_type("sbom", attest)
        if not is_provenance and not is_sbom:
            attests.append(_resolved(attest.fields))
        elif is_provenance and not inp.provenance:
            builder_id = "" if _has_builder_id(attest) else f",builder-id={facts.builder_id}"
            attests.append(attest.text + builder_id)
        elif is_sbom and not inp.sbom:
            attests.append(attest.text)
    return attests


def require(
    found: BuildxVersion, minimum: BuildxVersion, input_name: str, flag: str = "", *,
    problem: str = "", unset: str = "''",
) -> None:  # fmt: skip
    """Fail early when ``input_name`` needs buildx ``minimum`` and ``found`` is older. The
    problem is that ``flag`` needs it, unless ``problem`` says otherwise; the hint sets the
    input to ``unset``, or asks for a newer buildx."""
    if not found.at_least(minimum):
        raise InputError(
            input_name,
            problem or f"{flag} needs buildx >= {minimum}, but this runner has buildx {found}",
            hint=f"with:\n  {input_name}: {unset}  # or run where buildx is {minimum} or newer",
        )


def check_versions(inp: BuildInputs, version: BuildxVersion) -> None:
    """Fail early when an input needs a newer buildx than the one present."""
    if inp.call:
        require(version, v.CALL, "call", "--call")
    if inp.annotations:
        require(version, v.ANNOTATIONS, "annotations", "--annotation")
    if inp.build_contexts:
        require(version, v.BUILD_CONTEXTS, "build-contexts", "--build-context")
    for name, given in (
        ("provenance", inp.provenance),
        ("sbom", inp.sbom),
        ("attests", inp.attests),
    ):
        if given:
            require(version, v.ATTESTATIONS, name, "--attest")


def needs_git_auth_token(inp: BuildInputs, facts: RunFacts) -> bool:
    """build-push-action passes ``github-token`` as the ``GIT_AUTH_TOKEN.<host>`` secret when
    BuildKit fetches this repository itself (the context starts with the default git
    context), unless a ``secrets`` line starts with ``GIT_AUTH_TOKEN=`` (actions-toolkit
    ``Build.hasGitAuthTokenSecret``, asked without a host: a line of the host's own id does
    not count)."""
    if not inp.github_token or any(s.id == GIT_AUTH_TOKEN for s in inp.secrets):
        return False
    return bool(facts.default_context) and build_context(inp, facts).startswith(
        facts.default_context
    )


def secret_payloads(inp: BuildInputs, facts: RunFacts) -> list[tuple[str, str]]:
    """(key, value) of every secret that goes to buildx as a file: ``secrets`` (keyed by
    their id) and the token (``TOKEN_FILE_KEY``)."""
    payloads = [(s.id, s.value) for s in inp.secrets]
    if needs_git_auth_token(inp, facts):
        payloads.append((TOKEN_FILE_KEY, inp.github_token))
    return payloads


def build_context(inp: BuildInputs, facts: RunFacts) -> str:
    return _DEFAULT_CONTEXT.sub(facts.default_context, inp.context)


def buildx_argv(
    inp: BuildInputs,
    *,
    tags: Sequence[str],
    labels: Sequence[str],
    annotations: Sequence[str],
    version: BuildxVersion,
    push: bool,
    metadata_file: str,
    iidfile: str,
    builder: str | None,
    cache_from: Sequence[Attributes],
    cache_to: Sequence[Attributes],
    secret_files: Mapping[str, str],
    facts: RunFacts,
) -> list[str]:
    """``["docker", "buildx", "build", ...]``.

    ``labels``/``annotations`` are the computed ones; the inputs' own are merged over them.
    ``secret_files`` maps each key of ``secret_payloads`` to the file holding its value.
    """
    a = buildx("build")
    a.add_many("--add-host", inp.add_hosts)
    a.add_many("--allow", inp.allow)
    # Computed annotations are left out for an old buildx; the user's failed the check.
    if version.at_least(v.ANNOTATIONS):
        a.add_many("--annotation", merge_pairs(annotations, inp.explicit_annotations))
    a.add_many("--build-arg", inp.build_args)
    a.add_many(
        "--build-context",
        (_DEFAULT_CONTEXT.sub(facts.default_context, c) for c in inp.build_contexts),
    )
    a.add_many("--cache-from", (entry.text for entry in cache_from))
    a.add_many("--cache-to", (entry.text for entry in cache_to))
    a.add_opt("--call", inp.call)
    a.add_opt("--cgroup-parent", inp.cgroup_parent)
    a.add_many("--secret", (f"id={i},env={name}" for i, name in inp.secret_envs))
    a.add_opt("--file", inp.file)
    local_or_tar = has_exporter_type("local", inp.outputs) or has_exporter_type("tar", inp.outputs)
    if not inp.platforms or version.at_least(v.IIDFILE_WITH_PLATFORMS):
        a.add_opt("--iidfile", None if local_or_tar else iidfile)
    a.add_many("--label", labels)  # the computed ones hold the user's, rendered
    a.add_many("--no-cache-filter", inp.no_cache_filters)
    a.add_many("--output", (output.text for output in inp.outputs))
    a.add_opt("--platform", ",".join(inp.platforms))
    if version.at_least(v.ATTESTATIONS):
        a.add_many("--attest", _attests(inp, facts))
    a.add_many("--secret", (f"id={s.id},src={secret_files[s.id]}" for s in inp.secrets))
    a.add_many("--secret", (f"id={i},src={path}" for i, path in inp.secret_files))
    if needs_git_auth_token(inp, facts):
        a.add_opt("--secret", f"id={facts.git_auth_token_id},src={secret_files[TOKEN_FILE_KEY]}")
    a.add_opt("--shm-size", inp.shm_size)
    a.add_many("--ssh", inp.ssh)
    a.add_many("--tag", tags)
    a.add_opt("--target", inp.target)
    a.add_many("--ulimit", inp.ulimit)
    a.add_opt("--builder", builder)
    a.add_flag("--load", inp.load)
    if version.at_least(v.METADATA_FILE):
        a.add_opt("--metadata-file", metadata_file)
    a.add_opt("--network", inp.network)
    a.add_flag("--no-cache", inp.no_cache)
    a.add_flag("--pull", inp.pull)
    a.add_flag("--push", push)
    a.append(build_context(inp, facts))
    return a


def redact_argv(argv: Sequence[str], secrets: Iterable[str]) -> str:
    """The command as a shell line, every secret value replaced by ``***``."""
    # The runner masks multi-line secrets line by line; do the same.
    pieces = {p for s in secrets for p in [s, *s.splitlines()] if p.strip()}
    values = sorted(pieces, key=len, reverse=True)
    shown: list[str] = []
    for arg in argv:
        text = arg
        for value in values:
            text = text.replace(value, "***")
        shown.append(text)
    return shlex.join(shown)
