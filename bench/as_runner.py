"""The action as GitHub's runner runs it, against the plain ``docker buildx build`` it ran.

    sudo python bench/as_runner.py [--runs 11] [--image REF] [--checkout DIR]
        [--before-image REF --before-checkout DIR]

Starts the test stack (tests/stack.py) and builds the action's image from the real Dockerfile
(tests/image/action_image.py) unless ``--image`` names one; ``--checkout`` names another
checkout of the action (an older commit, say: ``git worktree add``), whose action.yml says
which steps run and whose ``entrypoint.py`` and ``post.py`` the direct run runs;
``--before-image`` with its checkout is timed in the same rounds, for a comparison that the
machine's load moves alike. The workspace is a git checkout owned by another user than the
container's root, as on a runner, holding a 2-stage Dockerfile with 3 ``RUN`` and 4 ``COPY``
steps. One warm-up run fills BuildKit's cache and says which buildx command the action runs;
then each round, in turn:

- the action as the runner runs it: ``docker run`` of the image with the runner's mounts and
  variables, the main step and, when action.yml has one, the post step (a container each);
- the same with the build summary and record switched off (``DOCKER_BUILD_SUMMARY=false``);
- the same action code run directly on the host (``entrypoint.py``, ``post.py``);
- the buildx command alone, run by the image's buildx in a container started the same way:
  what the job would cost with no action code at all (the container's start, its removal,
  buildx inside it);
- the buildx command the action ran in that round, on the host, with the same arguments.

Every run logs in to the test registry ``reg-a`` (the plain build uses a config logged in
beforehand) and pushes a new image (the ``created`` label changes every round). The repository
look-up goes to a local mock of the API, as in bench/dry_run.py. Budget: at most 0.4 s median
above the plain build, as the runner runs it.
"""

from __future__ import annotations

import argparse
import base64
import json
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
sys.path.insert(0, str(TESTS))

import stack as stack_lib  # noqa: E402 - needs the path above
from common import time_command  # noqa: E402
from image.action_image import (  # noqa: E402
    RunnerDirs,
    build,
    container_command,
    container_env,
    git_checkout,
    mock_github_api,
    run_container_action,
)
from stack import Registry, Stack  # noqa: E402
from support.runner import ActionRun, parse_file_commands, runner_env  # noqa: E402

BUDGET = 0.4
# The Dockerfile's BUILDX_BIN.
BUILDX_IN_IMAGE = "/usr/local/bin/buildx"
# The job's switch for the build summary and the build record (exported from buildx's history
# after the build, as build-push-action does): what that costs shows apart.
NO_SUMMARY = {"DOCKER_BUILD_SUMMARY": "false"}
DOCKERFILE = """\
FROM {base} AS build
COPY a.txt /src/
RUN cat /src/a.txt > /src/out.txt
COPY b.txt /src/
RUN wc -c /src/b.txt >> /src/out.txt
FROM {base}
COPY --from=build /src/out.txt /app/
COPY c.txt /app/
RUN ls /app > /app/list.txt
"""


def make_workspace(path: Path, base: str) -> str:
    """The benchmark's checkout; returns its commit."""
    files = {"Dockerfile": DOCKERFILE.format(base=base)}
    files |= {name: f"{name}\n" for name in ("a.txt", "b.txt", "c.txt")}
    return git_checkout(path, files, "https://github.com/octo-org/hello-world.git")


def host_git_env(workspace: Path) -> dict[str, str]:
    """On the runner the checkout's owner runs the host's buildx: as root here, git needs
    to be told the checkout is safe (buildx 0.29 passes its environment to git)."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": str(workspace),
    }


def logged_in_config(path: Path, reg: Registry) -> Path:
    path.mkdir(mode=0o700)
    auth = base64.b64encode(f"{reg.user}:{reg.password}".encode()).decode()
    (path / "config.json").write_text(json.dumps({"auths": {reg.host: {"auth": auth}}}))
    return path


def timed(run: Callable[[], ActionRun]) -> tuple[float, ActionRun]:
    start = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return elapsed, result


def buildx_command(run: ActionRun, files: Path) -> list[str]:
    """The buildx command of the action's log, with its two output files moved to ``files``
    (the action's are gone with its config directory)."""
    line = next(x for x in run.stdout.splitlines() if x.startswith("docker buildx build "))
    argv = shlex.split(line)
    for flag, name in (("--iidfile", "iid"), ("--metadata-file", "metadata.json")):
        argv[argv.index(flag) + 1] = str(files / name)
    return argv


class Bench:
    def __init__(self, stack: Stack, image: str, root: Path, api_url: str, code: Path) -> None:
        self.stack = stack
        self.image = image
        self.code = code
        self.reg = stack.registries[0]
        self.runs = yaml.safe_load((code / "action.yml").read_text())["runs"]
        self.workspace = root / "workspace"
        self.sha = make_workspace(self.workspace, stack.base_image())
        self.root = root
        self.config = logged_in_config(root / "plain-config", self.reg)
        self.inputs = {
            "images": f"{self.reg.host}/bench/app",
            "tags": "type=ref,event=branch\ntype=sha",
            "registry": self.reg.host,
            "username": self.reg.user,
            "password": self.reg.password,
            "github-token": "not-a-real-token",
        }
        self.github = {"GITHUB_API_URL": api_url, "GITHUB_SHA": self.sha}
        self.event = {"ref": "refs/heads/main", "after": self.sha,
                      "repository": {"full_name": "octo-org/hello-world",
                                     "default_branch": "main"}}  # fmt: skip

    def container_job(
        self, round_no: int, job_env: Mapping[str, str] | None = None
    ) -> tuple[float, float, ActionRun]:
        """Main and post step as the runner runs them, with ``job_env`` set in the job:
        (main s, post s, main run)."""
        dirs = RunnerDirs.make(
            self.root / f"runner-{round_no}-{len(job_env or {})}", self.workspace
        )
        (dirs.workflow / "event.json").write_text(json.dumps(self.event))
        env = container_env(self.inputs, github=self.github, step="main") | dict(job_env or {})
        main_s, main = timed(
            lambda: run_container_action(
                self.stack, self.image, dirs, env, entrypoint=self.runs["entrypoint"]
            )
        )
        post_s = 0.0
        if "post-entrypoint" in self.runs:
            state = {f"STATE_{k}": v for k, v in main.state.items()}
            post_env = (
                container_env(self.inputs, github=self.github, step="post")
                | dict(job_env or {})
                | state
            )
            post_s, _ = timed(
                lambda: run_container_action(
                    self.stack, self.image, dirs, post_env, entrypoint=self.runs["post-entrypoint"]
                )
            )
        return main_s, post_s, main

    def direct_job(self, round_no: int) -> float:
        """entrypoint.py and post.py run on the host, as before the action had an image."""
        files = self.root / f"direct-{round_no}"
        files.mkdir()
        base = self.stack.env() | host_git_env(self.workspace)
        env = runner_env(files, self.inputs, github=self.github, payload=self.event, base=base)
        env["GITHUB_WORKSPACE"] = str(self.workspace)
        cwd = str(self.workspace)
        elapsed = time_command([sys.executable, str(self.code / "entrypoint.py")], env, cwd)
        if "post-entrypoint" in self.runs:
            state = parse_file_commands((files / "runner" / "state").read_text())
            post_env = env | {f"STATE_{k}": v for k, v in state.items()}
            elapsed += time_command([sys.executable, str(self.code / "post.py")], post_env, cwd)
        return elapsed

    def container_buildx(self, round_no: int, run: ActionRun) -> float:
        """The buildx command of ``run``, run by the image's own buildx in a container started
        as the runner starts the action's: the part of the job no action code can save."""
        dirs = RunnerDirs.make(self.root / f"floor-{round_no}", self.workspace)
        files = self.root / f"floor-files-{round_no}"
        files.mkdir()
        inside = buildx_command(run, Path("/bench-files"))[2:]  # after "docker buildx"
        env = container_env({}, github=self.github, step="main")
        env["DOCKER_CONFIG"] = "/bench-config"  # logged in beforehand, as for the plain build
        command, process_env = container_command(
            self.stack, self.image, dirs, env, entrypoint=BUILDX_IN_IMAGE, args=inside,
            extra_args=["-v", f"{self.config}:/bench-config", "-v", f"{files}:/bench-files"],
        )  # fmt: skip
        return time_command(command, process_env, str(self.workspace))

    def plain(self, argv: Sequence[str]) -> float:
        env = self.stack.env() | host_git_env(self.workspace) | {"DOCKER_CONFIG": str(self.config)}
        return time_command(argv, env, str(self.workspace))


def report(rows: Sequence[tuple[str, Sequence[float], bool]], plain: Sequence[float]) -> str:
    """The table of the issue: (name, samples, whether it is a whole job) per row."""
    base = statistics.median(plain)
    lines = ["| | job time | above a plain `docker buildx build` |", "|---|---|---|"]
    for name, samples, whole in rows:
        above = f"{statistics.median(samples) - base:+.2f} s" if whole else "-"
        lines.append(f"| {name} | {statistics.median(samples):.2f} s | {above} |")
    lines.append(f"| plain `docker buildx build` with the same arguments | {base:.2f} s | - |")
    return "\n".join(lines)


@dataclass
class Samples:
    """One action's times, per round."""

    main: list[float] = field(default_factory=list)
    post: list[float] = field(default_factory=list)
    job: list[float] = field(default_factory=list)
    no_summary: list[float] = field(default_factory=list)
    direct: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)

    def rows(self, bench: Bench, label: str) -> list[tuple[str, Sequence[float], bool]]:
        has_post = "post-entrypoint" in bench.runs
        steps = "main + post" if has_post else "main step only"
        rows: list[tuple[str, Sequence[float], bool]] = [
            (f"{label}as the runner runs it (`docker run` of the image, {steps})", self.job, True)
        ]
        if has_post:
            rows += [("&nbsp;&nbsp;the main step's `docker run`", self.main, False),
                     ("&nbsp;&nbsp;the post step's `docker run`", self.post, False)]  # fmt: skip
        rows.append(("&nbsp;&nbsp;the same with `DOCKER_BUILD_SUMMARY=false` (no build record)",
                     self.no_summary, True))  # fmt: skip
        direct = "`entrypoint.py` + `post.py`" if has_post else "`entrypoint.py`"
        rows.append((f"{label}{direct} run directly", self.direct, True))
        rows.append((f"{label}the image's buildx alone, same command, started as the runner "
                     "starts the action (no action code)", self.floor, True))  # fmt: skip
        return rows


def one_round(bench: Bench, samples: Samples, round_no: int) -> ActionRun:
    main_s, post_s, run = bench.container_job(round_no)
    samples.main.append(main_s)
    samples.post.append(post_s)
    samples.job.append(main_s + post_s)
    main_s, post_s, _ = bench.container_job(round_no, NO_SUMMARY)
    samples.no_summary.append(main_s + post_s)
    samples.direct.append(bench.direct_job(round_no))
    samples.floor.append(bench.container_buildx(round_no, run))
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--image", help="an action image already in the stack's engine")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the action's checkout")
    parser.add_argument("--before-image", help="another image, timed in the same rounds")
    parser.add_argument("--before-checkout", type=Path, help="the checkout of --before-image")
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)
    if bool(args.before_image) != bool(args.before_checkout):
        parser.error("--before-image and --before-checkout go together")

    with mock_github_api() as api_url, stack_lib.session(args.state_dir) as running:
        image = args.image or build(running).ref
        root = Path(tempfile.mkdtemp(prefix="bench-runner-"))
        try:
            subjects = [("ours, ", Bench(running, image, root / "after", api_url,
                                         args.checkout.resolve()), Samples())]  # fmt: skip
            if args.before_image:
                before = Bench(running, args.before_image, root / "before", api_url,
                               args.before_checkout.resolve())  # fmt: skip
                subjects.insert(0, ("before: ", before, Samples()))
            for _, bench, _ in subjects:  # warm-up: BuildKit's cache, the image's files
                bench.container_job(0)
                bench.direct_job(0)
            plain_s: list[float] = []
            for round_no in range(1, args.runs + 1):
                runs = [one_round(bench, samples, round_no) for _, bench, samples in subjects]
                plain_s.append(subjects[-1][1].plain(buildx_command(runs[-1], root)))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    rows = [row for label, bench, samples in subjects for row in samples.rows(bench, label)]
    images = ", ".join(f"{label}{bench.image}" for label, bench, _ in subjects)
    print(f"{images}; {args.runs} rounds, medians")
    print(report(rows, plain_s))
    above = statistics.median(subjects[-1][2].job) - statistics.median(plain_s)
    print(f"\nas the runner runs it: {above:+.2f} s above plain buildx (budget {BUDGET:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
