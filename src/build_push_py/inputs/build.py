"""The build inputs, parsed and checked once into a frozen ``BuildInputs``.

List inputs are read the way docker/build-push-action v7 reads them (actions-toolkit
``Util.getInputList``): the whole value is one CSV document, so a quoted field may span
lines (multi-line secrets and build args), lines are not comments, and with
``ignore_comma`` the fields of a line are joined back with ``,``. ``secrets`` is not
trimmed (v7.3). ``annotations`` and ``github-token`` are metadata-action's inputs, read
once by ``metadata.config`` and handed to ``parse_build_inputs``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import InputError
from .attributes import Attributes
from .grammar import Switch, input_bool, input_switch
from .lists import fields, has_annotation_level, input_list
from .table import DEFAULT_BUILDKIT_IMAGE

PushMode = Switch


@dataclass(frozen=True)
class Secret:
    """One ``ID=value`` line of the ``secrets`` input. ``repr`` never shows the value."""

    id: str
    value: str

    def __repr__(self) -> str:
        return f"Secret(id={self.id!r}, value='***')"


@dataclass(frozen=True)
class BuildInputs:
    context: str = "."
    file: str = ""
    target: str = ""
    platforms: tuple[str, ...] = ()
    build_args: tuple[str, ...] = ()
    build_contexts: tuple[str, ...] = ()
    secrets: tuple[Secret, ...] = ()
    secret_envs: tuple[tuple[str, str], ...] = ()  # (id, environment variable)
    secret_files: tuple[tuple[str, str], ...] = ()  # (id, path)
    ssh: tuple[str, ...] = ()
    cache_from: tuple[Attributes, ...] = ()
    cache_to: tuple[Attributes, ...] = ()
    cache: bool = True
    no_cache: bool = False
    no_cache_filters: tuple[str, ...] = ()
    pull: bool = False
    load: bool = False
    push: PushMode = PushMode.AUTO
    outputs: tuple[Attributes, ...] = ()
    provenance: Attributes | None = None  # None: not given; "true", "false" or attributes
    sbom: Attributes | None = None
    attests: tuple[Attributes, ...] = ()
    network: str = ""
    add_hosts: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    shm_size: str = ""
    ulimit: tuple[str, ...] = ()
    cgroup_parent: str = ""
    call: str = ""
    builder: str = ""
    buildkit_image: str = DEFAULT_BUILDKIT_IMAGE
    # every ``annotations`` item; those without a level are the metadata's to level
    annotations: tuple[str, ...] = ()
    github_token: str = dataclasses.field(default="", repr=False)

    @property
    def explicit_annotations(self) -> tuple[str, ...]:
        """The annotations that name their level (``index:k=v``): build-push-action's, for
        buildx as written. The others are among the computed annotations, levelled."""
        return tuple(item for item in self.annotations if has_annotation_level(item))

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Every secret value the inputs carry, for masking and redaction."""
        values = [s.value for s in self.secrets]
        if self.github_token:
            values.append(self.github_token)
        return tuple(values)


def _key_value(name: str, item: str, what: str) -> tuple[str, str]:
    key, sep, val = item.partition("=")
    if not sep or not key.strip() or not val:
        raise InputError(name, f"{item!r} is not of the form {what}")
    return key.strip(), val


_PLATFORM = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){1,2}")
# docker's units.RAMInBytes
_SIZE = re.compile(r"\d+(\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?")
_ULIMITS = (
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
    "rss", "rtprio", "rttime", "sigpending", "stack",
)  # fmt: skip
_CACHE_TYPES = ("registry", "local", "inline", "gha", "s3", "azblob")
_OUTPUT_TYPES = ("registry", "image", "docker", "oci", "tar", "local", "cacheonly")
_CALLS = ("build", "check", "outline", "targets")
_ENTITLEMENTS = ("network.host", "security.insecure", "device")


def _typed(name: str, text: str, types: tuple[str, ...], example: str) -> Attributes:
    """``type=X,key=value,...``; a lone word without ``=`` is also fine (a ref or a path)."""
    item = Attributes.read(name, text)
    parts = item.fields
    if len(parts) == 1 and "=" not in parts[0]:
        return item
    for field in parts:
        key, sep, _ = field.partition("=")
        if not sep or not key.strip():
            raise InputError(name, f"{field!r} in {text!r} is not of the form key=value")
    kind = item.get("type")
    if kind is None:
        raise InputError(name, f"{text!r} has no type= attribute (e.g. {example!r})")
    if kind not in types:
        raise InputError(name, f"type {kind!r} in {text!r} is unknown; use {' | '.join(types)}")
    return item


def _attest(text: str) -> Attributes:
    item = Attributes.read("attests", text)
    if not any(field.startswith("type=") for field in item.fields):
        valid = "every line needs a type= attribute (type=sbom)"
        raise InputError("attests", f"{text!r} is not valid; {valid}")
    return item


def _attestation(name: str, value: str) -> Attributes | None:
    """``provenance``/``sbom``: None when empty, else a boolean (``true``/``false``, lower
    case) or attributes."""
    text = value.strip()
    if not text:
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return Attributes.of(text.lower())
    item = Attributes.read(name, text)
    for field in item.fields:
        if "=" not in field and field.strip().lower() not in ("1", "0", "t", "f", "true", "false"):
            raise InputError(
                name, f"{field!r} in {text!r} is not valid; use true, false or key=value attributes"
            )
    return item


def _each(name: str, items: list[str], ok: Callable[[str], object], valid: str) -> list[str]:
    for item in items:
        if not ok(item):
            raise InputError(name, f"{item!r} is not valid; {valid}")
    return items


def _parse_secrets(items: list[str]) -> tuple[Secret, ...]:
    """``ID=value`` items, read untrimmed: a value keeps its blanks and newlines (a key file
    needs its last newline). Never quotes a value: a message names the secret by its number
    and id only. A line of only blanks is skipped (upstream warns about it)."""
    secrets: list[Secret] = []
    for number, item in enumerate((i for i in items if i.strip()), start=1):
        key, sep, val = item.partition("=")
        key = key.strip()  # upstream keeps blanks in the id, which no RUN --mount then finds
        if not sep or not key or not val:
            shown = f"secret {number} ({key!r}=...)" if sep else f"secret {number}"
            raise InputError("secrets", f"{shown} is not of the form ID=value (MY_TOKEN=abc)")
        if any(s.id == key for s in secrets):
            raise InputError("secrets", f"secret id {key!r} is given twice")
        secrets.append(Secret(key, val))
    return tuple(secrets)


_SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|KEY", re.IGNORECASE)


def secret_looking_build_args(build_args: tuple[str, ...]) -> list[str]:
    """Names of build args that look like secrets: their values end up in the image's
    history and build logs, where ``secrets`` would not put them."""
    names = (item.partition("=")[0].strip() for item in build_args)
    return [name for name in names if _SECRET_NAME.search(name)]


def _not_an_option(name: str, value: str) -> str:
    """A value buildx gets as an argument of its own (the context; the builder of
    ``buildx inspect``) or after a flag: one starting with '-' would be read as an option."""
    if not value.startswith("-"):
        return value
    problem = f"{value!r} starts with '-', which buildx reads as an option"
    if name in ("context", "file"):
        problem += f"; write a path that starts with '-' as ./{value}"
    raise InputError(name, problem)


def _ulimit_ok(item: str) -> bool:
    kind, sep, limits = item.partition("=")
    return bool(sep) and kind.strip() in _ULIMITS and bool(re.fullmatch(r"-?\d+(:-?\d+)?", limits))


def parse_build_inputs(
    raw: Mapping[str, str], *, annotations: Sequence[str] = (), github_token: str = ""
) -> BuildInputs:
    """Every build input from ``raw`` (``inputs.read_raw``), checked; raises ``InputError``.

    ``annotations`` (every item) and ``github_token``: two inputs of metadata-action that the
    build uses too, as ``metadata.config`` read them."""

    def text(name: str) -> str:
        value = raw.get(name, "").strip()
        if "\n" in value:
            raise InputError(name, f"{value!r} must be a single line")
        return value

    def argument(name: str) -> str:
        return _not_an_option(name, text(name))

    def flag(name: str, default: bool) -> bool:
        return input_bool(name, raw.get(name, ""), default=default)

    def lst(name: str, *, ignore_comma: bool, quote: bool = True, trim: bool = True) -> list[str]:
        value = raw.get(name, "")
        return input_list(name, value, ignore_comma=ignore_comma, quote=quote, trim=trim)

    def pairs(name: str, *, ignore_comma: bool, form: str) -> tuple[tuple[str, str], ...]:
        items = lst(name, ignore_comma=ignore_comma)
        return tuple(_key_value(name, item, form) for item in items)

    def typed(
        name: str, types: tuple[str, ...], example: str, quote: bool = True
    ) -> tuple[Attributes, ...]:
        items = lst(name, ignore_comma=True, quote=quote)
        return tuple(_typed(name, item, types, example) for item in items)

    has_key = re.compile(r"[^=]").match
    secret_envs = pairs("secret-envs", ignore_comma=False, form="ID=ENV_NAME (MY_SECRET=MY_VAR)")
    for _, env_name in secret_envs:
        if env_name.startswith("INPUT_"):
            # buildx never gets the action's inputs in its environment (proc.child_env).
            problem = f"{env_name!r} is an input of the action, which buildx cannot read"
            raise InputError("secret-envs", problem + "; pass its value with secrets (ID=value)")
    shm_size = text("shm-size")
    if shm_size and not _SIZE.fullmatch(shm_size):
        raise InputError("shm-size", f"{shm_size!r} is not a size; use a number with a unit (2g)")
    call = text("call")
    # ``,`` alone has no field at all
    if call and next(iter(fields("call", call)), "").strip() not in _CALLS:
        raise InputError("call", f"{call!r} is unknown; use {', '.join(_CALLS)}")
    build_contexts = lst("build-contexts", ignore_comma=True)
    for item in build_contexts:
        _key_value("build-contexts", item, "name=path-or-url (alpine=docker-image://alpine)")

    return BuildInputs(
        context=_not_an_option("context", raw.get("context", "").strip()) or ".",
        file=argument("file"),
        target=argument("target"),
        platforms=tuple(
            _each(
                "platforms",
                lst("platforms", ignore_comma=False),
                lambda p: p == "local" or _PLATFORM.fullmatch(p),
                "use os/arch[/variant] (linux/arm64)",
            )
        ),
        build_args=tuple(
            _each("build-args", lst("build-args", ignore_comma=True), has_key, "use NAME=value")
        ),
        build_contexts=tuple(build_contexts),
        secrets=_parse_secrets(lst("secrets", ignore_comma=True, trim=False)),
        secret_envs=secret_envs,
        secret_files=pairs("secret-files", ignore_comma=True, form="ID=path (MY_KEY=./key.pem)"),
        ssh=tuple(_each("ssh", lst("ssh", ignore_comma=False), has_key, "use default or id=path")),
        cache_from=typed("cache-from", _CACHE_TYPES, "type=registry,ref=user/app:cache"),
        cache_to=typed("cache-to", _CACHE_TYPES, "type=registry,ref=user/app:cache"),
        cache=flag("cache", True),
        no_cache=flag("no-cache", False),
        no_cache_filters=tuple(lst("no-cache-filters", ignore_comma=False)),
        pull=flag("pull", False),
        load=flag("load", False),
        push=input_switch("push", raw.get("push", "")),
        outputs=typed("outputs", _OUTPUT_TYPES, "type=local,dest=out", quote=False),
        provenance=_attestation("provenance", raw.get("provenance", "")),
        sbom=_attestation("sbom", raw.get("sbom", "")),
        attests=tuple(_attest(item) for item in lst("attests", ignore_comma=True)),
        network=argument("network"),
        add_hosts=tuple(
            _each(
                "add-hosts",
                lst("add-hosts", ignore_comma=False),
                lambda h: ":" in h or "=" in h,
                "use host:ip (docker:10.0.0.1)",
            )
        ),
        allow=tuple(
            _each(
                "allow",
                lst("allow", ignore_comma=False),
                lambda e: e.partition("=")[0] in _ENTITLEMENTS,
                f"use {', '.join(_ENTITLEMENTS)}",
            )
        ),
        shm_size=shm_size,
        ulimit=tuple(
            _each(
                "ulimit",
                lst("ulimit", ignore_comma=True),
                _ulimit_ok,
                f"use type=soft[:hard] (nofile=1024:2048) with a type of {', '.join(_ULIMITS)}",
            )
        ),
        cgroup_parent=argument("cgroup-parent"),
        call=call,
        builder=argument("builder"),
        buildkit_image=text("buildkit-image") or BuildInputs.buildkit_image,
        # metadata-action's reading (meta.ts getOCIAnnotationsWithCustoms): an item without
        # '=' is dropped, 'key=' and '=value' are kept
        annotations=tuple(item for item in annotations if "=" in item),
        github_token=github_token,
    )
