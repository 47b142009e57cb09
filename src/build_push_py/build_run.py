"""The part of a run that touches Docker: login, builder, build and push, build outputs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from . import workflow
from .app import (
    STATE_BUILDER,
    STATE_CONFIG,
    STATE_LOGOUT,
    Phases,
    Plan,
    buildx_runner,
    summary_markdown,
    temp_root,
)
from .build import buildx, engine
from .build.argv import redact_argv, secret_payloads
from .build.builder import (
    default_provenance,
    missing_features,
    needs_container_builder,
    with_engine_store,
)


def build_and_push(plan: Plan, env: Mapping[str, str], phases: Phases) -> None:
    inp, cache, push = plan.inputs, plan.cache, plan.push
    config_dir = tempfile.mkdtemp(prefix="docker-config-", dir=temp_root(env))
    workflow.save_state(STATE_CONFIG, config_dir)
    workflow.save_state(STATE_LOGOUT, "true" if inp.logout else "false")
    buildx_env = {**env, **cache.env, "DOCKER_CONFIG": config_dir}
    runner = buildx_runner(env)

    if inp.logins:
        with phases("login"), workflow.group("Login"):
            engine.login(inp.logins, config_dir, env)
            for entry in inp.logins:
                workflow.info(f"Logged in to {entry.registry} as {entry.username}")

    with phases("builder"), workflow.group("Builder"):
        version = buildx.detect_version(runner, buildx_env)
        builder = inp.build.builder or None
        info = buildx.inspect_builder(runner, builder, buildx_env)
        if info.driver == "docker":
            info = with_engine_store(info, engine.uses_containerd_store(env))
        if needs_container_builder(inp.build, cache.cache_to, info):
            reasons = ", ".join(missing_features(inp.build, cache.cache_to, info))
            workflow.info(f"The {info.driver} builder cannot do {reasons}: creating one")
            builder = buildx.create_builder(runner, inp.build.buildkit_image, buildx_env)
            workflow.save_state(STATE_BUILDER, builder)
            info = buildx.inspect_builder(runner, builder, buildx_env)
        plan = replace(
            plan, facts=replace(plan.facts, default_provenance=default_provenance(info, env))
        )
        workflow.info(f"buildx {version}, builder {info.name} ({info.driver} driver)")

    work = Path(tempfile.mkdtemp(prefix="build-", dir=config_dir))
    metadata_file, iidfile = str(work / "metadata.json"), str(work / "iidfile")
    result = buildx.BuildResult()
    try:
        secret_files = buildx.write_secret_files(
            secret_payloads(inp.build, plan.facts), str(work), inp.build
        )
        argv = plan.argv(
            version,
            metadata_file=metadata_file,
            iidfile=iidfile,
            builder=builder,
            secret_files=secret_files,
        )
        with phases("build"), workflow.group("Build" + (" and push" if push else "")):
            workflow.info("docker " + redact_argv(argv, inp.build.secret_values))
            try:
                result = buildx.run_build(
                    runner, argv, iidfile=iidfile, metadata_file=metadata_file,
                    env=buildx_env, call=inp.build.call,
                )
            except buildx.BuildFailed as exc:
                result = exc.result
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)  # secret files live here
        # build-push-action writes these even when the build failed.
        for name, value in (("imageid", result.imageid), ("digest", result.digest),
                            ("metadata", result.metadata)):
            workflow.set_output(name, value)
        workflow.summary(summary_markdown(plan, result.digest, phases))
