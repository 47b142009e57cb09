"""The signing step: after the push, ``cosign sign`` for the digest pushed under every
image name, then the ``signed`` and ``cosign-verify-command`` outputs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path

from ..cosign import binary, identity
from ..cosign.argv import reference, sign_argv, sign_env, signing_config_argv, verify_command
from ..plan.plan import Plan
from ..plan.signing import SignPlan
from ..private import write_private
from ..proc import check
from ..retry import retrier
from ..runner.env import RunnerEnv
from . import outputs
from .job import Job

DRY_RUN_DIGEST = "<digest>"


def _cache_dir(runner: RunnerEnv) -> Path:
    # HOME is /github/home in the action's container: kept for the job's later steps.
    return Path(runner.home or tempfile.gettempdir()) / ".cache" / "build-push-py"


def dry_run(job: Job, plan: Plan) -> None:
    if not plan.signing.enabled:
        return
    inp = plan.inputs.sign
    with job.wf.untrusted():
        for image in plan.meta.images:
            ref = reference(image, DRY_RUN_DIGEST)
            job.wf.info("  " + " ".join(sign_argv("cosign", ref, inp, key_file="<key-file>")))


def sign(job: Job, plan: Plan, config_dir: str, digest: str) -> None:
    """Sign ``image@digest`` for every image; ``digest`` is the manifest or index pushed."""
    signing, inp = plan.signing, plan.inputs.sign
    refs = [reference(image, digest) for image in plan.meta.images] if digest else []
    if not signing.enabled or not refs:
        job.wf.info(f"Not signing: {signing.reason or 'nothing was pushed'}")
        outputs.signed(job, [])
        return
    with job.phases("sign"), job.wf.group("Sign"):
        work = Path(tempfile.mkdtemp(prefix="sign-", dir=config_dir))
        try:
            cosign = binary.locate(job.env, _cache_dir(job.runner_env), work)
            key_file = ""
            if inp.key_is_pem:
                key_file = str(work / "cosign.key")
                write_private(key_file, inp.key + "\n")
            extra = sign_env(inp, signing, job.env)
            env = {**job.env, "DOCKER_CONFIG": config_dir, **extra}
            signing_config = ""
            if not inp.tlog:
                signing_config = str(work / "signing-config.json")
                argv = signing_config_argv(cosign, signing_config)
                check(job.runner(argv, env=env), "cosign signing-config create")
            retry = retrier(plan.inputs.retry, log=job.wf.info)
            for ref in refs:
                argv = sign_argv(cosign, ref, inp, key_file=key_file, signing_config=signing_config)
                with job.wf.untrusted():
                    job.wf.info(" ".join(argv))
                retry(partial(_sign, job, argv, env, tuple(extra)), f"Sign {ref}")
        finally:
            shutil.rmtree(work, ignore_errors=True)  # the key file lives here
        if signing.keyless:
            signing = _signed_identity(job, signing)
    outputs.signed(job, [verify_command(ref, inp, signing) for ref in refs])


def _signed_identity(job: Job, signing: SignPlan) -> SignPlan:
    """The plan with the identity the certificates name: the workflow of the job's token
    (a reusable workflow's own), else the caller's, saying what to expect."""
    ref, why_not = identity.request_job_workflow_ref(job.env)
    if not ref:
        job.wf.info(
            f"The verify command names {signing.identity} (GITHUB_WORKFLOW_REF; {why_not}):"
            " when this job runs in a reusable workflow, the certificate names that workflow"
            " (the token's job_workflow_ref) instead"
        )
        return signing
    server = job.runner_env.server_url.rstrip("/")
    return replace(signing, identity=f"{server}/{ref}")


def _sign(job: Job, argv: list[str], env: Mapping[str, str], names: tuple[str, ...]) -> None:
    # cosign reads its key's password and the OIDC token request from these variables
    check(job.runner(argv, env=env, stream=True, pass_env=names), "cosign sign")
