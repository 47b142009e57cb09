"""The fan-out's two ends that touch disk and the registry: the digest file a push-by-digest
build job leaves, and the merge job that makes one tagged index per image from them."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..buildx.imagetools import (
    create_argv,
    index_annotations,
    inspect_argv,
    inspect_raw_argv,
    source_refs,
    tags_by_image,
)
from ..buildx.version import ANNOTATIONS
from ..errors import InputError, MissingDigests
from ..plan.digests import digest_file_name, digests_from_file_names
from ..plan.plan import Plan
from ..proc import Runner, check
from ..runner.env import RunnerEnv
from . import outputs
from .job import Job


def workspace_path(path: str, runner: RunnerEnv) -> Path:
    """A path input: relative ones are taken from the workspace, which is both the action's
    working directory and that of the job's later ``run`` steps."""
    given = Path(path)
    return given if given.is_absolute() else _workspace(runner) / given


def _workspace(runner: RunnerEnv) -> Path:
    return Path(runner.workspace or ".")


def digests_dir_path(directory: str, runner: RunnerEnv) -> Path:
    """``digests-dir``, resolved, and only inside the resolved workspace: the digest files
    are the job's to upload and the merge's to read, and a symlink or ``..`` must not make
    the action write or read them elsewhere."""
    path = workspace_path(directory, runner).resolve()
    workspace = _workspace(runner).resolve()
    if not path.is_relative_to(workspace):
        raise InputError(
            "digests-dir",
            f"{directory} is {path}, outside the workspace {workspace}",
            hint="with:\n  digests-dir: digests  # a directory in the workspace",
        )
    return path


def record_digest(job: Job, plan: Plan, digest: str) -> None:
    """After a push by digest: the digest file for the merge job, as ``digests-dir`` asks."""
    directory = plan.inputs.digests.digests_dir
    job.wf.info(f"Pushed by digest: {digest or '(none)'}")
    if not directory:
        return
    if not plan.push or not digest:
        job.wf.info(f"Nothing pushed: no digest file written to {directory}")
        return
    target = digests_dir_path(directory, job.runner_env)
    target.mkdir(parents=True, exist_ok=True)
    (target / digest_file_name(digest)).touch()
    job.wf.info(f"Wrote {target / digest_file_name(digest)}")


def read_digests_dir(directory: str, runner: RunnerEnv) -> tuple[str, ...]:
    path = digests_dir_path(directory, runner)
    if not path.is_dir():
        raise InputError("digests-dir", f"{directory}: no such directory ({path})")
    return digests_from_file_names(p.name for p in path.iterdir())


def inspect_manifest(
    runner: Runner, ref: str, env: Mapping[str, str], *, raw: bool = False, missing_ok: bool = True
) -> dict[str, Any] | None:
    """The manifest behind ``ref`` (``imagetools inspect``; with ``raw``, as stored), ``{}``
    when its output does not parse; None when the registry does not have it (unless
    ``missing_ok`` is false). Any other failure (auth, network) raises."""
    argv = inspect_raw_argv(ref) if raw else inspect_argv(ref)
    done = runner(argv, env=env)
    if missing_ok and done.returncode != 0 and "not found" in done.stderr.lower():
        return None
    check(done, f"docker buildx imagetools inspect {ref}")
    try:
        found = json.loads(done.stdout)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def digest_of(runner: Runner, ref: str, env: Mapping[str, str]) -> str:
    found = inspect_manifest(runner, ref, env, missing_ok=False) or {}
    return str(found["digest"]) if "digest" in found else ""


def _missing(runner: Runner, refs: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The references the registry does not have; any other failure (auth, network) raises."""
    return [ref for ref in refs if inspect_manifest(runner, ref, env) is None]


def tag_groups(plan: Plan) -> dict[str, list[str]]:
    """Each image with the tags its index gets, as a build pushes them: the computed tags
    and ``promote``'s look-up tags (``extra_tags``). Images without a tag are left out."""
    computed = tags_by_image(plan.meta.images, (*plan.meta.tags, *plan.extra_tags))
    return {image: tags for image, tags in computed.items() if tags}


def create_indexes(
    job: Job, groups: Mapping[str, Sequence[str]], annotations: Sequence[str],
    env: Mapping[str, str], *, digests: Sequence[str] = (), refs: Sequence[str] = (),
) -> str:  # fmt: skip
    """``imagetools create`` of one index per image of ``groups``, with its tags, from the
    image's ``digests`` and the references ``refs``; the first index's digest."""
    digest = ""
    for image, tags in groups.items():
        argv = create_argv(image, tags, digests, annotations, sources=refs)
        with job.wf.untrusted():
            job.wf.info(shlex.join(argv))
        check(job.runner(argv, env=env, stream=True), "docker buildx imagetools create")
        digest = digest or digest_of(job.runner, tags[0], env)
    return digest


def sources(job: Job, plan: Plan) -> tuple[dict[str, list[str]], list[str]]:
    """Each image with its tags, and the digests to merge: checked before any login."""
    inp = plan.inputs
    digests = list(inp.digests.digests)
    if inp.digests.digests_dir:
        digests += read_digests_dir(inp.digests.digests_dir, job.runner_env)
    digests = list(dict.fromkeys(digests))
    if not digests:
        raise InputError("digests-dir", f"{inp.digests.digests_dir} holds no digest files")
    groups = tag_groups(plan)
    if not groups:
        raise InputError("tags", "no tag was computed for this event: there is nothing to merge")
    return groups, digests


def _annotations(plan: Plan) -> list[str]:
    if not plan.buildx.at_least(ANNOTATIONS):
        return []  # imagetools create --annotation came with buildx 0.12
    return index_annotations(plan.meta.annotations, plan.inputs.build.explicit_annotations)


def dry_run(
    job: Job, plan: Plan, groups: Mapping[str, Sequence[str]], digests: Sequence[str]
) -> None:
    """What ``merge`` would run, printed."""
    annotations = _annotations(plan)
    with job.wf.untrusted():
        for image, tags in groups.items():
            job.wf.info(shlex.join(create_argv(image, tags, digests, annotations)))
    outputs.merge_summary(job, groups, digests, "", dry_run=True)


def merge(
    job: Job, plan: Plan, groups: Mapping[str, Sequence[str]], digests: Sequence[str], *,
    config_dir: str,
) -> str:  # fmt: skip
    """One index per image (``sources``) from the digests, tagged with every computed tag;
    ``digest`` output: the index digest, also returned ('' when nothing was pushed)."""
    annotations = _annotations(plan)
    wf = job.wf
    buildx_env = {**job.env, "DOCKER_CONFIG": config_dir}
    with job.phases("verify"), wf.group("Check the digests"):
        refs = [ref for image in groups for ref in source_refs(image, digests)]
        missing = _missing(job.runner, refs, buildx_env)
        if missing:
            raise MissingDigests(
                "not in the registry, nothing was tagged: "
                + ", ".join(missing)
                + " (did every build job push by digest to every image?)",
                hint="with:\n  push-by-digest: true  # in every build job, for every image\n"
                "  digests-dir: digests",
            )
        wf.info(f"{len(refs)} manifests found")
    if not plan.push:
        wf.info("Not pushing: no index was created")
        outputs.merge_summary(job, groups, digests, "")
        return ""
    with job.phases("merge"), wf.group("Merge"):
        index_digest = create_indexes(job, groups, annotations, buildx_env, digests=digests)
    outputs.merged(job, index_digest)
    outputs.merge_summary(job, groups, digests, index_digest)
    return index_digest
