"""What the runner put in the step's environment, read once into a frozen ``RunnerEnv``: the
GitHub context variables, the runner's paths and services, and the knobs the action reads.

The values are the variables' text as given (a missing variable is ''), not the cleaned
``context.GitHubContext``, which also reads the webhook payload. Knobs that are validated
later (``DOCKER_BUILD_SUMMARY``...) stay raw text in ``knobs``, so a bad value fails where
and with the message it always did. The full mapping still goes to child processes
(``proc.child_env`` filters it) and to the SDK clients; only what the action itself reads
by name is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_SERVER_URL = "https://github.com"
DEFAULT_API_URL = "https://api.github.com"

# The variables read as knobs: validated where they are used, with the variable's name.
KNOB_PREFIXES = ("DOCKER_BUILD_", "DOCKER_METADATA_", "DOCKER_DEFAULT_GIT_CONTEXT_", "BUILDX_")
KNOB_NAMES = frozenset({"SOURCE_DATE_EPOCH"})


@dataclass(frozen=True)
class RunnerEnv:
    # The GitHub context (https://docs.github.com/actions/reference/variables-reference)
    server_url: str = DEFAULT_SERVER_URL  # GITHUB_SERVER_URL, or github.com when unset or ''
    api_url: str = DEFAULT_API_URL
    repository: str = ""  # "owner/name"
    ref: str = ""
    sha: str = ""
    head_ref: str = ""
    base_ref: str = ""
    event_name: str = ""
    event_path: str = ""
    workflow_ref: str = ""  # owner/name/.github/workflows/x.yml@ref
    run_id: str = ""
    run_number: str = ""
    run_attempt: str = ""
    retention_days: str = ""  # GITHUB_RETENTION_DAYS, the repository's default
    # Where the step runs
    on_actions: bool = False  # GITHUB_ACTIONS=true: a real runner (or act)
    under_act: bool = False  # ACT=true
    workspace: str = ""  # GITHUB_WORKSPACE
    temp: str = ""  # RUNNER_TEMP
    home: str = ""  # HOME: /github/home in the action's container, kept for later steps
    # The runner's services
    runtime_token: str = field(default="", repr=False)  # ACTIONS_RUNTIME_TOKEN
    results_url: str = ""  # ACTIONS_RESULTS_URL
    cache_url: str = ""  # ACTIONS_CACHE_URL
    cache_service_v2_given: bool = False  # ACTIONS_CACHE_SERVICE_V2 set, to any value
    id_token_url: str = ""  # ACTIONS_ID_TOKEN_REQUEST_URL: the job may ask for an OIDC token
    # The knobs, raw: every DOCKER_BUILD_*, DOCKER_METADATA_*, BUILDX_*... variable given,
    # and SOURCE_DATE_EPOCH.
    knobs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunnerEnv:
        def var(name: str) -> str:
            return env.get(name, "")

        return cls(
            server_url=var("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL,
            api_url=var("GITHUB_API_URL") or DEFAULT_API_URL,
            repository=var("GITHUB_REPOSITORY"),
            ref=var("GITHUB_REF"),
            sha=var("GITHUB_SHA"),
            head_ref=var("GITHUB_HEAD_REF"),
            base_ref=var("GITHUB_BASE_REF"),
            event_name=var("GITHUB_EVENT_NAME"),
            event_path=var("GITHUB_EVENT_PATH"),
            workflow_ref=var("GITHUB_WORKFLOW_REF"),
            run_id=var("GITHUB_RUN_ID"),
            run_number=var("GITHUB_RUN_NUMBER"),
            run_attempt=var("GITHUB_RUN_ATTEMPT"),
            retention_days=var("GITHUB_RETENTION_DAYS"),
            on_actions=var("GITHUB_ACTIONS") == "true",
            under_act=var("ACT") == "true",
            workspace=var("GITHUB_WORKSPACE"),
            temp=var("RUNNER_TEMP"),
            home=var("HOME"),
            runtime_token=var("ACTIONS_RUNTIME_TOKEN"),
            results_url=var("ACTIONS_RESULTS_URL"),
            cache_url=var("ACTIONS_CACHE_URL"),
            cache_service_v2_given="ACTIONS_CACHE_SERVICE_V2" in env,
            id_token_url=var("ACTIONS_ID_TOKEN_REQUEST_URL"),
            knobs=MappingProxyType(
                {
                    name: value
                    for name, value in env.items()
                    if name.startswith(KNOB_PREFIXES) or name in KNOB_NAMES
                }
            ),
        )

    @property
    def on_dotcom(self) -> bool:
        """github.com or a GHE.com tenant, not a GitHub Enterprise Server."""
        server = self.server_url.rstrip("/")
        return server == DEFAULT_SERVER_URL or server.endswith(".ghe.com")
