"""The action's image, built from the real Dockerfile with local stand-ins, and run as the
runner runs a container action.

Docker Hub is unreachable here, so the Dockerfile's two sources are made locally and passed as
build arguments, as a release build would pass the pinned ones:

- ``PYTHON_IMAGE``: Debian bookworm (``debootstrap --variant=minbase`` with python3 and pip)
  imported with ``docker import``. The rootfs tarball is cached in the stack's state
  directory (~45 s the first time).
- ``BUILDX_IMAGE``: ``FROM scratch`` with the host's buildx at ``/buildx``, the layout of
  ``docker/buildx-bin``.
- the wheels of ``requirements.lock``, downloaded beforehand (cached per lock file) into
  ``wheels/`` of a copy of the build context and installed with ``PIP_NO_INDEX=1``.
- git's .debs for the host's architecture, downloaded beforehand with the host's
  ``apt-get download`` (bookworm, the base's release) into ``debs/`` and taken from there with
  ``APT_OFFLINE=1``.

Local images carry ``localhost/`` names: BuildKit asks a registry about every ``FROM`` and for
those names the question is refused at once instead of going to Docker Hub.

CLI: ``python tests/image/action_image.py [--state-dir DIR]`` builds and prints the tag.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import stack as stack_lib  # noqa: E402 - needs the path above
from stack import Stack  # noqa: E402
from support.http import reply_json, running  # noqa: E402
from support.runner import ActionRun, parse_file_commands  # noqa: E402

# "-rundir": /var/run is a directory (see _write_debian_rootfs); the suffix keeps an image or
# rootfs of the older layout, cached in a state directory, from being used.
PYTHON_BASE = "localhost/bpp-test/python:3.11-bookworm-rundir"
# The same without the standard library's bytecode, as the official python images ship.
PYTHON_BASE_NO_BYTECODE = "localhost/bpp-test/python:3.11-bookworm-rundir-nopyc"
# Answers the docker-container driver's start-up check and nothing else: a builder made from
# it is created and running, and every build on it fails.
FAKE_BUILDKIT = "localhost/bpp-test/fake-buildkit:1"
BUILDX_STANDIN = "localhost/bpp-test/buildx-bin:host"
ACTION_IMAGE = "localhost/bpp-test/build-push-py:dev"
HOST_BUILDX = Path("/usr/libexec/docker/cli-plugins/docker-buildx")
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# What the runner's `docker run` mounts for a container action (host dir -> container path).
CONTAINER_DIRS = {
    "workspace": "/github/workspace",
    "home": "/github/home",
    "workflow": "/github/workflow",
    "file_commands": "/github/file_commands",
    "runner_temp": "/github/runner_temp",
}
# What the Dockerfile's debs stage takes from Debian: git and the libraries its binary links
# (GIT_DEBS there), of the base's release.
GIT_DEBS = ("git", "zlib1g", "libpcre2-8-0")
DEBIAN_RELEASE = "bookworm"
# The Dockerfile's pip platforms, by machine name.
_PIP_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


class ImageBuildError(RuntimeError):
    """A stand-in or the action image could not be made; the message carries the log tail."""


@dataclass(frozen=True)
class ActionImage:
    # The image's ID, not its tag: test runs of other checkouts build the same tag meanwhile.
    ref: str
    python_base: str
    buildx_image: str
    build_seconds: float
    tag: str = ""


def docker_argv(stack: Stack) -> list[str]:
    return [str(stack.docker), "--host", stack.docker_host]


def _run(argv: Sequence[str], *, what: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-25:])
        raise ImageBuildError(f"{what} failed ({done.returncode}):\n{tail}")
    return done


def _has_image(stack: Stack, ref: str) -> bool:
    found = subprocess.run(
        [*docker_argv(stack), "image", "inspect", ref], capture_output=True, check=False
    )
    return found.returncode == 0


@contextlib.contextmanager
def _lock(stack: Stack) -> Iterator[None]:
    # Test runs started together must not debootstrap or build the same thing twice.
    with (stack.state_dir / "action-image.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def python_base(stack: Stack) -> str:
    """The Python base image in the engine's store (made once per state directory)."""
    if _has_image(stack, PYTHON_BASE):
        return PYTHON_BASE
    tar = stack.state_dir / "python-bookworm-rundir-rootfs.tar"
    if not tar.exists():
        _write_debian_rootfs(tar, include=("python3", "python3-pip"))
    _run(
        [*docker_argv(stack), "image", "import", "--change", 'CMD ["python3"]', str(tar),
         PYTHON_BASE],
        what="docker import",
    )  # fmt: skip
    return PYTHON_BASE


def python_base_without_bytecode(stack: Stack) -> str:
    """``python_base`` less its ``.pyc`` files (``/usr/lib/python3*``, where Debian's python3
    keeps the standard library and site-packages)."""
    with _lock(stack):
        base = python_base(stack)
        _build_small_image(
            stack,
            PYTHON_BASE_NO_BYTECODE,
            f"FROM {base}\nRUN find /usr/lib/python3* -name '*.pyc' -delete\n",
        )
    return PYTHON_BASE_NO_BYTECODE


def fake_buildkit(stack: Stack) -> str:
    """An image the docker-container driver takes for BuildKit's: ``buildkitd`` waits and
    ``buildctl debug workers`` succeeds, so ``buildx create`` and ``inspect --bootstrap``
    make a running builder container (and its state volume); a build on it cannot connect."""
    files = {
        "buildkitd": "#!/bin/sh\nexec sleep 2147483647\n",
        "buildctl": (
            '#!/bin/sh\n[ "$1 $2" = "debug workers" ] && exit 0\necho "not BuildKit" >&2\nexit 1\n'
        ),
    }
    dockerfile = (
        f"FROM {stack.base_image()}\nCOPY buildkitd buildctl /usr/bin/\n"
        'ENTRYPOINT ["/usr/bin/buildkitd"]\n'
    )
    _build_small_image(stack, FAKE_BUILDKIT, dockerfile, files)
    return FAKE_BUILDKIT


def _build_small_image(
    stack: Stack, tag: str, dockerfile: str, files: Mapping[str, str | Path] | None = None
) -> None:
    """Build ``dockerfile`` with ``files`` beside it (text as executables, paths copied)."""
    with tempfile.TemporaryDirectory(prefix="bpp-standin-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(dockerfile)
        for name, content in (files or {}).items():
            if isinstance(content, Path):
                shutil.copy2(content, context / name)
            else:
                (context / name).write_text(content)
                (context / name).chmod(0o755)
        _run(
            [*docker_argv(stack), "buildx", "build", "--load", "--provenance=false",
             "--tag", tag, str(context)],
            what=f"building {tag}",
            env=stack.env(),
        )  # fmt: skip


def _write_debian_rootfs(tar: Path, *, include: Sequence[str]) -> None:
    if shutil.which("debootstrap") is None:
        raise ImageBuildError("debootstrap is missing: run scripts/install-deps")
    work = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=tar.parent))
    try:
        root = work / "root"
        _run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(include)}", "bookworm",
             str(root), DEBIAN_MIRROR],
            what="debootstrap",
        )  # fmt: skip
        # act copies its files into the job container under /var/run/act, and engine 28.5 (as
        # Debian builds it; upstream since 29.5) refuses a copy through debootstrap's
        # /var/run -> /run symlink ("mkdirat var/run: ... path escapes from parent").
        run = root / "var" / "run"
        if run.is_symlink():
            run.unlink()
            run.mkdir(mode=0o755)
        # The downloaded .debs and package lists are half the size and nothing needs them.
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (root / leftover).glob("*"):
                if path.is_file():
                    path.unlink()
        partial = work / "rootfs.tar"
        _run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."], what="tar")
        partial.replace(tar)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def buildx_standin(stack: Stack) -> str:
    """``FROM scratch`` with the host's buildx at ``/buildx``, like ``docker/buildx-bin``."""
    _build_small_image(
        stack, BUILDX_STANDIN, "FROM scratch\nCOPY buildx /buildx\n", {"buildx": HOST_BUILDX}
    )
    return BUILDX_STANDIN


def pip_arch(machine: str | None = None) -> str:
    name = machine or platform.machine()
    try:
        return _PIP_ARCH[name]
    except KeyError:
        raise ImageBuildError(f"no wheels for machine {name!r}") from None


def wheels(stack: Stack, arch: str | None = None, *, root: Path = ROOT) -> Path:
    """The wheels locked in ``root`` for ``arch`` (the host's by default), cached per lock
    file content."""
    arch = arch or pip_arch()
    lock = root / "requirements.lock"
    key = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    target = stack.state_dir / "wheels" / f"{arch}-{key}"
    if target.is_dir():
        return target
    partial = target.with_name(target.name + f".{uuid.uuid4().hex[:8]}")
    # The same platform options as the Dockerfile's `pip install`, so the same files match.
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "--no-deps", "--only-binary=:all:",
         "--platform", f"manylinux_2_28_{arch}", "--platform", f"manylinux2014_{arch}",
         "--python-version", "3.11", "--implementation", "cp",
         "--dest", str(partial), "--requirement", str(lock)],
        what="pip download",
    )  # fmt: skip
    partial.replace(target)
    return target


def debs(stack: Stack) -> Path:
    """git's .debs for the host's architecture, downloaded once per state directory."""
    target = stack.state_dir / "debs" / f"{DEBIAN_RELEASE}-{platform.machine()}"
    if target.is_dir():
        return target
    partial = target.with_name(target.name + f".{uuid.uuid4().hex[:8]}")
    partial.mkdir(parents=True)
    _run(
        ["apt-get", "download", "--quiet", *(f"{name}/{DEBIAN_RELEASE}" for name in GIT_DEBS)],
        what="apt-get download",
        cwd=partial,
    )
    partial.replace(target)
    return target


def build_context(
    dest: Path, wheel_dir: Path, deb_dir: Path, *, new_times: bool = False, root: Path = ROOT
) -> Path:
    """A copy of the repository (or of the tree at ``root``) as a build context, with the
    wheels in ``wheels/`` and the .debs in ``debs/``; with ``new_times`` its files are as new
    as in a fresh clone. ``.dockerignore`` still decides what the build sees."""
    shutil.copytree(
        root,
        dest,
        copy_function=shutil.copy if new_times else shutil.copy2,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*_cache", "__pycache__", "wheels", "debs", "*.egg-info"
        ),
    )
    shutil.copytree(wheel_dir, dest / "wheels")
    shutil.copytree(deb_dir, dest / "debs")
    return dest


def build(
    stack: Stack,
    tag: str = ACTION_IMAGE,
    *,
    base: str | None = None,
    extra_args: Sequence[str] = (),
    output: str | None = None,
    new_times: bool = False,
    root: Path = ROOT,
) -> ActionImage:
    """Build the real Dockerfile from the stand-ins and load it into the engine as ``tag``
    (the result names it by its ID), or with ``output`` (buildx's ``--output``) write it there
    instead; ``base`` replaces the
    Python base, ``extra_args`` go to ``buildx build``, ``new_times`` see ``build_context``;
    ``root`` is the tree to build (another checkout of the repository)."""
    with _lock(stack):
        base = base or python_base(stack)
        buildx_image = buildx_standin(stack)
        wheel_dir = wheels(stack, root=root)
        deb_dir = debs(stack)
        with tempfile.TemporaryDirectory(prefix="bpp-image-") as tmp:
            context = build_context(
                Path(tmp) / "context", wheel_dir, deb_dir, new_times=new_times, root=root
            )
            started = time.monotonic()
            _run(
                [*docker_argv(stack), "buildx", "build", "--progress=plain",
                 "--build-arg", f"PYTHON_IMAGE={base}",
                 "--build-arg", f"BUILDX_IMAGE={buildx_image}",
                 "--build-arg", "PIP_NO_INDEX=1",
                 "--build-arg", "APT_OFFLINE=1",
                 *extra_args,
                 *(["--output", output] if output
                   else ["--load", "--tag", tag, "--iidfile", str(Path(tmp) / "iid")]),
                 str(context)],
                what="building the action image",
                env=stack.env(),
            )  # fmt: skip
            seconds = time.monotonic() - started
            ref = tag if output else (Path(tmp) / "iid").read_text().strip()
    return ActionImage(ref, base, buildx_image, seconds, tag)


# --- running it as the runner does ----------------------------------------------------------

# What GET /repos/octo-org/hello-world answers on api.github.com (the fields the labels use).
MOCK_REPOSITORY: dict[str, object] = {
    "name": "hello-world",
    "full_name": "octo-org/hello-world",
    "description": "This your first repo!",
    "html_url": "https://github.com/octo-org/hello-world",
    "private": False,
    "default_branch": "main",
    "license": {"key": "mit", "spdx_id": "MIT", "name": "MIT License"},
}


class _MockAPI(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.rstrip("/") != f"/repos/{MOCK_REPOSITORY['full_name']}":
            self.send_error(404)
            return
        reply_json(self, MOCK_REPOSITORY)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a port of the host's loopback (containers on the host network reach it
    too): its URL."""
    with running(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def mock_github_api() -> contextlib.AbstractContextManager[str]:
    """A local stand-in for the repository API, so a run pays for the look-up (PyGithub and a
    request) as on GitHub; its URL."""
    return serving(_MockAPI)


@dataclass(frozen=True)
class RunnerDirs:
    """Host directories the runner mounts into a container action (see CONTAINER_DIRS)."""

    workspace: Path
    home: Path
    workflow: Path
    file_commands: Path
    runner_temp: Path

    @classmethod
    def make(cls, root: Path, workspace: Path | None = None) -> RunnerDirs:
        paths = {name: root / name for name in CONTAINER_DIRS}
        if workspace is not None:
            paths["workspace"] = workspace
        for path in paths.values():
            path.mkdir(parents=True, exist_ok=True)
        return cls(**paths)

    def mounts(self) -> list[str]:
        return [
            arg
            for name, inside in CONTAINER_DIRS.items()
            for arg in ("-v", f"{getattr(self, name)}:{inside}")
        ]


def container_env(
    inputs: Mapping[str, str],
    *,
    event_name: str = "push",
    github: Mapping[str, str] | None = None,
    step: str,
) -> dict[str, str]:
    """The variables the runner gives a container action step, with container paths.
    ``step`` makes the file-command names unique, as the runner's per-step suffix does."""
    commands = CONTAINER_DIRS["file_commands"]
    env = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "HOME": CONTAINER_DIRS["home"],
        "GITHUB_WORKSPACE": CONTAINER_DIRS["workspace"],
        "GITHUB_EVENT_PATH": f"{CONTAINER_DIRS['workflow']}/event.json",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_REPOSITORY": "octo-org/hello-world",
        "GITHUB_REPOSITORY_OWNER": "octo-org",
        "GITHUB_SHA": "860c1904a1ce19322e91ac35af1ab07466440c37",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_RUN_ID": "123456789",
        "GITHUB_RUN_NUMBER": "15",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_SERVER_URL": "https://github.com",
        # Nothing listens here: the repository API fails fast and the action warns.
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "RUNNER_TEMP": CONTAINER_DIRS["runner_temp"],
        "RUNNER_OS": "Linux",
        "GITHUB_OUTPUT": f"{commands}/set_output_{step}",
        "GITHUB_ENV": f"{commands}/set_env_{step}",
        "GITHUB_PATH": f"{commands}/add_path_{step}",
        "GITHUB_STATE": f"{commands}/save_state_{step}",
        "GITHUB_STEP_SUMMARY": f"{commands}/step_summary_{step}",
    }
    env.update(github or {})
    for name, value in inputs.items():
        env["INPUT_" + name.replace(" ", "_").upper()] = value
    return env


# The runner's user, who owns the checkout; the action's container runs as root.
RUNNER_USER = 1001


def git_checkout(workspace: Path, files: Mapping[str, str], remote: str) -> str:
    """``files`` committed in a new repository at ``workspace`` with ``remote`` as its
    ``origin``, all owned by the runner's user as on a runner; the commit."""
    workspace.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (workspace / name).write_text(text)

    def git(*args: str) -> str:
        done = _run(["git", "-C", str(workspace), *args], what=f"git {args[0]}")
        return done.stdout.strip()

    git("init", "--quiet", "--initial-branch=main")
    git("remote", "add", "origin", remote)
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "t")
    sha = git("rev-parse", "HEAD")
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, RUNNER_USER, RUNNER_USER)
    return sha


def _file_commands(dirs: RunnerDirs, env: Mapping[str, str]) -> dict[str, Path]:
    """The host paths of the step's file-command files, by variable."""
    commands = CONTAINER_DIRS["file_commands"]
    return {
        key: dirs.file_commands / Path(env[key]).relative_to(commands)
        for key in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE",
                    "GITHUB_STEP_SUMMARY")
    }  # fmt: skip


def container_command(
    stack: Stack,
    image: str,
    dirs: RunnerDirs,
    env: Mapping[str, str],
    *,
    entrypoint: str = "/app/entrypoint.py",
    extra_args: Sequence[str] = (),
    args: Sequence[str] = (),
) -> tuple[list[str], dict[str, str]]:
    """The runner's ``docker run`` of the action image and the environment to start it in:
    variables passed by name (values stay out of argv, multi-line values work), the runner's
    mounts, the engine's socket; ``args`` after the image. Creates the file-command files."""
    for path in _file_commands(dirs, env).values():
        path.touch()
    argv = [
        *docker_argv(stack), "run", "--rm",
        "--workdir", CONTAINER_DIRS["workspace"],
        "--entrypoint", entrypoint,
        # The registries are reached through the host's network: the container shares it. No CA
        # is mounted: the login and the push both happen in the engine, which trusts it.
        "--network", "host",
        *(arg for name in env for arg in ("-e", name)),
        "-v", f"{stack.docker_host.removeprefix('unix://')}:/var/run/docker.sock",
        *dirs.mounts(),
        *extra_args,
        image,
        *args,
    ]  # fmt: skip
    return argv, {"PATH": os.environ.get("PATH", os.defpath), **env}


def action_run(
    dirs: RunnerDirs, env: Mapping[str, str], returncode: int, stdout: str, stderr: str
) -> ActionRun:
    """What a step run by ``container_command`` printed and wrote."""
    files = _file_commands(dirs, env)
    return ActionRun(
        returncode=returncode,
        stdout=stdout,
        stderr=stderr,
        outputs=parse_file_commands(files["GITHUB_OUTPUT"].read_text()),
        env_exports=parse_file_commands(files["GITHUB_ENV"].read_text()),
        state=parse_file_commands(files["GITHUB_STATE"].read_text()),
        summary=files["GITHUB_STEP_SUMMARY"].read_text(),
        workdir=dirs.workspace,
    )


def run_container_action(
    stack: Stack,
    image: str,
    dirs: RunnerDirs,
    env: Mapping[str, str],
    *,
    entrypoint: str = "/app/entrypoint.py",
    extra_args: Sequence[str] = (),
    args: Sequence[str] = (),
    timeout: float = 300,
) -> ActionRun:
    """One step of the action image, run as the runner runs it (``container_command``)."""
    argv, process_env = container_command(
        stack, image, dirs, env, entrypoint=entrypoint, extra_args=extra_args, args=args
    )
    done = subprocess.run(
        argv, env=process_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return action_run(dirs, env, done.returncode, done.stdout, done.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    parser.add_argument("--tag", default=ACTION_IMAGE)
    args = parser.parse_args(argv)
    running = stack_lib.up(args.state_dir)
    image = build(running, args.tag)
    print(f"built in {image.build_seconds:.1f}s", file=sys.stderr)
    print(image.tag, image.ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
