"""Running buildx: its version, the builder's life cycle, secrets on disk and the build.

Every command goes through a ``proc.Runner``; ``env`` is the job's environment for buildx
(with ``DOCKER_CONFIG`` pointing at the action's own config, where the logins and any
builder made here live), of which ``proc.child_env`` hands buildx only what it reads.
"""

from __future__ import annotations

import json
import os
import re
import secrets as _random
import shutil
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import proc
from ..command import BUILDX, buildx
from ..errors import CommandError, EngineError, InputError
from ..inputs.build import BuildInputs
from ..inputs.driver import BuilderSpec
from ..private import write_private
from ..proc import Runner, check
from .builder import (
    BUILDER_PREFIX,
    BuilderInfo,
    inspect_argv,
    parse_inspect,
    remove_argv,
    with_engine_store,
)
from .drivers import create_argv
from .result import BuildFailed, BuildResult
from .version import BuildxVersion

# buildx's build history: ``history export`` (0.23), and its ``--finalize`` (0.24).
RECORD_EXPORT = BuildxVersion(0, 23, 0)
RECORD_FINALIZE = BuildxVersion(0, 24, 0)


def detect_version(runner: Runner, env: Mapping[str, str] | None = None) -> BuildxVersion:
    result = runner(buildx("version"), env=env)
    if result.returncode != 0:
        raise EngineError(
            "docker buildx is not available: " + (result.stderr.strip() or result.stdout.strip())
        )
    return BuildxVersion.parse(result.stdout)


def inspect_builder(
    runner: Runner, name: str | None = None, env: Mapping[str, str] | None = None
) -> BuilderInfo:
    done = check(runner(inspect_argv(name), env=env), f"docker buildx inspect {name or ''}".strip())
    return with_engine_store(parse_inspect(done.stdout))


def create_builder(
    runner: Runner,
    spec: BuilderSpec,
    buildkit_image: str,
    env: Mapping[str, str] | None = None,
    tls_files: Mapping[str, str] | None = None,
) -> str:
    """Create and start a builder for ``spec``; returns its name. On a failed start the
    half-made builder is removed again."""
    name = BUILDER_PREFIX + _random.token_hex(4)
    create = create_argv(name, spec, buildkit_image, tls_files or {})
    check(runner(create, env=env), "docker buildx create")
    started = runner(inspect_argv(name, bootstrap=True), env=env, stream=True)
    if started.returncode != 0:
        remove_builder(runner, name, env)
        source = spec.endpoint or f"BuildKit image {buildkit_image}"
        check(started, f"starting builder {name} ({source})")
    return name


def remove_builder(runner: Runner, name: str, env: Mapping[str, str] | None = None) -> None:
    check(runner(remove_argv(name), env=env), f"docker buildx rm {name}")


def check_secret_files(inp: BuildInputs) -> None:
    """Every ``secret-files`` path exists: checked before anything logs in or builds."""
    for secret_id, path in inp.secret_files:
        if not Path(path).is_file():
            raise InputError("secret-files", f"{secret_id}={path}: no such file")


def write_secret_files(payloads: Sequence[tuple[str, str]], paths: Mapping[str, str]) -> None:
    """Write each (id, value) to the file ``paths`` gives for its id, readable only by us."""
    for secret_id, value in payloads:
        write_private(paths[secret_id], value)


def read_outputs(iidfile: str, metadata_file: str) -> BuildResult:
    imageid = _read(iidfile)
    text = _read(metadata_file)
    if not text or text == "null":
        return BuildResult(imageid=imageid)
    try:
        metadata = json.loads(text)
    except ValueError as exc:
        raise EngineError(
            f"buildx wrote an unreadable metadata file {metadata_file}: {exc}"
        ) from None
    digest = metadata.get("containerimage.digest", "") if isinstance(metadata, dict) else ""
    return BuildResult(
        imageid=imageid,
        digest=digest if isinstance(digest, str) else "",
        metadata=json.dumps(metadata, indent=2, ensure_ascii=False),
    )


def read_metadata(metadata_file: str) -> dict[str, Any]:
    """The metadata file as a mapping, for what a build reports besides its outputs (check
    warnings, the build's ref); {} when buildx wrote none (it writes none when the build
    fails) or something unreadable: reporting never fails a build."""
    try:
        metadata = json.loads(_read(metadata_file) or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def buildx_config_dir(env: Mapping[str, str]) -> str:
    """Where buildx run with ``env`` keeps its state (builders, refs, scoped credentials)."""
    return env.get("BUILDX_CONFIG") or str(Path(env.get("DOCKER_CONFIG", "")) / "buildx")


def find_ref(env: Mapping[str, str], builder: str, since: float) -> str:
    """The ref (``<builder>/<node>/<id>``) of the newest build on ``builder`` that buildx
    recorded in its local state since ``since`` (a time.time()), or ''. For a failed build,
    whose metadata file buildx does not write (upstream looks here too)."""
    refs = Path(buildx_config_dir(env)) / "refs" / builder
    newest: tuple[float, str] = (since, "")
    try:
        for entry in refs.glob("*/*"):
            mtime = entry.stat().st_mtime
            if entry.is_file() and mtime >= newest[0]:
                newest = (mtime, f"{builder}/{entry.parent.name}/{entry.name}")
    except OSError:
        return ""
    return newest[1]


def export_record_argv(builder: str, build_id: str, output: str, version: BuildxVersion
                       ) -> list[str]:  # fmt: skip
    """``docker buildx history export`` of one build into a ``.dockerbuild`` file;
    ``--finalize`` (buildx >= 0.24) first completes the build's traces."""
    argv = buildx("history", "export")
    argv.add_opt("--builder", builder)
    argv.add_opt("--output", output)
    argv.add_flag("--finalize", version.at_least(RECORD_FINALIZE))
    return [*argv, build_id]


def export_record(
    runner: Runner, builder: str, build_id: str, *, output: str, version: BuildxVersion,
    env: Mapping[str, str],
) -> None:  # fmt: skip
    argv = export_record_argv(builder, build_id, output, version)
    check(runner(argv, env=env), "docker buildx history export")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


# gRPC's words when buildx loses its connection to BuildKit (inside dockerd for the docker
# driver) in the middle of a build; older grpc-go says "transport is closing".
_BUILDER_LOST = re.compile(r"^ERROR: .*(error reading from server|transport is closing)", re.M)
# JavaScript's line terminators: upstream splits buildx's output at these.
_LINES = re.compile(r"\r\n|[\n\r\u2028\u2029]")
# ANSI escape sequences (ECMA-48): CSI (colours, cursor moves), OSC (titles, links, ended by
# BEL or ST) and the two-byte escapes; then any control character left but tab and the line
# ends. buildx colours its ERROR line when it writes to a terminal.
_ANSI = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def failure_message(stdout: str, stderr: str, returncode: int, call: str = "") -> str:
    """The error of a failed build, worded as build-push-action words it, then ours.

    ``--call check`` reports its summary on stdout (docker/buildx#2647): its first line is
    the message. Otherwise ``buildx failed with: <line>``, where the line is buildx's last
    line that starts with ``ERROR:`` once ANSI escape sequences are gone (build-push-action
    v7.4): what buildx printed after it (a usage note) is left out. Without such a line, the
    last line (build-push-action up to v7.3), and the lines before it when there are any.
    Upstream reports no error at all for a failed build that wrote nothing on stderr; ours
    then names the exit code.
    """
    first = _LINES.split(stdout, maxsplit=1)[0].strip()
    if call == "check" and first:
        return first
    lines = [line.strip() for line in _LINES.split(strip_ansi(stderr)) if line.strip()]
    if not lines:
        return f"buildx failed with exit code {returncode} and no error output"
    errors = [line for line in lines if line.startswith("ERROR:")]
    message = f"buildx failed with: {(errors or lines)[-1]}"
    if _BUILDER_LOST.search("\n".join(lines)):
        return f"{message} (the Docker engine or BuildKit went away during the build)"
    if not errors and len(lines) > 1:
        return f"{message} (exit code {returncode}; before it: {' | '.join(lines[-5:-1])})"
    return message


def run_build(
    runner: Runner,
    argv: Sequence[str],
    *,
    iidfile: str,
    metadata_file: str,
    env: Mapping[str, str],
    call: str = "",
    pass_env: Collection[str] = (),
) -> BuildResult:
    """Run ``argv`` (``docker buildx build ...``) with its log streamed; return or raise with
    the outputs.
    ``pass_env``: the variables its ``--secret id=x,env=NAME`` make buildx read from its own
    environment (``proc.child_env`` passes no others)."""
    # Build check warnings go into the metadata file (buildx >= 0.15), as upstream asks.
    build_env = {**env, "BUILDX_METADATA_WARNINGS": "true"}
    done = runner(argv, env=build_env, stream=True, pass_env=pass_env)
    result = read_outputs(iidfile, metadata_file)
    if done.returncode == 0:
        return result
    error = CommandError(
        "docker buildx build", done.argv, done.returncode, done.stderr, done.stdout
    )
    message = failure_message(done.stdout, done.stderr, done.returncode, call)
    raise BuildFailed(error, result, message)


# Where the docker CLI looks for its plugins on Linux, after the directories of the user's
# config (docker/cli, cli-plugins/manager: ``cliPluginsExtraDirs``, then
# ``$DOCKER_CONFIG/cli-plugins``).
SYSTEM_PLUGIN_DIRS = (
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)


def buildx_binary(env: Mapping[str, str], system_dirs: Sequence[str] = SYSTEM_PLUGIN_DIRS) -> str:
    """The buildx that ``docker buildx`` would run for the user, to run it without the docker
    CLI: the CLI only finds its plugin and starts it, which costs a second process start on
    every buildx call. ``BUILDX_BIN`` when set (the action
    image has buildx but no docker CLI); else the CLI's own search, in its order, from the
    user's ``DOCKER_CONFIG`` (not the action's, which has no plugins: where
    setup-buildx-action installs is found), when the CLI is there; '' (run ``docker buildx``)
    when there is no ``docker`` or no plugin."""
    if env.get("BUILDX_BIN"):
        return env["BUILDX_BIN"]
    if not shutil.which("docker", path=env.get("PATH", "")):
        return ""
    home = env.get("HOME", "")
    config = env.get("DOCKER_CONFIG") or (str(Path(home) / ".docker") if home else "")
    # Without either, the CLI asks the system for the home directory; the system plugin
    # directories are searched here then, never the working directory (the checkout).
    users = [*_extra_plugin_dirs(Path(config)), str(Path(config) / "cli-plugins")] if config else []
    for found in (Path(d) / "docker-buildx" for d in [*users, *system_dirs] if d):
        if found.is_file() and os.access(found, os.X_OK):
            return str(found)
    return ""


def _extra_plugin_dirs(config: Path) -> list[str]:
    try:
        data = json.loads((config / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    extra = data.get("cliPluginsExtraDirs") if isinstance(data, dict) else None
    return [d for d in extra if isinstance(d, str)] if isinstance(extra, list) else []


def buildx_runner(env: Mapping[str, str]) -> Runner:
    """``proc.run``, except that ``docker buildx ...`` runs the buildx binary itself when
    there is one (``buildx_binary``)."""
    binary = buildx_binary(env)

    def run(argv: Sequence[str], **kwargs: Any) -> proc.Result:
        args = list(argv)
        if binary and tuple(args[: len(BUILDX)]) == BUILDX:
            args = [binary, *args[len(BUILDX) :]]
        return proc.run(args, **kwargs)

    return run
