"""A run, from the environment to the steps: inputs -> context -> metadata -> plan -> steps.

Everything the user can get wrong is parsed and checked before anything is built or
pushed. Only the entry points (``__main__``, ``cli``) call this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath

from . import clock, context, github_api
from .buildx.commands import check_secret_files
from .context import GitHubContext
from .errors import ActionError
from .inputs.build import secret_looking_build_args
from .inputs.secrets import secret_texts
from .inputs.table import read_raw
from .metadata import ContextSource, Meta, compute, effective_context
from .metadata.log import LogEntry, LogWarning, context_log, inputs_log, meta_log
from .metadata.meta import commit_date, sha_tag
from .metadata.repo import RepoFacts
from .plan.inputs import Inputs, parse
from .plan.plan import Plan, make_plan
from .plan.promote import SourceFacts
from .plan.push import require_image_to_push
from .plan.signing import require_signer
from .steps import build, login, merge, outputs, promote, sign
from .steps.builder import BuilderProbe
from .steps.job import Job

# Variables that name a program to run instead of the one the action finds. A relative path
# would be found in the working directory: the checkout, a pull request's content.
PROGRAM_VARIABLES = ("BUILDX_BIN", "COSIGN_BIN")


def require_absolute_programs(env: Mapping[str, str]) -> None:
    for name in PROGRAM_VARIABLES:
        value = env.get(name, "")
        if value and not PurePath(value).is_absolute():
            raise ActionError(
                f"{name}={value!r} must be an absolute path: a relative one is looked for on "
                "PATH or in the working directory, the checkout",
                hint=f"env:\n  {name}: /usr/local/bin/...  # the program's absolute path",
            )


def run(job: Job) -> None:
    env, wf = job.env, job.wf
    raw = read_raw(env)
    for secret in secret_texts(raw, env):
        wf.mask(secret)
    with job.phases("inputs"):
        require_absolute_programs(env)
        inp = parse(raw, env)
        require_signer(inp.sign, job.runner_env)
    for secret in inp.secret_values:
        wf.mask(secret)
    for name in secret_looking_build_args(inp.build.build_args):
        wf.warning(
            f"build-args: {name} looks like a secret; build args are kept in the image history"
            " and the build log, pass it with `secrets` (RUN --mount=type=secret) instead"
        )

    config_dir = ""  # the action's own Docker config; a dry run makes none
    pending = None
    if not inp.dry_run:
        check_secret_files(inp.build)
        config_dir = login.new_config_dir(job, inp)
        if inp.logins and not inp.digests.merge:  # a merge checks its digests first
            pending = login.PendingLogin(job, inp, config_dir)
    # Started before the metadata, as the logins: its buildx calls overlap the repository
    # look-up.
    probe_env = {**env, "DOCKER_CONFIG": config_dir} if config_dir else env
    probe = BuilderProbe(job, probe_env, inp.build.builder or None,
                         inspect=not inp.digests.merge)  # fmt: skip

    with job.phases("metadata"):
        ctx, repo = github_context(job, inp)
        meta = metadata(job, inp, ctx, repo)
    version, info = probe.result_or_assumed(job) if inp.dry_run else probe.result()
    plan = make_plan(inp, ctx, meta, job.runner_env, buildx=version, info=info)
    require_image_to_push(plan.push, plan.meta.images, plan.build.outputs)
    plan, facts, lookup = promotion(job, plan, ctx, repo)
    build.log_plan(job, plan)

    if inp.dry_run:
        if inp.digests.merge:
            merge.dry_run(job, plan, *merge.sources(job, plan))
        else:
            build.dry_run(job, plan)
        if inp.promote:
            promote.dry_run(job, plan, lookup)
        sign.dry_run(job, plan)
        return
    if inp.digests.merge:
        groups, digests = merge.sources(job, plan)  # a missing digest fails before any login
        login.log_in(job, inp, config_dir)
        digest = merge_or_promote(job, plan, groups, digests, config_dir=config_dir, lookup=lookup)
    else:
        if pending is not None:
            pending.wait()
        found = promote.promote(job, plan, config_dir, lookup, facts) if facts else None
        digest = found if found is not None else build.build_and_push(job, plan, config_dir).digest
    sign.sign(job, plan, config_dir, digest if plan.push else "")


def promotion(job: Job, plan: Plan, ctx: GitHubContext, repo: RepoFacts
              ) -> tuple[Plan, SourceFacts | None, str]:  # fmt: skip
    """With ``promote``: the plan whose build records its inputs, the facts of its source
    (None for a merge, which builds nothing) and the tag to find the earlier image by."""
    inp = plan.inputs
    if not inp.promote:
        return plan, None, ""
    knobs = job.runner_env.knobs
    lookup = sha_tag(inp.meta, ctx, repo, clock.now(knobs), knobs)
    plan = promote.with_lookup_tags(job, plan, lookup)
    if inp.digests.merge:
        return plan, None, lookup
    facts = promote.source_facts(plan.build, plan.facts, ctx.sha)
    return promote.with_record(plan, facts), facts, lookup


def merge_or_promote(
    job: Job, plan: Plan, groups: dict[str, list[str]], digests: list[str], *, config_dir: str,
    lookup: str,
) -> str:  # fmt: skip
    """The merge job: with ``promote``, the earlier index when it holds every digest."""
    earlier = None
    if plan.inputs.promote and plan.push:
        earlier = promote.merge_source(job, plan, lookup, digests, config_dir)
    if earlier is None:
        return merge.merge(job, plan, groups, digests, config_dir=config_dir)
    env = {**job.env, "DOCKER_CONFIG": config_dir}
    return promote.promote_index(job, plan, groups, earlier, env)  # the tags a merge would push


def github_context(job: Job, inp: Inputs) -> tuple[GitHubContext, RepoFacts]:
    """The context of the run (from the runner's environment or the checkout) and the
    repository facts, asking the API only for what the inputs need."""
    source = inp.meta.context
    base = (
        context.from_git(job.runner_env, job.runner_env.workspace or None)
        if source is ContextSource.GIT
        else context.from_runner(job.runner_env)
    )
    ctx = effective_context(base, job.runner_env.knobs, source)
    token = inp.meta.github_token
    if inp.meta.needs_commit_date() and not ctx.commit_date:
        ctx = replace(
            ctx, commit_date=github_api.fetch_commit_date(ctx, token, warn=job.wf.warning)
        )
    early = job.prefetched.result if job.prefetched else None
    return ctx, github_api.fetch_repo_facts(ctx, token, warn=job.wf.warning, prefetched=early)


def metadata(job: Job, inp: Inputs, ctx: GitHubContext, repo: RepoFacts) -> Meta:
    """The metadata, its log as metadata-action prints it, and its outputs."""
    now = clock.now(job.runner_env.knobs)
    print_log(job, [*context_log(ctx, job.env, commit_date(ctx, now)[0]), *inputs_log(inp.meta)])
    meta = compute(inp.meta, ctx, repo, now, job.runner_env.knobs)
    print_log(job, meta_log(meta, inp.meta))
    outputs.metadata(job, meta, inp.meta)
    return meta


def print_log(job: Job, entries: Sequence[LogEntry]) -> None:
    """Groups of lines, which come from outside (branches, the repository, the event), as
    data only; warnings as warnings."""
    wf = job.wf
    for entry in entries:
        if isinstance(entry, LogWarning):
            wf.warning(entry.message)
            continue
        with wf.group(entry.title), wf.untrusted():
            for line in entry.lines:
                wf.info(line)
