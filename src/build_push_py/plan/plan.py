"""The ``Plan``: every decision of the run, made from the parsed inputs, the metadata and
what buildx said about itself, before anything is built or pushed. Pure.

The dry run prints the argv of exactly this plan, and the build step runs it, so both show
the same command for the same inputs and buildx.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from ..buildx import version as v
from ..buildx.argv import (
    RunFacts,
    buildx_argv,
    check_versions,
    exports_to_docker,
    provenance_requested,
    require,
    secret_payloads,
    workflow_run_url,
)
from ..buildx.builder import (
    BuilderInfo,
    builder_allows_default_provenance,
    buildkit_at_least,
    missing_features,
    needs_container_builder,
    no_default_attestations,
)
from ..buildx.gitcontext import default_git_context, git_auth_token_id
from ..buildx.imagetools import BY_DIGEST_OUTPUT
from ..buildx.version import BuildxVersion
from ..context import GitHubContext
from ..inputs.attributes import Attributes
from ..inputs.build import BuildInputs
from ..inputs.driver import BuilderSpec, Driver
from ..metadata import Meta
from ..metadata.events import get
from ..runner.env import RunnerEnv
from .cache import CachePlan, default_cache
from .inputs import Inputs
from .promote import record_annotation
from .push import resolve_push
from .report import ReportSettings, report_settings
from .signing import SignPlan, decide_signing

# What a dry run plans for when it cannot ask buildx (no Docker on the machine).
ASSUMED_BUILDX = BuildxVersion(0, 21, 0)


@dataclass(frozen=True)
class BuilderChoice:
    """The builder the build runs on: an existing one, or one the action creates."""

    info: BuilderInfo = field(default_factory=BuilderInfo)
    name: str | None = None  # an existing builder; None with ``create`` unset: buildx's current
    create: BuilderSpec | None = None  # a builder the action creates for the job
    reasons: tuple[str, ...] = ()  # why the current builder would not do


def choose_builder(inp: Inputs, build: BuildInputs, cache_to: list[Attributes], info: BuilderInfo
                   ) -> BuilderChoice:  # fmt: skip
    if inp.driver is not None:
        return BuilderChoice(info, create=inp.driver)
    if build.builder:
        return BuilderChoice(info, name=build.builder)
    if needs_container_builder(build, cache_to, info):
        reasons = tuple(missing_features(build, cache_to, info))
        return BuilderChoice(info, create=BuilderSpec(Driver.DOCKER_CONTAINER), reasons=reasons)
    return BuilderChoice(info)


@dataclass(frozen=True)
class BuildFiles:
    """Where buildx writes its metadata and image id and reads the secret values from."""

    metadata_file: str
    iidfile: str
    secret_files: Mapping[str, str]  # key of Plan.secret_payloads -> file holding its value


@dataclass(frozen=True)
class Plan:
    inputs: Inputs
    meta: Meta
    push: bool
    cache: CachePlan
    facts: RunFacts
    buildx: BuildxVersion
    builder: BuilderChoice = field(default_factory=BuilderChoice)
    signing: SignPlan = field(default_factory=SignPlan)
    report: ReportSettings = field(default_factory=ReportSettings)  # of a build, not a merge
    notes: tuple[str, ...] = ()  # lines for the log: why it does (not) push ...
    warnings: tuple[str, ...] = ()
    fingerprint: str = ""  # the build inputs recorded on the image (``promote``), encoded
    # pushed besides the computed tags: the tag a promotion finds the image by, when no rule
    # computes it (``promote`` without a ``type=sha`` rule)
    extra_tags: tuple[str, ...] = ()

    @property
    def build(self) -> BuildInputs:
        """The build inputs as buildx gets them: ``push-by-digest`` sets the image output."""
        if not self.inputs.digests.push_by_digest:
            return self.inputs.build
        output = Attributes.of(*BY_DIGEST_OUTPUT, f"push={'true' if self.push else 'false'}")
        return replace(self.inputs.build, outputs=(output,))

    @property
    def secret_payloads(self) -> list[tuple[str, str]]:
        """(key, value) of every secret that goes to buildx in a file."""
        return secret_payloads(self.build, self.facts)

    def files(self, directory: str) -> BuildFiles:
        """The build's files in ``directory`` (secret files are numbered: ids may hold any
        character, and two secrets may share one)."""
        where = PurePosixPath(directory)
        return BuildFiles(
            metadata_file=str(where / "metadata.json"),
            iidfile=str(where / "iidfile"),
            secret_files={
                key: str(where / f"secret-{number}")
                for number, (key, _) in enumerate(self.secret_payloads, start=1)
            },
        )

    def argv(self, files: BuildFiles, builder: str | None) -> list[str]:
        """``docker buildx build ...`` on the builder named ``builder``."""
        by_digest = self.inputs.digests.push_by_digest
        return buildx_argv(
            self.build,
            # Pushed by digest, the image gets its names (from --tag) but no tag.
            tags=self.meta.images if by_digest else (*self.meta.tags, *self.extra_tags),
            labels=self.meta.labels,
            annotations=[
                *self.meta.annotations,
                *([record_annotation(self.fingerprint)] if self.fingerprint else []),
            ],
            version=self.buildx,
            push=self.push and not by_digest,
            metadata_file=files.metadata_file,
            iidfile=files.iidfile,
            builder=builder,
            cache_from=self.cache.cache_from,
            cache_to=self.cache.cache_to,
            secret_files=files.secret_files,
            facts=self.facts,
        )


NO_PROVENANCE_ON_DOCKER_DRIVER = (
    "No default provenance attestation: the docker driver on the classic image store cannot "
    "store one. docker/build-push-action would add it (and buildx refuse the build); to get "
    "it, set driver: docker-container, as setup-buildx-action does."
)


def _default_provenance(
    build: BuildInputs, builder: BuilderChoice, runner: RunnerEnv, buildx: BuildxVersion
) -> tuple[bool, str]:
    """May the build get a provenance attestation nobody asked for, and a note when only our
    builder rule keeps it off. BUILDX_NO_DEFAULT_ATTESTATIONS is read where upstream reads
    it: with buildx >= 0.10 and no provenance asked for."""
    if not buildx.at_least(v.ATTESTATIONS) or provenance_requested(build):
        return False, ""
    if no_default_attestations(runner.knobs):
        return False, ""
    if builder.create is not None:  # a builder made here runs a current BuildKit
        return True, ""
    if builder_allows_default_provenance(builder.info):
        return True, ""
    upstream_adds = buildkit_at_least(builder.info, (0, 11, 0)) and not exports_to_docker(build)
    return False, NO_PROVENANCE_ON_DOCKER_DRIVER if upstream_adds else ""


def _payload_private(ctx: GitHubContext) -> bool:
    """``payload.repository.private ?? false`` as a JavaScript condition: unknown is public."""
    private = get(ctx.payload, "repository", "private")
    if isinstance(private, float) and math.isnan(private):
        return False
    # JavaScript's falsy values; an empty list or object is truthy there.
    return private not in (None, False, 0, "")


def make_plan(
    inp: Inputs,
    ctx: GitHubContext,
    meta: Meta,
    runner: RunnerEnv,
    *,
    buildx: BuildxVersion,
    info: BuilderInfo,
) -> Plan:
    """The plan for ``ctx`` (the effective context of the metadata) on this buildx.

    The default git context is the workflow's own (``GITHUB_REF``, ``GITHUB_SHA`` from
    ``runner``), not the metadata's ref: build-push-action reads the raw workflow context.
    """
    if not inp.digests.merge:  # a merge drops what an old buildx lacks (steps.merge)
        check_versions(inp.build, buildx)  # before any builder, secret file or push
    if inp.promote:
        require(
            buildx,
            v.ANNOTATIONS,
            "promote",
            unset="false",
            problem=f"records the build inputs as an annotation, which buildx {v.ANNOTATIONS}"
            f" or later writes; this buildx is {buildx}",
        )
    if any(login.scope for login in inp.logins):
        require(
            buildx,
            v.SCOPED_CREDENTIALS,
            "scope",
            problem=f"scoped credentials are read by buildx {v.SCOPED_CREDENTIALS} or later;"
            f" this buildx is {buildx}",
        )
    push = resolve_push(inp.build, runner)
    cache = default_cache(inp.build, runner, meta.images, ctx.ref)
    # The report switches (inputs over variables): a variable's bad value fails here.
    report = ReportSettings() if inp.digests.merge else report_settings(inp.report, runner.knobs)
    plan = Plan(inp, meta, push.push, cache, RunFacts(), buildx, report=report,
                warnings=(*cache.warnings, *report.warnings))  # fmt: skip
    builder = choose_builder(inp, plan.build, cache.cache_to, info)
    provenance, provenance_note = _default_provenance(plan.build, builder, runner, buildx)
    head_sha = get(ctx.payload, "pull_request", "head", "sha")
    facts = RunFacts(
        builder_id=workflow_run_url(ctx.server_url, ctx.repository, ctx.run_id, runner.run_attempt),
        private_repository=_payload_private(ctx),
        default_context=default_git_context(
            server_url=ctx.server_url,
            repository=ctx.repository,
            ref=runner.ref,
            sha=runner.sha,
            pr_head_sha=head_sha if isinstance(head_sha, str) else None,
            env=runner.knobs,
            buildx=buildx,
        ),
        git_auth_token_id=git_auth_token_id(ctx.server_url),
        default_provenance=provenance,
    )
    signing = decide_signing(
        inp.sign,
        pushes=push.push and bool(meta.images),
        by_digest=inp.digests.push_by_digest,
        runner=runner,
    )
    notes = tuple(n for n in (push.reason, provenance_note) if n)
    warnings = (*plan.warnings, signing.warning) if signing.warning else plan.warnings
    return replace(plan, facts=facts, builder=builder, signing=signing, notes=notes,
                   warnings=warnings)  # fmt: skip
