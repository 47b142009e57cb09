"""The action's image, run as GitHub's runner runs a container action, against the stack.

The workspace is a git checkout owned by another user than the container's root, as on a
runner. Expected tags follow docker/metadata-action's README: on ``refs/heads/main`` the rule
``type=ref,event=branch`` gives ``main`` and ``type=sha`` gives ``sha-`` and the first seven
hex digits of the commit; the version output is the tag of the highest-priority rule (branch
600 over sha 100).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from image.action_image import (
    CONTAINER_DIRS,
    MOCK_REPOSITORY,
    RUNNER_USER,
    ActionImage,
    RunnerDirs,
    action_run,
    build,
    container_command,
    container_env,
    docker_argv,
    git_checkout,
    run_container_action,
)
from stack import Registry, Stack
from support.git import signed_commit
from support.runner import ActionRun

from build_push_py.metadata import BAKE_FILE_NAMES

pytestmark = pytest.mark.integration

# The runner starts the main step with the entry point action.yml names.
RUNS = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())["runs"]
REMOTE = "https://github.com/octo-org/hello-world.git"
BUILDER_RESOURCES = "buildx_buildkit_build-push-py-"  # docker-container builders' names


@dataclass(frozen=True)
class Setup:
    """What a run of the image needs: the stack, its registry ``reg-a``, the image and the
    repository API's stand-in."""

    stack: Stack
    reg: Registry
    image: ActionImage
    api: str


@pytest.fixture
def setup(stack: Stack, reg_a: Registry, action_image: ActionImage, github_api: str) -> Setup:
    return Setup(stack, reg_a, action_image, github_api)


@dataclass(frozen=True)
class Checkout:
    dirs: RunnerDirs
    sha: str


def checkout(tmp_path: Path, dockerfile: str) -> Checkout:
    """A git checkout of ``dockerfile`` and hello.txt with an ``origin`` remote in the
    workspace, owned by the runner's user, and the push event of its commit."""
    dirs = RunnerDirs.make(tmp_path / "runner", tmp_path / "workspace")
    files = {"Dockerfile": dockerfile, "hello.txt": "hello from the action image\n"}
    sha = git_checkout(dirs.workspace, files, REMOTE)
    payload = {
        "ref": "refs/heads/main",
        "after": sha,
        "head_commit": {"id": sha, "timestamp": "2024-01-10T00:30:00Z"},
        "repository": {"name": "hello-world", "full_name": "octo-org/hello-world",
                       "default_branch": "main"},
    }  # fmt: skip
    (dirs.workflow / "event.json").write_text(json.dumps(payload))
    return Checkout(dirs, sha)


def push_inputs(reg: Registry, repo: str, **extra: str) -> dict[str, str]:
    # push stays `auto`: a push event on GitHub pushes
    return {
        "images": f"{reg.host}/{repo}",
        "tags": "type=ref,event=branch\ntype=sha",
        "registry": reg.host,
        "username": reg.user,
        "password": reg.password,
        "github-token": "not-a-real-token",
        **extra,
    }


def main_env(inputs: dict[str, str], co: Checkout, api: str) -> dict[str, str]:
    return container_env(inputs, step="main", github={"GITHUB_SHA": co.sha, "GITHUB_API_URL": api})


def describe(run: ActionRun) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"


def builder_resources(stack: Stack) -> set[str]:
    """The containers and volumes of docker-container builders the action named."""
    found: set[str] = set()
    for kind, fmt in (("container", "{{.Names}}"), ("volume", "{{.Name}}")):
        done = subprocess.run(
            [*docker_argv(stack), kind, "ls", *(["--all"] if kind == "container" else []),
             "--filter", f"name={BUILDER_RESOURCES}", "--format", fmt],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        found |= {f"{kind} {name}" for name in done.stdout.split()}
    return found


def left_behind(dirs: RunnerDirs) -> list[str]:
    """What the run left in the runner's directories: anything in HOME, and in RUNNER_TEMP
    anything but the files the outputs name for the job's later steps (the bake files and
    the build record; the runner empties RUNNER_TEMP when the job ends)."""
    outputs = {
        "metadata-": lambda name: name in BAKE_FILE_NAMES.values(),
        "build-record-": lambda name: name.endswith(".dockerbuild"),
    }
    left = [f"HOME/{path.name}" for path in dirs.home.iterdir()]
    for path in dirs.runner_temp.iterdir():
        names = [p.name for p in path.iterdir()] if path.is_dir() else []
        output = next((ok for prefix, ok in outputs.items() if path.name.startswith(prefix)), None)
        if output is not None and names and all(map(output, names)):
            continue
        left.append(f"RUNNER_TEMP/{path.name}" + ("/" if path.is_dir() else ""))
    return left


def config_dir_on_host(run: ActionRun, dirs: RunnerDirs) -> Path:
    """The run's Docker config directory (as its clean-up names it), as a path on the host."""
    inside = Path(run.config_dir)
    return dirs.runner_temp / inside.relative_to(CONTAINER_DIRS["runner_temp"])


def pushed_config(reg: Registry, repo: str, tag: str) -> dict[str, Any]:
    """What skopeo (not our code) reads from the registry: digest and labels of the image."""
    done = subprocess.run(
        ["skopeo", "inspect", "--creds", f"{reg.user}:{reg.password}",
         f"docker://{reg.host}/{repo}:{tag}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def provenance_metadata(reg: Registry, repo: str, digest: str) -> dict[str, Any]:
    """BuildKit's metadata in the provenance attestation of the image index ``digest``: the
    index entry annotated as an attestation manifest, its in-toto statement layer."""
    _, index = reg.manifest(repo, digest)
    [entry] = [
        m for m in index["manifests"]
        if m.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest"
    ]  # fmt: skip
    _, attestation = reg.manifest(repo, entry["digest"])
    [layer] = attestation["layers"]
    statement = json.loads(reg.blob(repo, layer["digest"]))
    predicate = statement["predicate"]
    # SLSA provenance v0.2 keeps it in "metadata", v1 in "runDetails"
    metadata = predicate.get("metadata") or predicate["runDetails"]["metadata"]
    result: dict[str, Any] = metadata["https://mobyproject.org/buildkit@v1#metadata"]
    return result


def test_build_and_push_in_the_image_leaves_nothing_behind(setup: Setup, tmp_path: Path) -> None:
    co = checkout(tmp_path, "FROM scratch\nCOPY hello.txt /\n")
    reg, repo = setup.reg, f"image-test/scratch-{uuid.uuid4().hex[:10]}"
    image = f"{reg.host}/{repo}"
    builders = builder_resources(setup.stack)

    main = run_container_action(
        setup.stack, setup.image.ref, co.dirs, main_env(push_inputs(reg, repo), co, setup.api),
        entrypoint=RUNS["entrypoint"],
    )  # fmt: skip

    assert main.returncode == 0, describe(main)
    short = co.sha[:7]
    assert main.outputs["tags"].split("\n") == [f"{image}:main", f"{image}:sha-{short}"]
    assert main.outputs["version"] == "main"
    digest = main.outputs["digest"]
    assert digest.startswith("sha256:")
    assert main.outputs["imageid"].startswith("sha256:")
    assert json.loads(main.outputs["metadata"])["containerimage.digest"] == digest
    assert reg.tags(repo) == ["main", f"sha-{short}"]
    assert reg.manifest_digest(repo, "main") == digest
    labels = pushed_config(reg, repo, "main")["Labels"]
    assert labels["org.opencontainers.image.revision"] == co.sha
    assert labels["org.opencontainers.image.description"] == "This your first repo!"  # the API
    # `::add-mask::` is the one line that must carry the password: the runner hides it then.
    visible = [ln for ln in main.everything.splitlines() if not ln.startswith("::add-mask")]
    assert not [ln for ln in visible if reg.password in ln]
    # The credentials lived in a Docker config of the action's own, gone with the step.
    assert main.config_dir.startswith(CONTAINER_DIRS["runner_temp"] + "/")
    assert not config_dir_on_host(main, co.dirs).exists()
    assert left_behind(co.dirs) == []
    assert builder_resources(setup.stack) == builders


def test_provenance_carries_the_checkouts_source_and_revision(setup: Setup, tmp_path: Path) -> None:
    co = checkout(tmp_path, "FROM scratch\nCOPY hello.txt /\n")
    repo = f"image-test/provenance-{uuid.uuid4().hex[:10]}"

    main = run_container_action(
        setup.stack, setup.image.ref, co.dirs, main_env(push_inputs(setup.reg, repo), co, setup.api)
    )

    assert main.returncode == 0, describe(main)
    assert "current commit information was not captured" not in main.stdout
    vcs = provenance_metadata(setup.reg, repo, main.outputs["digest"])["vcs"]
    assert (vcs["source"], vcs["revision"]) == (REMOTE, co.sha)


# Runs the main step with a spy on the two places Python compiles source it imports (files
# and zip archives), then reports what it compiled, which imported modules (some before the
# spy) have no bytecode, where the modules came from, and which modules the run imported at
# all: on stderr for the step's process, in CHILD_REPORT for the repository look-up's child
# (forked by the entry point; it ends with os._exit and has no stderr of its own).
CHILD_REPORT = "bytecode-child.json"
SPY = f"""
import importlib._bootstrap_external as external, importlib.util, json, os, runpy, sys
import zipimport
compiled = []
to_code = external.SourceLoader.source_to_code
def spy(self, data, path, *, _optimize=-1):
    compiled.append(path)
    return to_code(self, data, path, _optimize=_optimize)
external.SourceLoader.source_to_code = spy
zip_compile = zipimport._compile_source
def zip_spy(pathname, source):
    compiled.append(pathname)
    return zip_compile(pathname, source)
zipimport._compile_source = zip_spy
def report():
    specs = [getattr(m, "__spec__", None) for m in list(sys.modules.values())]
    origins = [spec.origin for spec in specs if spec]
    sources = [o for o in origins if o and o.endswith(".py") and ".zip/" not in o]
    without = [o for o in sources if not os.path.exists(importlib.util.cache_from_source(o))]
    where = {{name: getattr(getattr(m, "__spec__", None), "origin", None)
              for name, m in list(sys.modules.items())}}
    return json.dumps({{"compiled": compiled, "without_pyc": without, "origins": where,
                       "modules": sorted(sys.modules)}})
step, real_exit = os.getpid(), os._exit
def exit_reporting(code):
    if os.getpid() != step:
        with open(os.path.join(os.environ["RUNNER_TEMP"], "{CHILD_REPORT}"), "w") as out:
            out.write(report())
    real_exit(code)
os._exit = exit_reporting
code = 0
try:
    sys.argv = ["/app/entrypoint.py"]
    runpy.run_path("/app/entrypoint.py", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print("BYTECODE " + report(), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    "image_fixture",
    [
        pytest.param("action_image", id="base-with-bytecode"),
        # as the official python images, whose standard library has none
        pytest.param("action_image_on_bare_python", id="base-without-bytecode"),
    ],
)
def test_a_run_compiles_nothing_it_imports(
    request: pytest.FixtureRequest, setup: Setup, tmp_path: Path, image_fixture: str
) -> None:
    image: ActionImage = request.getfixturevalue(image_fixture)
    co = checkout(tmp_path, "FROM scratch\nCOPY hello.txt /\n")
    repo = f"image-test/bytecode-{uuid.uuid4().hex[:10]}"

    run = run_container_action(
        setup.stack, image.ref, co.dirs, main_env(push_inputs(setup.reg, repo), co, setup.api),
        entrypoint="python3", args=["-c", SPY],
    )  # fmt: skip

    assert run.returncode == 0, describe(run)
    [line] = [ln for ln in run.stderr.splitlines() if ln.startswith("BYTECODE ")]
    step = json.loads(line.removeprefix("BYTECODE "))
    child = json.loads((co.dirs.runner_temp / CHILD_REPORT).read_text())
    # The whole job ran: our code and docker for the login in the step, PyGithub for the
    # repository in the look-up's child (whose answer is in the labels).
    assert {"build_push_py.app", "docker.api.client"} <= set(step["modules"])
    assert "github" not in step["modules"]
    assert "github.Repository" in child["modules"]
    assert (
        "org.opencontainers.image.description=" + str(MOCK_REPOSITORY["description"])
        in (run.outputs["labels"])
    )
    for report in (step, child):
        assert report["compiled"] == []
        assert report["without_pyc"] == []
    # The standard library and the dependencies that need no files of their own are imported
    # from zip archives of bytecode: a handful of files in the image instead of thousands.
    origins = {**child["origins"], **step["origins"]}
    assert origins["json.decoder"].endswith("/lib/python311.zip/json/decoder.pyc")
    assert origins["github.Repository"] == "/opt/deps.zip/github/Repository.pyc"
    assert origins["docker.api.client"] == "/opt/deps.zip/docker/api/client.pyc"


def test_the_ecr_login_clients_load_from_the_models_the_image_keeps(setup: Setup) -> None:
    # botocore keeps only the models of the services the ECR login calls: each client must
    # still load (its model, endpoint rules and the partitions), and no other model is there.
    script = """
import botocore.session, json
session = botocore.session.get_session()
for name in ("ecr", "ecr-public", "sts"):
    session.create_client(name, region_name="us-east-1", aws_access_key_id="a",
                          aws_secret_access_key="b")
print(json.dumps(session.get_available_services()))
"""
    done = subprocess.run(
        [*docker_argv(setup.stack), "run", "--rm", "--entrypoint", "python3", setup.image.ref,
         "-c", script],
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)) == ["ecr", "ecr-public", "sts"]


def test_a_failed_build_leaves_nothing_behind(
    setup: Setup, tmp_path: Path, base_image: str
) -> None:
    co = checkout(tmp_path, f"FROM {base_image}\nRUN false\n")
    repo = f"image-test/failing-{uuid.uuid4().hex[:10]}"
    builders = builder_resources(setup.stack)

    run = run_container_action(
        setup.stack, setup.image.ref, co.dirs, main_env(push_inputs(setup.reg, repo), co, setup.api)
    )

    assert run.returncode == 1, describe(run)
    assert len(run.errors()) == 1, describe(run)
    assert "Logged in to" in run.stdout  # there were credentials to remove
    assert not config_dir_on_host(run, co.dirs).exists()
    assert left_behind(co.dirs) == []
    assert builder_resources(setup.stack) == builders
    assert setup.reg.tags(repo) == []


def test_a_builder_the_action_created_is_removed_after_a_failure(
    setup: Setup, tmp_path: Path, fake_buildkit_image: str
) -> None:
    co = checkout(tmp_path, "FROM scratch\nCOPY hello.txt /\n")
    repo = f"image-test/builder-{uuid.uuid4().hex[:10]}"
    inputs = push_inputs(
        setup.reg, repo, driver="docker-container", **{"buildkit-image": fake_buildkit_image}
    )
    builders = builder_resources(setup.stack)

    run = run_container_action(
        setup.stack, setup.image.ref, co.dirs, main_env(inputs, co, setup.api)
    )

    assert run.returncode == 1, describe(run)
    name = run.builder  # the builder was created, and its name logged
    assert f"Removed builder {name}" in run.stdout, describe(run)
    assert builder_resources(setup.stack) == builders
    assert not config_dir_on_host(run, co.dirs).exists()
    assert left_behind(co.dirs) == []


def test_a_cancelled_step_cleans_up_and_stops_the_build(
    setup: Setup, tmp_path: Path, base_image: str
) -> None:
    co = checkout(tmp_path, f"FROM {base_image}\nRUN echo {uuid.uuid4().hex} && sleep 120\n")
    repo = f"image-test/cancelled-{uuid.uuid4().hex[:10]}"
    env = main_env(push_inputs(setup.reg, repo), co, setup.api)
    name = f"bpp-cancel-{uuid.uuid4().hex[:10]}"
    argv, process_env = container_command(
        setup.stack, setup.image.ref, co.dirs, env, extra_args=["--name", name]
    )
    lines: list[str] = []
    with subprocess.Popen(argv, env=process_env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as docker_run:  # fmt: skip
        reader = threading.Thread(target=lambda: lines.extend(docker_run.stdout or ()))
        reader.start()
        try:
            deadline = time.monotonic() + 120
            while not any("sleep 120" in ln and "RUN" in ln for ln in lines):
                assert docker_run.poll() is None, "".join(lines)
                assert time.monotonic() < deadline, "the build never started:\n" + "".join(lines)
                time.sleep(0.1)
            # The runner stops a cancelled step's process: SIGINT, SIGTERM 7.5 s later.
            docker_run.send_signal(signal.SIGINT)
            docker_run.wait(timeout=7.5)
        finally:
            subprocess.run([*docker_argv(setup.stack), "rm", "--force", name],
                           capture_output=True, check=False)  # fmt: skip
            reader.join()
        stderr = docker_run.stderr.read() if docker_run.stderr else ""
    run = action_run(co.dirs, env, docker_run.returncode, "".join(lines), stderr)

    assert run.returncode == 130, describe(run)
    assert not config_dir_on_host(run, co.dirs).exists()
    assert left_behind(co.dirs) == []
    assert setup.reg.tags(repo) == []  # the build stopped before its push


def _sign_head_and_name_programs(co: Checkout) -> tuple[str, Path]:
    """Make the checkout's HEAD a signed commit and have its .git/config name a program for
    checking it (log.showSignature) and as the file-system monitor: the commit, and the host
    path of the file the program leaves. The checkout stays the runner user's."""
    ws, ran = co.dirs.workspace, co.dirs.runner_temp / "ran"
    program = ws / ".git" / "program"
    program.write_text(f"#!/bin/sh\n: > {CONTAINER_DIRS['runner_temp']}/ran\n")
    program.chmod(0o755)

    def git(*args: str, text: str | None = None) -> str:
        argv = ["git", "-c", "safe.directory=*", "-C", str(ws), *args]
        return subprocess.run(argv, input=text, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip

    commit = signed_commit(git, parent=co.sha)
    git("update-ref", "refs/heads/main", commit)
    inside = f"{CONTAINER_DIRS['workspace']}/.git/program"
    for key, value in [("log.showSignature", "true"), ("gpg.program", inside),
                       ("core.fsmonitor", inside)]:  # fmt: skip
        git("config", key, value)
    for path in [ws, *ws.rglob("*")]:
        os.lchown(path, RUNNER_USER, RUNNER_USER)
    return commit, ran


def test_meta_context_git_reads_the_checkout_and_runs_nothing_it_names(
    setup: Setup, tmp_path: Path
) -> None:
    """The workspace belongs to the runner's user and the step runs as root: the image's
    /etc/gitconfig lets git read it. What its .git/config names, git does not run."""
    co = checkout(tmp_path, "FROM scratch\n")
    commit, ran = _sign_head_and_name_programs(co)
    inputs = {"images": "example/app", "dry-run": "true", "meta-context": "git",
              "tags": "type=ref,event=branch\ntype=sha"}  # fmt: skip
    env = container_env(inputs, step="main", github={"GITHUB_REF": "refs/heads/not-the-checkout"})

    run = run_container_action(setup.stack, setup.image.ref, co.dirs, env)

    assert run.returncode == 0, describe(run)
    assert not ran.exists()
    # the checkout's branch and commit, not GITHUB_REF's and GITHUB_SHA's
    assert run.outputs["tags"].splitlines() == ["example/app:main", f"example/app:sha-{commit[:7]}"]


def test_bad_input_fails_with_an_error_line(setup: Setup, tmp_path: Path) -> None:
    dirs = RunnerDirs.make(tmp_path / "runner", tmp_path / "workspace")
    env = container_env({"images": "example/app", "push": "maybe"}, step="main")

    run = run_container_action(setup.stack, setup.image.ref, dirs, env)

    assert run.returncode == 1, describe(run)
    assert any("push" in line and "maybe" in line for line in run.errors()), describe(run)
    assert "Traceback" not in run.stderr


def test_the_same_sources_give_the_same_image(stack: Stack, tmp_path: Path) -> None:
    # Two builds from scratch of two copies whose files have different times, as two clones
    # would; SOURCE_DATE_EPOCH and rewrite-timestamp are how a reproducible build is asked for.
    digests = []
    for copy in ("first", "second"):
        archive = tmp_path / f"{copy}.tar"
        build(
            stack,
            extra_args=["--no-cache", "--provenance=false",
                        "--build-arg", "SOURCE_DATE_EPOCH=1700000000"],
            output=f"type=oci,dest={archive},rewrite-timestamp=true",
            new_times=True,
        )  # fmt: skip
        with tarfile.open(archive) as tar:
            index = tar.extractfile("index.json")
            assert index is not None
            digests.append(json.load(index)["manifests"][0]["digest"])
        time.sleep(1.1)  # the second copy's files are newer

    assert digests[0] == digests[1]
