"""The job, phase by phase: inputs -> context -> metadata -> plan -> login -> build -> outputs.

Everything the user can get wrong is parsed and checked before anything is built or pushed.
The post step (``post``) logs out and removes what the main step created; the runner runs it
even when the main step failed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import clock, context, proc, workflow
from .build.argv import (
    RunFacts,
    buildx_argv,
    git_context_url,
    redact_argv,
    secret_payloads,
    workflow_run_url,
)
from .build.cache import CachePlan, default_cache
from .build.inputs import BuildInputs, parse_build_inputs, secret_looking_build_args
from .build.login import RegistryLogin, parse_logins
from .build.merge import DigestInputs, parse_digest_inputs, push_by_digest_output
from .build.push import resolve_push
from .build.remote import BuilderSpec, parse_builder_spec
from .build.version import BuildxVersion
from .inputs import parse_bool, read_raw
from .metadata import (
    BAKE_FILE_NAMES,
    ContextSource,
    Meta,
    MetaInputs,
    bake_file_text,
    bake_files,
    compute,
    effective_context,
    env_exports,
    fetch_commit_date,
    fetch_repo_facts,
    meta_outputs,
    parse_inputs,
)
from .retry import RetryPolicy, parse_policy

# A dry run touches no Docker at all, so it plans for this buildx (the image ships a newer one).
PLAN_BUILDX = BuildxVersion(0, 21, 0)
STATE_CONFIG = "docker_config"
STATE_BUILDER = "builder"
STATE_LOGOUT = "logout"


@dataclass(frozen=True)
class Inputs:
    meta: MetaInputs
    build: BuildInputs
    logins: list[RegistryLogin]
    dry_run: bool
    logout: bool
    digests: DigestInputs = field(default_factory=DigestInputs)
    driver: BuilderSpec | None = None  # a builder to create for the job
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def parse(raw: Mapping[str, str]) -> Inputs:
    """Every input, checked: the first bad one raises ``InputError``."""
    meta = parse_inputs(raw)
    build = parse_build_inputs(raw)
    return Inputs(
        meta=meta,
        build=build,
        logins=parse_logins(raw),
        dry_run=parse_bool("dry-run", raw["dry-run"]),
        logout=parse_bool("logout", raw["logout"], default=True),
        digests=parse_digest_inputs(raw, build),
        driver=parse_builder_spec(raw, build),
        retry=parse_policy(raw),
    )


@dataclass(frozen=True)
class Plan:
    """What the build will be: every decision made, nothing run yet."""

    inputs: Inputs
    meta: Meta
    push: bool
    cache: CachePlan
    facts: RunFacts

    @property
    def build(self) -> BuildInputs:
        """The build inputs as buildx gets them: ``push-by-digest`` sets the image output."""
        if not self.inputs.digests.push_by_digest:
            return self.inputs.build
        return replace(self.inputs.build, outputs=(push_by_digest_output(self.push),))

    def argv(
        self,
        version: BuildxVersion,
        *,
        metadata_file: str,
        iidfile: str,
        builder: str | None,
        secret_files: Mapping[str, str],
    ) -> list[str]:
        by_digest = self.inputs.digests.push_by_digest
        return buildx_argv(
            self.build,
            # Pushed by digest, the image gets its names (from --tag) but no tag.
            tags=self.meta.images if by_digest else self.meta.tags,
            labels=self.meta.labels,
            annotations=self.meta.annotations,
            version=version,
            push=self.push and not by_digest,
            metadata_file=metadata_file,
            iidfile=iidfile,
            builder=builder,
            cache_from=self.cache.cache_from,
            cache_to=self.cache.cache_to,
            secret_files=secret_files,
            facts=self.facts,
        )


@dataclass
class Phases:
    """Wall time per phase, for the job summary."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - start


def _mask_secrets(raw: Mapping[str, str]) -> None:
    for name in ("password", "github-token"):
        if raw.get(name):
            workflow.mask(raw[name])


def temp_root(env: Mapping[str, str]) -> str:
    return env.get("RUNNER_TEMP") or tempfile.gettempdir()


def run(env: Mapping[str, str]) -> None:
    phases = Phases()
    raw = read_raw(env)
    _mask_secrets(raw)
    with phases("inputs"):
        inp = parse(raw)
    _mask_and_warn(inp)

    if inp.digests.merge:
        from .scale_run import merge  # noqa: PLC0415 - not needed by a build or a dry run

        merge(make_plan(inp, raw, env, phases), env, phases)
    elif inp.dry_run:
        plan = make_plan(inp, raw, env, phases)
        argv = plan.argv(
            PLAN_BUILDX,
            metadata_file="<metadata-file>",
            iidfile="<iidfile>",
            builder=inp.build.builder or None,
            secret_files={
                sid: f"<secret {sid}>" for sid, _ in secret_payloads(inp.build, plan.facts)
            },
        )
        print_plan(plan.meta, plan.push, argv, inp.build.secret_values)
        workflow.summary(summary_markdown(plan, None, phases, dry_run=True))
    else:
        from .build.buildx import check_secret_files  # noqa: PLC0415 - not for dry runs
        from .build_run import BuilderProbe, build_and_push  # noqa: PLC0415
        from .login_run import new_config_dir  # noqa: PLC0415

        check_secret_files(inp.build)
        config_dir = new_config_dir(inp, env)
        # Started before the metadata: its buildx calls overlap the repository lookup.
        probe = BuilderProbe(inp, env, config_dir)
        build_and_push(make_plan(inp, raw, env, phases), env, phases, config_dir, probe)


def _mask_and_warn(inp: Inputs) -> None:
    tls_pem = inp.driver.secret_values if inp.driver else ()
    for secret in [*(entry.password for entry in inp.logins), *inp.build.secret_values, *tls_pem]:
        workflow.mask(secret)
    for name in secret_looking_build_args(inp.build.build_args):
        workflow.warning(
            f"build-args: {name} looks like a secret; build args are kept in the image history"
            " and the build log, pass it with `secrets` (RUN --mount=type=secret) instead"
        )


def make_plan(
    inp: Inputs, raw: Mapping[str, str], env: Mapping[str, str], phases: Phases
) -> Plan:
    """The metadata (and its outputs, written now), whether to push, the cache: the Plan."""
    with phases("metadata"):
        ctx = effective_context(
            context.from_git(env, env.get("GITHUB_WORKSPACE") or None)
            if inp.meta.context is ContextSource.GIT
            else context.from_env(env),
            env,
            inp.meta.context,
        )
        token = raw["github-token"]
        if inp.meta.needs_commit_date() and not ctx.commit_date:
            ctx = replace(ctx, commit_date=fetch_commit_date(ctx, token, warn=workflow.warning))
        repo = fetch_repo_facts(ctx, token, warn=workflow.warning)
        meta = compute(inp.meta, ctx, repo, clock.now(env), env)
        for message in meta.warnings:
            workflow.warning(message)
        write_metadata_outputs(meta, inp.meta, env)

    push = resolve_push(inp.build, env)
    if env.get("ACT") == "true" and not push and inp.build.push.value == "auto":
        workflow.info("Running under act: not pushing (set push: true to push anyway)")
    cache = default_cache(inp.build, env, meta.images, ctx.ref)
    for message in cache.warnings:
        workflow.warning(message)
    facts = RunFacts(
        builder_id=workflow_run_url(
            ctx.server_url, ctx.repository, ctx.run_id, env.get("GITHUB_RUN_ATTEMPT", "")
        ),
        private_repository=repo.private,
        default_context=git_context_url(ctx.server_url, ctx.repository, ctx.ref),
        default_provenance=False,
    )
    return Plan(inp, meta, push, cache, facts)


def write_metadata_outputs(meta: Meta, inp: MetaInputs, env: Mapping[str, str]) -> None:
    outputs = dict(meta_outputs(meta, inp))
    bake_dir = Path(tempfile.mkdtemp(prefix="metadata-", dir=temp_root(env)))
    for name, content in bake_files(meta, inp).items():
        path = bake_dir / BAKE_FILE_NAMES[name]
        path.write_text(bake_file_text(content), encoding="utf-8")
        outputs[name] = str(path)
    for name, value in outputs.items():
        workflow.set_output(name, value)
    if env.get("DOCKER_METADATA_SET_OUTPUT_ENV", "true").strip().lower() != "false":
        for name, value in env_exports(outputs).items():
            workflow.export_env(name, value)


def print_plan(meta: Meta, push: bool, argv: Sequence[str], secrets: Sequence[str]) -> None:
    # Tags and labels come from branch names and the repository: print them as data only.
    with workflow.untrusted():
        workflow.info("Tags:")
        for tag in meta.tags:
            workflow.info(f"  {tag}")
        workflow.info("Labels:")
        for label in meta.labels:
            workflow.info(f"  {label}")
        workflow.info(f"Push: {'yes' if push else 'no'}")
        workflow.info("Command:")
        workflow.info("  docker " + redact_argv(argv, secrets))


def cell(text: str) -> str:
    """Text as inline code in a Markdown table cell (it may come from the event)."""
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


def summary_table(title: str, rows: Sequence[tuple[str, str]], phases: Phases) -> str:
    """A job-summary section: a two-column table, the time per phase last."""
    times = ", ".join(f"{k} {v:.2f} s" for k, v in phases.seconds.items())
    lines = [f"### {title}", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in [*rows, ("Time", times)]]
    return "\n".join(lines) + "\n"


def summary_markdown(
    plan: Plan, digest: str | None, phases: Phases, *, dry_run: bool = False
) -> str:
    meta, cache = plan.meta, plan.cache
    title = "build-push-py plan (dry run)" if dry_run else "build-push-py"
    rows = [
        ("Images", ", ".join(cell(i) for i in meta.images) or "-"),
        ("Tags", "<br>".join(cell(t) for t in meta.tags) or "-"),
        ("Pushed", "yes" if plan.push and not dry_run else "no"),
        ("Digest", cell(digest) if digest else "-"),
        ("Platforms", ", ".join(cell(p) for p in plan.inputs.build.platforms) or "engine default"),
        ("Cache", "<br>".join(cell(c) for c in [*cache.cache_from, *cache.cache_to]) or "none"),
    ]
    return summary_table(title, rows, phases)


def post(env: Mapping[str, str]) -> None:
    """Remove the builder the main step created, then the credentials (unless ``logout: false``)."""
    from .build.buildx import remove_builder  # noqa: PLC0415

    config_dir = env.get(f"STATE_{STATE_CONFIG}", "")
    builder = env.get(f"STATE_{STATE_BUILDER}", "")
    buildx_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else dict(env)
    if builder:
        try:
            remove_builder(buildx_runner(env), builder, buildx_env)
            workflow.info(f"Removed builder {builder}")
        except Exception as exc:
            workflow.warning(f"could not remove builder {builder}: {exc}")
    if config_dir and env.get(f"STATE_{STATE_LOGOUT}", "true") == "true":
        shutil.rmtree(config_dir, ignore_errors=True)
        workflow.info("Logged out: removed the action's Docker credentials")


def buildx_runner(env: Mapping[str, str]) -> proc.Runner:
    """``proc.run``, except that ``docker buildx ...`` runs a standalone buildx when
    ``BUILDX_BIN`` names one (the action image carries buildx but no docker CLI)."""
    binary = env.get("BUILDX_BIN", "")
    if not binary:
        return proc.run

    def run(argv: Sequence[str], **kwargs: object) -> proc.Result:
        args = list(argv)
        if args[:2] == ["docker", "buildx"]:
            args = [binary, *args[2:]]
        return proc.run(args, **kwargs)  # type: ignore[arg-type]

    return run
