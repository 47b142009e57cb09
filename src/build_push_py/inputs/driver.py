"""The builder inputs: ``driver``, ``endpoint``, ``driver-opts`` and the TLS material of the
``remote`` driver, checked into a ``BuilderSpec`` (``buildx.drivers`` makes its commands)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ..errors import InputError
from .build import BuildInputs
from .lists import input_list


class Driver(Enum):
    DOCKER_CONTAINER = "docker-container"
    REMOTE = "remote"
    KUBERNETES = "kubernetes"
    CLOUD = "cloud"


# (input, driver option) in the order setup-buildx-action adds them.
TLS_INPUTS = (("tls-cacert", "cacert"), ("tls-cert", "cert"), ("tls-key", "key"))
# Anywhere, not only at the start: `openssl pkcs12 -nodes` writes `Bag Attributes` lines first.
_PEM = re.compile(r"-----BEGIN ")
# Schemes the BuildKit client dials (buildkit client/connhelper).
_REMOTE_SCHEMES = ("tcp", "unix", "npipe", "ssh", "docker-container", "kube-pod")


@dataclass(frozen=True)
class TlsMaterial:
    """One of ``tls-cacert``/``tls-cert``/``tls-key``: a path, or the PEM text itself, which
    goes to a private file. ``repr`` never shows PEM text."""

    option: str  # cacert | cert | key
    value: str

    @property
    def is_pem(self) -> bool:
        return bool(_PEM.search(self.value))

    def __repr__(self) -> str:
        shown = "'<PEM>'" if self.is_pem else repr(self.value)
        return f"TlsMaterial(option={self.option!r}, value={shown})"


@dataclass(frozen=True)
class BuilderSpec:
    driver: Driver
    endpoint: str = ""
    driver_opts: tuple[str, ...] = ()
    tls: tuple[TlsMaterial, ...] = ()

    @property
    def secret_values(self) -> tuple[str, ...]:
        """PEM text given inline: masked in the log, never in argv."""
        return tuple(t.value for t in self.tls if t.is_pem)


def _endpoint_scheme(endpoint: str) -> str:
    scheme, sep, rest = endpoint.partition("://")
    return scheme if sep and rest else ""


def _check_endpoint(driver: Driver, endpoint: str) -> None:
    if "\n" in endpoint:
        raise InputError("endpoint", f"{endpoint!r} must be a single line")
    if endpoint.startswith("-"):
        # the endpoint is buildx create's last positional argument: it must not read as a flag
        raise InputError("endpoint", f"{endpoint!r} would be read as an option of buildx create")
    if driver is Driver.REMOTE:
        if not endpoint:
            raise InputError("endpoint", "driver remote needs the BuildKit address "
                             "(tcp://buildkitd:1234 or unix:///path/buildkitd.sock)")  # fmt: skip
        if _endpoint_scheme(endpoint) not in _REMOTE_SCHEMES:
            raise InputError(
                "endpoint",
                f"{endpoint!r} is not a BuildKit address; use one of "
                f"{', '.join(s + '://' for s in _REMOTE_SCHEMES)}",
            )
    if driver is Driver.CLOUD and not re.fullmatch(r"[^/\s]+/[^/\s]+", endpoint):
        raise InputError("endpoint", f"driver cloud needs ORG/BUILDER_NAME, not {endpoint!r}")


def _check_tls(
    driver: Driver, endpoint: str, opts: tuple[str, ...], tls: tuple[TlsMaterial, ...]
) -> None:
    if not tls:
        return
    name = f"tls-{tls[0].option}"
    if driver is not Driver.REMOTE:
        raise InputError(name, "is used only with driver: remote")
    if _endpoint_scheme(endpoint) != "tcp":
        raise InputError(name, f"TLS applies to tcp:// endpoints, not {endpoint!r}")
    in_opts = {opt.partition("=")[0].strip() for opt in opts}
    for material in tls:
        if "\n" in material.value and not material.is_pem:
            # no path has several lines: this is key or certificate text, never to be quoted
            raise InputError(
                f"tls-{material.option}",
                "has several lines but no -----BEGIN line; give the path of the file"
                " or its whole PEM text",
            )
        if material.option in in_opts:
            raise InputError(
                f"tls-{material.option}",
                f"driver-opts sets {material.option}= too; give it in one place",
            )


def parse_builder_spec(raw: Mapping[str, str], build: BuildInputs) -> BuilderSpec | None:
    """The builder to create for the job, or None to use the engine's (the default)."""
    text = raw.get("driver", "").strip()
    endpoint = raw.get("endpoint", "").strip()
    opts = tuple(input_list("driver-opts", raw.get("driver-opts", ""), ignore_comma=True,
                            quote=False))  # fmt: skip
    tls = tuple(
        TlsMaterial(option, raw[name].strip())
        for name, option in TLS_INPUTS
        if raw.get(name, "").strip()
    )
    if not text:
        for name, given in (("endpoint", bool(endpoint)), ("driver-opts", bool(opts))):
            if given:
                raise InputError(name, "is used only with a driver; set driver too")
        if tls:
            raise InputError(f"tls-{tls[0].option}", "is used only with driver: remote")
        return None
    names = [d.value for d in Driver]
    if text not in names:
        raise InputError("driver", f"{text!r} is unknown; use {', '.join(names)}")
    driver = Driver(text)
    if build.builder:
        raise InputError(
            "driver", "creates a builder for the job; it cannot be combined with builder"
        )
    for opt in opts:
        if "=" not in opt or not opt.partition("=")[0].strip():
            raise InputError("driver-opts", f"{opt!r} is not of the form key=value")
    _check_endpoint(driver, endpoint)
    _check_tls(driver, endpoint, opts, tls)
    return BuilderSpec(driver, endpoint, opts, tls)
