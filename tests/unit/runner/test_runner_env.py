from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from build_push_py import context
from build_push_py.runner.env import DEFAULT_API_URL, DEFAULT_SERVER_URL, RunnerEnv

SRC = Path(__file__).resolve().parents[3] / "src" / "build_push_py"

RUNNER = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://ghes.example.com",
    "GITHUB_API_URL": "https://ghes.example.com/api/v3",
    "GITHUB_REPOSITORY": "owner/app",
    "GITHUB_REF": "refs/pull/7/merge",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_HEAD_REF": "feature",
    "GITHUB_BASE_REF": "main",
    "GITHUB_EVENT_NAME": "pull_request",
    "GITHUB_EVENT_PATH": "/runner/event.json",
    "GITHUB_WORKFLOW_REF": "owner/app/.github/workflows/ci.yml@refs/heads/main",
    "GITHUB_RUN_ID": "42",
    "GITHUB_RUN_NUMBER": "7",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_RETENTION_DAYS": "90",
    "GITHUB_WORKSPACE": "/runner/work/app",
    "RUNNER_TEMP": "/runner/temp",
    "ACTIONS_RUNTIME_TOKEN": "runtime-secret",
    "ACTIONS_RESULTS_URL": "https://results.example.com/",
    "ACTIONS_CACHE_URL": "https://cache.example.com/",
    "ACTIONS_CACHE_SERVICE_V2": "",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example.com/",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-secret",
    "DOCKER_BUILD_SUMMARY": "nope",
    "DOCKER_METADATA_PR_HEAD_SHA": "true",
    "BUILDX_NO_DEFAULT_ATTESTATIONS": "1",
    "HOME": "/root",
    "SOURCE_DATE_EPOCH": "0",
    "SOURCE_DATE_EPOCHS": "1",
}


def test_every_field_from_the_runner() -> None:
    got = RunnerEnv.from_env(RUNNER)
    assert got == RunnerEnv(
        server_url="https://ghes.example.com",
        api_url="https://ghes.example.com/api/v3",
        repository="owner/app",
        ref="refs/pull/7/merge",
        sha="a" * 40,
        head_ref="feature",
        base_ref="main",
        event_name="pull_request",
        event_path="/runner/event.json",
        workflow_ref="owner/app/.github/workflows/ci.yml@refs/heads/main",
        run_id="42",
        run_number="7",
        run_attempt="2",
        retention_days="90",
        on_actions=True,
        under_act=False,
        workspace="/runner/work/app",
        temp="/runner/temp",
        home="/root",
        runtime_token="runtime-secret",
        results_url="https://results.example.com/",
        cache_url="https://cache.example.com/",
        cache_service_v2_given=True,
        id_token_url="https://token.example.com/",
        knobs={
            "DOCKER_BUILD_SUMMARY": "nope",  # raw: validated where it is used
            "DOCKER_METADATA_PR_HEAD_SHA": "true",
            "BUILDX_NO_DEFAULT_ATTESTATIONS": "1",
            "SOURCE_DATE_EPOCH": "0",
        },
    )
    assert not got.on_dotcom


def test_an_empty_environment_gives_the_defaults() -> None:
    got = RunnerEnv.from_env({})
    assert got == RunnerEnv()
    assert (got.server_url, got.api_url) == ("https://github.com", "https://api.github.com")
    assert (got.repository, got.workspace, got.temp, got.run_attempt) == ("", "", "", "")
    assert (got.on_actions, got.under_act, got.cache_service_v2_given) == (False, False, False)
    assert dict(got.knobs) == {}
    assert got.on_dotcom


@pytest.mark.parametrize("given", ["", "https://github.com"], ids=["empty", "given"])
def test_the_server_url_defaults_to_github_com(given: str) -> None:
    assert RunnerEnv.from_env({"GITHUB_SERVER_URL": given}).server_url == DEFAULT_SERVER_URL
    assert context.from_env({"GITHUB_SERVER_URL": given}).server_url == DEFAULT_SERVER_URL


@pytest.mark.parametrize(
    ("server", "dotcom"),
    [
        ("https://github.com/", True),
        ("https://acme.ghe.com", True),
        ("https://github.acme.com", False),
    ],
)
def test_on_dotcom(server: str, dotcom: bool) -> None:
    assert RunnerEnv.from_env({"GITHUB_SERVER_URL": server}).on_dotcom is dotcom


def test_it_is_frozen_and_keeps_tokens_out_of_its_repr() -> None:
    got = RunnerEnv.from_env(RUNNER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.repository = "other/app"  # type: ignore[misc]
    with pytest.raises(TypeError):
        got.knobs["DOCKER_BUILD_SUMMARY"] = "true"  # type: ignore[index]
    assert "secret" not in repr(got)


def test_the_github_defaults_are_written_once() -> None:
    """``https://github.com`` and ``https://api.github.com`` as defaults live in runner/env.py
    only; the rest of the package names ``DEFAULT_SERVER_URL``."""
    written = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if re.search(r'"https://(api\.)?github\.com/?"', path.read_text(encoding="utf-8"))
    }
    assert written == {"runner/env.py"}
    assert DEFAULT_API_URL == "https://api.github.com"
