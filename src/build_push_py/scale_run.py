"""Scale out, the parts that touch disk and Docker: a builder for the job on another BuildKit,
the digest file of a push by digest, and the merge of those digests into tagged indexes."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import workflow
from .app import Phases, Plan, buildx_runner, cell, summary_table
from .build import buildx
from .build.merge import (
    create_argv,
    digest_file_name,
    digests_from_file_names,
    index_annotations,
    inspect_argv,
    source_refs,
    tags_by_image,
)
from .build.remote import BuilderSpec
from .build.version import ANNOTATIONS
from .errors import ActionError, InputError
from .login_run import log_in
from .private import write_private
from .proc import Runner, check


class MissingDigests(ActionError):
    """A digest to merge is not in the registry: nothing was tagged."""


def workspace_path(path: str, env: Mapping[str, str]) -> Path:
    """A path input: relative ones are taken from the workspace, which is both the action's
    working directory and that of the job's later ``run`` steps."""
    given = Path(path)
    return given if given.is_absolute() else Path(env.get("GITHUB_WORKSPACE") or ".") / given


def create_job_builder(
    runner: Runner, spec: BuilderSpec, buildkit_image: str, config_dir: str,
    env: Mapping[str, str],
) -> str:  # fmt: skip
    """Write TLS material given as PEM text to private files in ``config_dir`` (removed by
    the post step), then create and start the builder; returns its name."""
    files: dict[str, str] = {}
    for material in spec.tls:
        if material.is_pem:
            path = Path(config_dir) / f"buildkit-{material.option}.pem"
            write_private(path, material.value + "\n")
            files[material.option] = str(path)
        elif not Path(material.value).is_file():
            raise InputError(f"tls-{material.option}", f"{material.value}: no such file")
    return buildx.create_builder(runner, spec, buildkit_image, env, files)


def record_digest(plan: Plan, digest: str, env: Mapping[str, str]) -> None:
    """After a push by digest: the digest file for the merge job, as ``digests-dir`` asks."""
    directory = plan.inputs.digests.digests_dir
    workflow.info(f"Pushed by digest: {digest or '(none)'}")
    if not directory:
        return
    if not plan.push or not digest:
        workflow.info(f"Nothing pushed: no digest file written to {directory}")
        return
    target = workspace_path(directory, env)
    target.mkdir(parents=True, exist_ok=True)
    (target / digest_file_name(digest)).touch()
    workflow.info(f"Wrote {target / digest_file_name(digest)}")


def read_digests_dir(directory: str, env: Mapping[str, str]) -> tuple[str, ...]:
    path = workspace_path(directory, env)
    if not path.is_dir():
        raise InputError("digests-dir", f"{directory}: no such directory ({path})")
    return digests_from_file_names(p.name for p in path.iterdir())


def _index_digest(runner: Runner, ref: str, env: Mapping[str, str]) -> str:
    done = check(runner(inspect_argv(ref), env=env), f"docker buildx imagetools inspect {ref}")
    try:
        return str(json.loads(done.stdout)["digest"])
    except (ValueError, KeyError, TypeError):
        return ""


def _missing(runner: Runner, refs: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The references the registry does not have; any other failure (auth, network) raises."""
    missing: list[str] = []
    for ref in refs:
        done = runner(inspect_argv(ref), env=env)
        if done.returncode == 0:
            continue
        if "not found" in done.stderr.lower():
            missing.append(ref)
            continue
        check(done, f"docker buildx imagetools inspect {ref}")
    return missing


def merge(plan: Plan, env: Mapping[str, str], phases: Phases) -> None:
    """One index per image from the digests, tagged with every computed tag; ``digest``
    output: the index digest."""
    inp, meta = plan.inputs, plan.meta
    digests = list(inp.digests.digests)
    if inp.digests.digests_dir:
        digests += read_digests_dir(inp.digests.digests_dir, env)
    digests = list(dict.fromkeys(digests))
    if not digests:
        raise InputError("digests-dir", f"{inp.digests.digests_dir} holds no digest files")
    groups = {image: tags for image, tags in tags_by_image(meta.images, meta.tags).items() if tags}
    if not groups:
        raise InputError("tags", "no tag was computed for this event: there is nothing to merge")
    annotations = index_annotations(meta.annotations, inp.build.annotations)

    if inp.dry_run:
        with workflow.untrusted():
            for image, tags in groups.items():
                argv = create_argv(image, tags, digests, annotations)
                workflow.info(shlex.join(argv))
        workflow.summary(merge_summary(groups, digests, "", phases, dry_run=True))
        return

    config_dir = log_in(plan, env, phases)
    buildx_env = {**env, "DOCKER_CONFIG": config_dir}
    runner = buildx_runner(env)
    if not buildx.detect_version(runner, buildx_env).at_least(ANNOTATIONS):
        annotations = []  # imagetools create --annotation came with buildx 0.12
    with phases("verify"), workflow.group("Check the digests"):
        refs = [ref for image in groups for ref in source_refs(image, digests)]
        missing = _missing(runner, refs, buildx_env)
        if missing:
            raise MissingDigests(
                "not in the registry, nothing was tagged: "
                + ", ".join(missing)
                + " (did every build job push by digest to every image?)"
            )
        workflow.info(f"{len(refs)} manifests found")
    if not plan.push:
        workflow.info("Not pushing: no index was created")
        workflow.summary(merge_summary(groups, digests, "", phases))
        return
    index_digest = ""
    with phases("merge"), workflow.group("Merge"):
        for image, tags in groups.items():
            argv = create_argv(image, tags, digests, annotations)
            with workflow.untrusted():
                workflow.info(shlex.join(argv))
            check(runner(argv, env=buildx_env, stream=True), "docker buildx imagetools create")
            index_digest = index_digest or _index_digest(runner, tags[0], buildx_env)
    workflow.set_output("digest", index_digest)
    workflow.summary(merge_summary(groups, digests, index_digest, phases))


def merge_summary(
    groups: Mapping[str, Sequence[str]], digests: Sequence[str], index_digest: str,
    phases: Phases, *, dry_run: bool = False,
) -> str:  # fmt: skip
    rows = [
        ("Images", ", ".join(cell(i) for i in groups)),
        ("Tags", "<br>".join(cell(t) for tags in groups.values() for t in tags)),
        ("Merged digests", "<br>".join(cell(d) for d in digests)),
        ("Index digest", cell(index_digest) if index_digest else "-"),
    ]
    return summary_table("build-push-py merge" + (" (dry run)" if dry_run else ""), rows, phases)
