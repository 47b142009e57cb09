"""The BuildKit image of a ``docker-container`` builder, pulled through the engine before the
builder is created (setup-buildx-action v4.4): a registry that is briefly unwell is retried
here, where ``buildx create`` would fail the job at once, and an image that does not exist
or that the credentials cannot read fails with an error that names the input.

As buildx does (driver/docker-container), a failed pull is no failure when the engine
already has the image: buildx then starts the builder from the engine's copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from .errors import ActionError, EngineError, InputError
from .registry import engine
from .retry import Retrier


class PullFailed(ActionError):
    """The engine could not pull the image; the message is the engine's (the retrier's
    ``classify`` reads it), on one line: it quotes the registry, and the log shows it."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ImageEngine(Protocol):
    def pull(self, image: str) -> None:
        """Pull ``image``; raise ``PullFailed`` (or ``EngineError``)."""

    def has(self, image: str) -> bool:
        """Whether the engine has ``image``."""


EngineFactory = Callable[[Mapping[str, str], str], ImageEngine]


def pull_buildkit_image(
    engine: ImageEngine, image: str, input_name: str, retry: Retrier, log: Callable[[str], None]
) -> None:
    """Pull ``image`` (given by ``input_name``), again after transient failures only."""

    def attempt() -> bool:
        try:
            engine.pull(image)
        except PullFailed as exc:
            if not engine.has(image):
                raise
            log(f"Pulling BuildKit image {image} failed ({exc}); using the engine's copy")
            return False
        return True

    log(f"Pulling BuildKit image {image}")
    try:
        pulled = retry(attempt, f"Pulling BuildKit image {image}")
    except PullFailed as exc:
        raise InputError(
            input_name,
            f"the Docker engine cannot pull the BuildKit image {image}: {exc}",
            hint=f"with:\n  {input_name}: ...  # an image the engine can pull, e.g. "
            "moby/buildkit:buildx-stable-1 (log in to its registry in the same step)",
        ) from None
    if pulled:
        log(f"Pulled BuildKit image {image}")


class DockerEngine:
    """``ImageEngine`` through the engine's API (the ``docker`` SDK), at the engine that
    ``env`` names (``registry.engine.client``: as the docker CLI finds it, TLS included), with
    the credentials of the action's own ``config_dir``, as buildx would use them."""

    def __init__(self, env: Mapping[str, str], config_dir: str) -> None:
        self._config = Path(config_dir) / "config.json"
        self._client: Any = engine.client(env)

    def _auth(self, image: str) -> dict[str, Any]:
        """The login of the image's registry in the action's config; {} (anonymous) when
        there is none. Given explicitly: the SDK would otherwise read ~/.docker."""
        import docker  # noqa: PLC0415

        if not self._config.is_file():
            return {}
        repository, _ = docker.utils.parse_repository_tag(image)
        registry, _ = docker.auth.resolve_repository_name(repository)
        config = docker.auth.load_config(str(self._config))
        return dict(docker.auth.resolve_authconfig(config, registry) or {})

    def pull(self, image: str) -> None:
        import docker  # noqa: PLC0415

        try:
            # Errors after the pull started come in the progress stream, not as a status.
            for event in self._client.pull(
                image, stream=True, decode=True, auth_config=self._auth(image)
            ):
                if isinstance(event, dict) and event.get("error"):
                    raise PullFailed(str(event["error"]))
        except docker.errors.APIError as exc:
            raise PullFailed(str(exc.explanation or exc)) from None
        # OSError: the SDK's transport (requests) failed; its words say whether to retry.
        except (docker.errors.DockerException, OSError) as exc:
            raise PullFailed(str(exc)) from None

    def has(self, image: str) -> bool:
        import docker  # noqa: PLC0415

        try:
            self._client.inspect_image(image)
        except docker.errors.NotFound:
            return False
        except (docker.errors.DockerException, OSError) as exc:
            raise EngineError(f"cannot ask the Docker engine for {image}: {exc}") from None
        return True
