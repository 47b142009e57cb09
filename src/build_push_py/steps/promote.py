"""Release by promotion (``promote``): the facts of the build's source for its fingerprint
(git, the Dockerfile), the look-up of the earlier image in the registries, and the
promotion itself, which adds this run's tags to that image with ``imagetools create``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..buildx.argv import RunFacts, build_context
from ..buildx.checks import local_dockerfile, remote_repository
from ..buildx.imagetools import index_annotations
from ..buildx.result import BuildResult
from ..context import RefusedCheckout, git, git_output
from ..errors import CommandError
from ..inputs.build import BuildInputs
from ..metadata.tagrule import TagType
from ..plan import promote as p
from ..plan.plan import Plan
from ..plan.report import BuildReport
from . import merge, outputs
from .job import Job


def source_facts(build: BuildInputs, run: RunFacts, commit: str) -> p.SourceFacts:
    """The commit, whether the context is exactly that commit, the frontend. A remote
    context is the commit only as ``{{defaultContext}}``, which pins it; a local one when
    it is a checkout of it without changed or untracked files, in the context or in the
    Dockerfile (which ``file`` may put outside it); a tarball or Dockerfile on stdin never."""
    context = build_context(build, run)
    if remote_repository(context) is not None:
        pinned = "defaultContext" in build.context
        return p.SourceFacts(commit, pinned, p.frontend(build.build_args, ""))
    if "-" in (context, build.file):  # stdin (which the inputs refuse) is not the checkout
        return p.SourceFacts(commit, False, p.frontend(build.build_args, ""))
    where = str(Path(context).resolve())
    dockerfile = Path(local_dockerfile(context, build.file, cwd=str(Path.cwd())))
    # The directory resolved as the context is: git takes an absolute path in its checkout.
    pathspec = str(dockerfile.parent.resolve() / dockerfile.name)
    # git's own ownership check stands (the image's /etc/gitconfig declares the job's
    # checkouts safe); a checkout git refuses is not known to be clean.
    try:
        head = git(["rev-parse", "HEAD"], cwd=where)
        # None when git fails, as on a Dockerfile outside the checkout: not the commit's.
        status = ["--literal-pathspecs", "status", "--porcelain", "--", ".", pathspec]
        changes = git_output(status, cwd=where)
    except RefusedCheckout:
        head, changes = "", None
    clean = bool(commit) and head == commit and changes == ""
    try:
        text = dockerfile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return p.SourceFacts(commit, clean, p.frontend(build.build_args, text))


def with_lookup_tags(job: Job, plan: Plan, tag: str) -> Plan:
    """Without a ``type=sha`` rule, the plan that also pushes ``image:<tag>`` (plain
    ``type=sha``'s tag), by which a release of this commit finds the image."""
    if any(rule.type is TagType.SHA for rule in plan.inputs.meta.tags):
        return plan
    extra = p.lookup_tags(plan.meta.images, tag, plan.meta.tags)
    if extra:
        with job.wf.untrusted():
            job.wf.info(f"promote: no type=sha rule, so also tagging {', '.join(extra)}")
    return replace(plan, extra_tags=tuple(extra))


def with_record(plan: Plan, facts: p.SourceFacts) -> Plan:
    """The plan whose build records its fingerprint on the image (``promote: true``)."""
    return replace(plan, fingerprint=p.encode(p.fingerprint(plan.build, facts)))


def _lookup_refs(plan: Plan, tag: str) -> str:
    """Where the earlier image is looked for, for the log: ``image:tag`` of every image."""
    return ", ".join(f"{image}:{tag}" for image in plan.meta.images)


def dry_run(job: Job, plan: Plan, tag: str) -> None:
    where = _lookup_refs(plan, tag) or "(no image)"
    with job.wf.untrusted():
        job.wf.info(f"Promote: a run first looks for {where} (not in a dry run)")


def _find(job: Job, plan: Plan, tag: str, env: Mapping[str, str]) -> p.EarlierImage | None:
    """The earlier image under the first image name that has ``tag`` as an image (a
    manifest with a digest)."""
    for image in plan.meta.images:
        found = merge.inspect_manifest(job.runner, f"{image}:{tag}", env)
        earlier = p.earlier_image(image, found) if found is not None else None
        if earlier is not None:
            return earlier
    return None


def _recorded(job: Job, plan: Plan, ours: Mapping[str, Any], earlier: p.EarlierImage,
              env: Mapping[str, str]) -> tuple[str, str]:  # fmt: skip
    """The fingerprint to compare with (the index's, else a platform manifest's) and the
    platform manifest that carries this build's own ('' when none does). One build puts
    the same record on each of its manifests; a fan-out's jobs each their own, so a job
    pushing by digest looks for its own among them."""
    by_digest = plan.inputs.digests.push_by_digest
    if earlier.recorded and not by_digest:  # a promoted index: the record of the whole build
        return earlier.recorded, ""
    first = ""
    image = earlier.ref.rpartition("@")[0]
    for digest in earlier.manifests:
        recorded = p.recorded_on(
            merge.inspect_manifest(job.runner, f"{image}@{digest}", env, raw=True) or {}
        )
        if recorded and not p.difference(ours, recorded):
            return recorded, digest
        first = first or recorded
        if not by_digest:
            break
    return first, ""


def promote(job: Job, plan: Plan, config_dir: str, tag: str, facts: p.SourceFacts) -> str | None:
    """Promote the earlier image of ``tag`` when its fingerprint is this build's: the digest
    the tags now point at (a fan-out build job: its platform manifest); None, after one log
    line saying why, when the run must build."""
    wf = job.wf
    env = {**job.env, "DOCKER_CONFIG": config_dir}
    by_digest = plan.inputs.digests.push_by_digest
    reason = p.unpromotable(plan.build, facts, push=plan.push, by_digest=by_digest)
    ours = json.loads(plan.fingerprint)  # this build's record (with_record)
    earlier, manifest = None, ""
    recorded = ""
    if not reason:
        with job.phases("promote"), wf.group("Look for the earlier image"):
            try:
                earlier = _find(job, plan, tag, env)
                if earlier is not None:
                    recorded, manifest = _recorded(job, plan, ours, earlier, env)
            except CommandError as exc:  # a registry that cannot be asked: build as today
                earlier, reason = None, f"the look-up failed: {exc.what} (exit {exc.returncode})"
    if not reason:
        if earlier is None:
            reason = f"no earlier image ({_lookup_refs(plan, tag)}: not found)"
        elif not recorded:
            reason = f"{earlier.ref} carries no recorded build inputs (built without promote)"
        else:
            found = p.difference(ours, recorded)
            reason = f"{earlier.ref}: {found}" if found else ""
    if reason or earlier is None:
        with wf.untrusted():  # image names and what a registry holds
            wf.info(f"Not promoting, building: {reason}")
        return None
    if by_digest:
        return _promote_by_digest(job, plan, earlier, manifest)
    return promote_index(job, plan, merge.tag_groups(plan), earlier, env)


def promote_index(
    job: Job, plan: Plan, groups: Mapping[str, Sequence[str]], earlier: p.EarlierImage,
    env: Mapping[str, str],
) -> str:  # fmt: skip
    """Per image of ``groups``, its tags (``merge.tag_groups``: those a build or a merge
    would push) on the earlier image (copied from the registry that has it), with the
    release's index annotations; the outputs a build writes. Returns the new index's digest."""
    wf, meta = job.wf, plan.meta
    annotations = p.promoted_annotations(
        index_annotations(meta.annotations, plan.inputs.build.explicit_annotations),
        plan.fingerprint or earlier.recorded,
    )
    with job.phases("promote"), wf.group("Promote"):
        digest = merge.create_indexes(job, groups, annotations, env, refs=[earlier.ref])
    with wf.untrusted():
        wf.info(f"Promoted from {earlier.ref}, not rebuilt: {digest}")
    metadata = {"containerimage.digest": digest, "image.name": ",".join(meta.tags),
                "promoted-from": earlier.ref}  # fmt: skip
    outputs.build(job, BuildResult(digest=digest, metadata=json.dumps(metadata, indent=2)))
    outputs.build_report(job, BuildReport())
    if plan.report.summary:
        outputs.build_summary(job, plan, digest, promoted_from=earlier.ref)
    return digest


def _promote_by_digest(job: Job, plan: Plan, earlier: p.EarlierImage, digest: str) -> str:
    """A fan-out build job whose platform image is in the earlier index: its digest goes to
    the merge job, which promotes that index when every digest it gets is in it."""
    with job.wf.untrusted():
        job.wf.info(f"Promoted from {earlier.ref}, not rebuilt: {digest}")
    outputs.build(job, BuildResult(digest=digest))
    outputs.build_report(job, BuildReport())
    merge.record_digest(job, plan, digest)
    return digest


def merge_source(job: Job, plan: Plan, tag: str, digests: list[str], config_dir: str
                 ) -> p.EarlierImage | None:  # fmt: skip
    """A merge job's earlier index: the one behind ``tag`` when it holds every digest to
    merge (each build job promoted); None, after one log line saying why, otherwise."""
    env = {**job.env, "DOCKER_CONFIG": config_dir}
    with job.phases("promote"), job.wf.group("Look for the earlier image"):
        try:
            earlier = _find(job, plan, tag, env)
        except CommandError as exc:
            with job.wf.untrusted():
                job.wf.info(f"Not promoting, merging: the look-up failed: {exc}")
            return None
    missing = [d for d in digests if earlier is None or d not in earlier.manifests]
    with job.wf.untrusted():
        if earlier is None:
            where = _lookup_refs(plan, tag)
            job.wf.info(f"Not promoting, merging: no earlier image ({where}: not found)")
        elif missing:
            job.wf.info(f"Not promoting, merging: {earlier.ref} does not hold {', '.join(missing)}")
    return None if missing or earlier is None else earlier
