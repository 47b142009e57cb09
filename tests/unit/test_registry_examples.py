"""The cloud registry examples (examples/gar.yml, examples/acr.yml): the step's ``with:`` block,
its ``${{ ... }}`` expressions replaced by sample values as the runner would, read by the
action's own input parsing, is one plain login to the example's registry and images under it;
the password is the output of an earlier step of the same job, which may ask for an OIDC
token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from build_push_py.inputs.table import env_name, read_raw
from build_push_py.plan.inputs import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OUR_ACTION = "org/build-push-py@"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _job(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((EXAMPLES / name).read_text())
    [job] = doc["jobs"].values()
    assert isinstance(job, dict)
    return job


def _our_step(job: dict[str, Any]) -> int:
    [index] = [i for i, s in enumerate(job["steps"]) if s.get("uses", "").startswith(OUR_ACTION)]
    return index


def _substituted(block: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The ``with:`` values with each expression replaced by a sample value of its own, and
    the samples by expression."""
    samples: dict[str, str] = {}

    def sample(match: re.Match[str]) -> str:
        return samples.setdefault(match.group(1), f"sample-{len(samples)}-value")

    values = {name: _EXPRESSION.sub(sample, str(value)) for name, value in block.items()}
    return values, samples


@pytest.mark.parametrize(
    ("example", "registry", "username", "token_output"),
    [
        pytest.param("gar.yml", "europe-west1-docker.pkg.dev", "oauth2accesstoken",
                     "steps.auth.outputs.access_token", id="google-artifact-registry"),
        pytest.param("acr.yml", "myregistry.azurecr.io", "00000000-0000-0000-0000-000000000000",
                     "steps.acr.outputs.token", id="azure-container-registry"),
    ],
)  # fmt: skip
def test_the_example_is_a_plain_login_to_its_registry(
    example: str, registry: str, username: str, token_output: str
) -> None:
    job = _job(example)
    ours = _our_step(job)
    values, samples = _substituted(job["steps"][ours]["with"])

    inputs = parse(read_raw({env_name(name): value for name, value in values.items()}))

    [login] = inputs.logins
    assert (login.registry, login.username) == (registry, username)
    assert login.password == samples[token_output]
    assert list(samples) == [token_output]  # nothing else comes from outside
    assert inputs.meta.images
    assert all(image.name.startswith(registry + "/") for image in inputs.meta.images)
    # The token is made by an earlier step of the job, from the job's own OIDC token.
    step_id = token_output.split(".")[1]
    assert [s.get("id") for s in job["steps"][:ours]].count(step_id) == 1
    assert job["permissions"] == {"contents": "read", "id-token": "write"}


@pytest.mark.parametrize(
    ("example", "registry", "method", "env"),
    [
        pytest.param("ecr.yml", "123456789012.dkr.ecr.eu-west-3.amazonaws.com", "ecr", {},
                     id="amazon-ecr-role"),
        pytest.param("dockerhub-oidc.yml", "docker.io", "dockerhub-oidc",
                     {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example/",
                      "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token"},
                     id="docker-hub-oidc"),
    ],
)  # fmt: skip
def test_the_example_logs_in_without_a_stored_secret(
    example: str, registry: str, method: str, env: dict[str, str]
) -> None:
    job = _job(example)
    step = job["steps"][_our_step(job)]
    values, _ = _substituted(step["with"])
    step_env, _ = _substituted(step.get("env", {}))
    if "DOCKERHUB_OIDC_CONNECTIONID" in step_env:  # a variable's sample: a UUID
        step_env["DOCKERHUB_OIDC_CONNECTIONID"] = "01234567-89ab-cdef-0123-456789abcdef"

    raw = read_raw({env_name(name): value for name, value in values.items()})
    inputs = parse(raw, {**env, **step_env})

    [login] = inputs.logins
    assert (login.registry, login.method, login.password) == (registry, method, "")
    assert "password" not in values
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
