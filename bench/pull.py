"""What a fresh runner pays before the action's first line runs: the pull of its image.

Hosted runners keep no Docker images, so every job pulls the whole image. This builds the
image from the real Dockerfile with the local stand-ins of tests/image/action_image.py
(a debootstrap bookworm for python:3.11-slim, Debian's buildx for docker/buildx-bin; Docker
Hub is not reachable here) as OCI archives (gzip layers, and zstd), pushes them with skopeo to
a registry of its own on 127.0.0.1, and pulls each into an empty engine of its own: a dockerd
with the classic image store, as hosted runners have, its own data root, socket and bridge,
every image removed before each pull. Timed: ``docker pull``, and the engine's CPU time for it.

Against it, what the upstream actions (login-action, metadata-action, build-push-action) cost
the runner: three tarballs, fetched over HTTP and unpacked with ``tar``. GitHub's tarballs are
not reachable here either: the stand-ins are tarballs of the same sizes (0.7, 0.8 and 0.9 MB
compressed; JavaScript-like text that compresses like theirs) served from 127.0.0.1.

``--before REF`` also builds the image of the commit REF (``git archive``) and times it in
the same rounds; the budget on time is a share of its median. Each round runs every candidate
once, in a rotating order. Also printed: per layer, compressed and unpacked bytes and the
files (regular files and links) it writes.

``--job`` runs the action's main step after each pull of an image, in the engine that pulled
it, as the first step of a fresh runner's job: a push of a one-file image to the stack's
registry, the engine's build cache emptied with its images (the upstream actions' steps are
not run: their code is not reachable here).

``--dockerd PATH`` pulls with another dockerd binary, an older release say (the table then
says which images it cannot pull).

Run as root: ``python bench/pull.py [--rounds 7] [--before REF] [--job] [--dockerd PATH]``.
Exit 1 when the image is over a budget: 45 MB compressed, 2,000 files, and with ``--before`` a
median pull of at most 30 % of the earlier image's.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import IO, Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import stack as stack_lib  # noqa: E402 - needs the path above
from image.action_image import (  # noqa: E402
    ROOT,
    RunnerDirs,
    build,
    container_env,
    git_checkout,
    mock_github_api,
    run_container_action,
    serving,
)
from stack import EngineSpec, Stack  # noqa: E402

MB = 1_000_000
BUDGET_BYTES = 45 * MB
BUDGET_FILES = 2000
BUDGET_TIME_SHARE = 0.30
# The empty engine: classic image store, and a socket, bridge and addresses of its own.
ENGINE = EngineSpec(
    "pull-bench", Path("/run/bpp-pull-bench.sock"), "bpp-pull0", "172.31.249.1/24", False
)
# The upstream actions' tarballs: name and compressed size.
UPSTREAM = (("login-action", 0.7 * MB), ("metadata-action", 0.8 * MB),
            ("build-push-action", 0.9 * MB))  # fmt: skip
UPSTREAM_NAME = "upstream: 3 action tarballs (stand-ins), fetched and unpacked"


@dataclass(frozen=True)
class Layer:
    what: str
    media_type: str
    compressed: int
    unpacked: int
    files: int


@dataclass(frozen=True)
class Candidate:
    """One thing a runner fetches, with its timings: seconds, and the engine's CPU seconds."""

    name: str
    ref: str = ""  # in the local registry; none for the upstream tarballs
    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the engine could not pull it
    job: list[float] = field(default_factory=list)  # the pull and the main step after it


def compression_of(media_type: str) -> str:
    return "zstd" if media_type.endswith("zstd") else "gzip"


def _blob(tar: tarfile.TarFile, digest: str) -> IO[bytes]:
    handle = tar.extractfile("blobs/" + digest.replace(":", "/"))
    assert handle is not None, digest
    return handle


def layers(archive: Path) -> list[Layer]:
    """The image's layers in an OCI archive, with their sizes and file counts."""
    with tarfile.open(archive) as tar:
        index = json.load(_blob_by_name(tar, "index.json"))
        manifest = json.load(_blob(tar, index["manifests"][0]["digest"]))
        config = json.load(_blob(tar, manifest["config"]["digest"]))
        made = [h.get("created_by", "") for h in config["history"] if not h.get("empty_layer")]
        found = []
        for layer, created_by in zip(manifest["layers"], made, strict=True):
            data = _blob(tar, layer["digest"]).read()
            raw = _decompress(data, compression_of(layer["mediaType"]))
            with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as content:
                files = sum(1 for member in content if not member.isdir())
            what = created_by.removesuffix(" # buildkit").removeprefix("/bin/sh -c ") or "(base)"
            found.append(Layer(what[:48], layer["mediaType"], len(data), len(raw), files))
    return found


def _blob_by_name(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    handle = tar.extractfile(name)
    assert handle is not None, name
    return handle


def _decompress(data: bytes, compression: str) -> bytes:
    if compression == "gzip":
        return gzip.decompress(data)
    done = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True)
    return done.stdout


def layer_table(title: str, found: Sequence[Layer]) -> str:
    lines = [
        f"{title}:",
        "",
        "| layer | compressed MB | unpacked MB | files |",
        "|---|---|---|---|",
        *(f"| {la.what} | {la.compressed / MB:.1f} | {la.unpacked / MB:.1f} | {la.files:,} |"
          for la in found),
        f"| **all {len(found)} layers ({compression_of(found[0].media_type)})** "
        f"| **{sum(la.compressed for la in found) / MB:.1f}** "
        f"| {sum(la.unpacked for la in found) / MB:.1f} "
        f"| **{sum(la.files for la in found):,}** |",
    ]  # fmt: skip
    return "\n".join(lines)


# --- the registry and the engine --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def local_registry(workdir: Path) -> Iterator[str]:
    """A distribution registry on 127.0.0.1 (plain HTTP, which engines allow on loopback)."""
    port = _free_port()
    config = workdir / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'registry'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        "log:\n  level: error\n"
    )
    with (workdir / "registry.log").open("wb") as log:
        proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1):
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    where = workdir / "registry.log"
                    raise SystemExit(f"the registry did not start: see {where}") from exc
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def push(archive: Path, ref: str) -> None:
    """The OCI archive's image, blobs as they are, to ``ref``."""
    subprocess.run(
        ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--preserve-digests",
         f"oci-archive:{archive}", f"docker://{ref}"],
        check=True,
    )  # fmt: skip


@dataclass(frozen=True)
class Engine:
    host: str
    docker: list[str]
    pid: int

    def run(self, *args: str) -> str:
        done = subprocess.run([*self.docker, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def empty(self) -> None:
        """Remove every image and the build cache, so nothing of the next pull or build is
        there already."""
        ids = self.run("image", "ls", "--all", "--quiet").split()
        if ids:
            self.run("image", "rm", "--force", *sorted(set(ids)))
        self.run("builder", "prune", "--all", "--force")
        assert not self.run("image", "ls", "--all", "--quiet").strip(), "images left"

    def cpu_seconds(self) -> float:
        """User and system time of dockerd and its children so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def empty_engine(state_dir: Path, dockerd: Path | None) -> Iterator[Engine]:
    """The engine to pull into: the installed dockerd, or the one at ``dockerd``."""
    if dockerd is not None:
        os.environ["PATH"] = f"{dockerd.resolve().parent}{os.pathsep}{os.environ['PATH']}"
    host = stack_lib.start_engine(state_dir, ENGINE)
    try:
        pid = int((state_dir / ENGINE.name / "dockerd.pid").read_text())
        engine = Engine(host, [str(stack_lib.DOCKER_CLIENT), "--host", host], pid)
        version = engine.run("version", "--format", "{{.Server.Version}}").strip()
        driver = engine.run("info", "--format", "{{.Driver}}").strip()
        print(f"empty engine: dockerd {version}, storage driver {driver} (classic store)")
        yield engine
    finally:
        stack_lib.stop_engine(state_dir, ENGINE, purge=True)


def timed_pull(engine: Engine, candidate: Candidate) -> None:
    engine.empty()
    cpu = engine.cpu_seconds()
    start = time.perf_counter()
    try:
        engine.run("pull", "--quiet", candidate.ref)
    except subprocess.CalledProcessError as exc:
        candidate.errors.append(exc.stderr.strip().splitlines()[-1])
        return
    candidate.samples.append(time.perf_counter() - start)
    candidate.cpu.append(engine.cpu_seconds() - cpu)


@dataclass(frozen=True)
class Job:
    """The action's main step as the runner runs it, in the engine that has just pulled its
    image: a push of a one-file image (``FROM scratch``) to the stack's registry reg-a, with
    the repository look-up answered by a local stand-in of the API."""

    stack: Stack  # pointed at the empty engine
    workdir: Path
    api: str

    def run(self, image: str, name: str) -> float:
        dirs = RunnerDirs.make(self.workdir / name / "runner", self.workdir / name / "workspace")
        files = {"Dockerfile": "FROM scratch\nCOPY hello.txt /\n", "hello.txt": "hello\n"}
        sha = git_checkout(dirs.workspace, files, "https://github.com/octo-org/hello-world.git")
        repository = {"full_name": "octo-org/hello-world", "default_branch": "main"}
        event = {"ref": "refs/heads/main", "after": sha, "repository": repository}
        (dirs.workflow / "event.json").write_text(json.dumps(event))
        reg = self.stack.registries[0]
        inputs = {"images": f"{reg.host}/bench/pull-job", "tags": "type=sha",
                  "registry": reg.host, "username": reg.user, "password": reg.password,
                  "github-token": "not-a-real-token"}  # fmt: skip
        env = container_env(
            inputs, step="main", github={"GITHUB_SHA": sha, "GITHUB_API_URL": self.api}
        )
        start = time.perf_counter()
        step = run_container_action(self.stack, image, dirs, env)
        elapsed = time.perf_counter() - start
        if step.returncode != 0:
            raise SystemExit(f"the step failed:\n{step.stdout}\n{step.stderr}")
        return elapsed


# --- the upstream actions' tarballs -----------------------------------------------------------


def _text(rng: random.Random, size: int) -> bytes:
    """Minified-JavaScript-like text: identifiers, punctuation and strings from a small
    vocabulary, which gzip packs about as well as the actions' dist/index.js."""
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_$") for _ in range(rng.randint(1, 9)))
             for _ in range(4000)]  # fmt: skip
    marks = ["(", ")", "{", "}", ";", ",", ".", "=", "=>", "&&", "||", '"', "!", "?", ":"]
    out = io.StringIO()
    while out.tell() < size:
        out.write(rng.choice(words))
        out.write(rng.choice(marks))
    return out.getvalue()[:size].encode()


def tarball_layer(archive: Path) -> Layer:
    """An action's tarball, measured as a layer."""
    raw = gzip.decompress(archive.read_bytes())
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as content:
        files = sum(1 for member in content if not member.isdir())
    name = archive.name.removesuffix(".tar.gz")
    return Layer(name, "gzip", archive.stat().st_size, len(raw), files)


def upstream_tarball(dest: Path, name: str, size: float) -> Path:
    """A stand-in for an action's tarball: the layout of a JavaScript action (about 40 files,
    most of the weight in dist/), ``size`` bytes compressed, within 2 %."""
    rng = random.Random(name)  # noqa: S311 - the same stand-in every run, not a secret
    small = {f"{name}/{path}": _text(rng, rng.randint(500, 6000)) for path in (
        "action.yml", "README.md", "LICENSE", "package.json", "tsconfig.json", ".gitignore",
        *(f"src/{n}.ts" for n in ("main", "context", "state-helper", "docker", "inputs")),
        *(f"__tests__/{n}.test.ts" for n in ("main", "context", "docker", "inputs")),
        *(f".github/workflows/{n}.yml" for n in ("ci", "test", "validate", "e2e")),
        *(f"dist/{n}" for n in ("licenses.txt", "sourcemap-register.js", "package.json")),
    )}  # fmt: skip
    bundle = int(size * 3)
    for _ in range(4):  # scale dist/index.js until the tarball has the size
        files = {**small, f"{name}/dist/index.js": _text(rng, bundle)}
        archive = dest / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for path, data in sorted(files.items()):
                info = tarfile.TarInfo(path)
                info.size, info.mtime, info.mode = len(data), 1_700_000_000, 0o644
                tar.addfile(info, io.BytesIO(data))
        got = archive.stat().st_size
        if abs(got - size) <= 0.02 * size:
            return archive
        bundle = int(bundle * size / got)
    raise SystemExit(f"could not make the {name} stand-in {size / MB:.1f} MB")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def fetch_and_unpack(base_url: str, names: Sequence[str], dest: Path) -> None:
    """What the runner does for each action a job uses: download its tarball (``names``),
    unpack it."""
    for name in names:
        archive = dest / name
        with urllib.request.urlopen(f"{base_url}/{name}", timeout=30) as response:  # noqa: S310
            archive.write_bytes(response.read())
        unpacked = dest / name.removesuffix(".tar.gz")
        unpacked.mkdir()
        subprocess.run(["tar", "-xzf", str(archive), "-C", str(unpacked)], check=True)


# --- the run ----------------------------------------------------------------------------------


def build_archive(stack: Stack, root: Path, dest: Path, compression: str) -> Path:
    build(
        stack,
        f"localhost/bpp-bench/pull:{dest.stem}",
        extra_args=["--provenance=false"],
        output=f"type=oci,dest={dest},compression={compression},force-compression=true",
        root=root,
    )
    return dest


def checkout(ref: str, dest: Path) -> Path:
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", metavar="REF", help="also time the image of this commit")
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    parser.add_argument(
        "--dockerd", type=Path, help="pull with this dockerd binary (an older release, say)"
    )
    parser.add_argument(
        "--job", action="store_true", help="after each pull, run the main step in that engine"
    )
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="pull-bench-") as tmp_name,
        stack_lib.session(args.state_dir) as stack,
        mock_github_api() as api,
    ):
        tmp = Path(tmp_name)
        images = {
            "this image, zstd": build_archive(stack, ROOT, tmp / "zstd.tar", "zstd"),
            "this image, gzip": build_archive(stack, ROOT, tmp / "gzip.tar", "gzip"),
        }
        if args.before:
            before = checkout(args.before, tmp / "before")
            earlier = build_archive(stack, before, tmp / "before.tar", "gzip")
            images = {f"image of {args.before}, gzip": earlier, **images}
        found = {name: layers(archive) for name, archive in images.items()}
        (tmp / "www").mkdir()
        tarballs = [upstream_tarball(tmp / "www", n, s) for n, s in UPSTREAM]
        found[UPSTREAM_NAME] = [tarball_layer(t) for t in tarballs]
        for name, archive_layers in found.items():
            print("\n" + layer_table(name, archive_layers))

        class Handler(_Quiet):
            def __init__(self, *a: Any, **kw: Any) -> None:
                super().__init__(*a, directory=str(tmp / "www"), **kw)

        candidates = [Candidate(name) for name in found]
        with (
            local_registry(tmp) as registry,
            empty_engine(tmp / "engine", args.dockerd) as engine,
            serving(Handler) as www,
        ):
            for index, (name, archive) in enumerate(images.items()):
                candidates[index] = Candidate(name, f"{registry}/bench/action:{index}")
                push(archive, candidates[index].ref)
            job = Job(replace(stack, docker_host=engine.host), tmp / "jobs", api)
            load = [os.getloadavg()[0]]
            for round_ in range(args.rounds):
                turn = round_ % len(candidates)
                for index, candidate in enumerate(candidates[turn:] + candidates[:turn]):
                    if candidate.ref:
                        timed_pull(engine, candidate)
                        if args.job and not candidate.errors:
                            step = job.run(candidate.ref, f"{round_}-{index}")
                            candidate.job.append(candidate.samples[-1] + step)
                    else:
                        dest = tmp / f"actions-{round_}"
                        dest.mkdir()
                        start = time.perf_counter()
                        fetch_and_unpack(www, [t.name for t in tarballs], dest)
                        candidate.samples.append(time.perf_counter() - start)
                        shutil.rmtree(dest)
                load.append(os.getloadavg()[0])
        report(found, candidates, args.rounds, load)
        return 0 if within_budgets(found, candidates, args.before) else 1


def report(
    found: dict[str, list[Layer]], candidates: Sequence[Candidate], rounds: int,
    load: Sequence[float],
) -> None:  # fmt: skip
    first = statistics.median(next(c.samples for c in candidates if c.samples))
    print(f"\n{rounds} rounds, {os.cpu_count()} CPUs, load average (1 min) "
          f"{min(load):.2f}-{max(load):.2f} while they ran:\n")  # fmt: skip
    print("| what a fresh runner fetches | MB | files | median s | min-max s | dockerd CPU s "
          "| vs first |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for candidate in candidates:
        got = found[candidate.name]
        if candidate.errors:
            print(f"| {candidate.name} | cannot pull it: {candidate.errors[0]} |")
            continue
        median = statistics.median(candidate.samples)
        cpu = f"{statistics.median(candidate.cpu):.1f}" if candidate.cpu else "-"
        print(f"| {candidate.name} | {sum(la.compressed for la in got) / MB:.1f} "
              f"| {sum(la.files for la in got):,} | {median:.2f} "
              f"| {min(candidate.samples):.2f}-{max(candidate.samples):.2f} | {cpu} "
              f"| {100 * median / first:.0f} % |")  # fmt: skip
    jobs = [c for c in candidates if c.job]
    if jobs:
        print("\n| a cold job: the pull, then the main step in the same engine | median s "
              "| min-max s |\n|---|---|---|")  # fmt: skip
        for candidate in jobs:
            print(f"| {candidate.name} | {statistics.median(candidate.job):.2f} "
                  f"| {min(candidate.job):.2f}-{max(candidate.job):.2f} |")  # fmt: skip


def within_budgets(
    found: dict[str, list[Layer]], candidates: Sequence[Candidate], before: str | None
) -> bool:
    ok = True
    for candidate in candidates:
        if candidate.errors:
            print(f"{candidate.name}: the engine could not pull it")
            ok = False
    for name, got in found.items():
        if name == UPSTREAM_NAME or (before and name.startswith("image of")):
            continue
        size, files = sum(la.compressed for la in got), sum(la.files for la in got)
        verdict = "within" if size <= BUDGET_BYTES and files <= BUDGET_FILES else "OVER"
        print(f"{name}: {size / MB:.1f} MB, {files} files: {verdict} budget "
              f"({BUDGET_BYTES / MB:.0f} MB, {BUDGET_FILES} files)")  # fmt: skip
        ok &= verdict == "within"
    if before:
        base = statistics.median(candidates[0].samples)
        for candidate in candidates[1:-1]:
            if candidate.errors:
                continue
            share = statistics.median(candidate.samples) / base
            verdict = "within" if share <= BUDGET_TIME_SHARE else "OVER"
            print(f"{candidate.name}: pull {100 * share:.0f} % of the earlier image's: "
                  f"{verdict} budget ({100 * BUDGET_TIME_SHARE:.0f} %)")  # fmt: skip
            ok &= verdict == "within"
    return ok


if __name__ == "__main__":
    sys.exit(main())
