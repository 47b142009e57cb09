"""``meta-context: git``: the ref of a real checkout, found as actions-toolkit 0.92's
``Git.ref()`` finds it (metadata-action v6.2.0 ``context: git``).

Each row builds a repository in a temporary directory. The expected refs and errors are what
metadata-action v6.2.0's bundle printed (``ref:`` of Context info, or its error) for the same
repository; ``%D`` is ``git show -s --pretty=%D`` there.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

import pytest
from support.git import signed_commit

from build_push_py import cli, context
from build_push_py.errors import ActionError
from build_push_py.runner.env import RunnerEnv

PUSH = RunnerEnv.from_env({"GITHUB_EVENT_NAME": "push"})
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main",
       "-c", "advice.detachedHead=false"]  # fmt: skip
COMMIT = "commit -q --allow-empty -m c"


def make_repo(where: Path, commands: list[str]) -> Path:
    """Run each git command in ``where`` (made if missing), the n-th dated 2024-01-0n."""
    where.mkdir(exist_ok=True)
    for number, command in enumerate(commands, start=1):
        date = f"2024-01-0{number} 00:00:00 +0000"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(where), "GIT_COMMITTER_DATE": date,
               "GIT_AUTHOR_DATE": date}  # fmt: skip
        subprocess.run([*GIT, *command.split()], cwd=where, env=env, check=True,
                       capture_output=True)  # fmt: skip
    return where


REFS = [
    # %D 'HEAD -> main'
    pytest.param(["init -q", COMMIT], "refs/heads/main", id="branch"),
    # %D 'HEAD, tag: v1'
    pytest.param(["init -q", COMMIT, "tag v1", COMMIT, "checkout -q --detach v1"],
                 "refs/tags/v1", id="detached-tag"),
    pytest.param(["init -q", COMMIT, "tag -a v1 -m m", COMMIT, "checkout -q --detach v1"],
                 "refs/tags/v1", id="detached-annotated-tag"),
    # %D 'HEAD, tag: v1.0.0, tag: v1': toolkit 0.79/0.90 gave 'refs/tags/v1.0.0, tag'
    pytest.param(["init -q", COMMIT, "tag v1", "tag v1.0.0", COMMIT, "checkout -q --detach v1"],
                 "refs/tags/v1.0.0", id="two-tags-first-decorated"),
    # %D 'HEAD, tag: v1-rc, tag: v1'
    pytest.param(["init -q", COMMIT, "tag v1", "tag v1-rc", COMMIT, "checkout -q --detach v1"],
                 "refs/tags/v1-rc", id="tag-name-prefix-of-another"),
    # %D 'HEAD, tag: v1, origin/main'
    pytest.param(["init -q", COMMIT, "tag v1", "update-ref refs/remotes/origin/main HEAD",
                  COMMIT, "checkout -q --detach v1"], "refs/tags/v1", id="tag-and-remote-branch"),
    # %D 'HEAD, tag: zz-outer, tag: z2, tag: z1': a tag of a tag does not point at HEAD
    pytest.param(["init -q", COMMIT, "tag -a z1 -m m", "tag -a z2 -m m", "tag -a zz-outer -m m z1",
                  COMMIT, "checkout -q --detach z1"],
                 'Cannot find detached tag ref in "HEAD, tag: zz-outer, tag: z2, tag: z1"',
                 id="decorated-tag-not-pointing-at-head"),
    # %D 'HEAD, pull/15/merge' (actions/checkout fetches refs/remotes/pull/15/merge)
    pytest.param(["init -q", COMMIT, "update-ref refs/remotes/pull/15/merge HEAD", COMMIT,
                  "checkout -q --detach HEAD~1"], "refs/pull/15/merge", id="pull-request-ref"),
    # %D 'HEAD, origin/feature/x'
    pytest.param(["init -q", COMMIT, "update-ref refs/remotes/origin/feature/x HEAD", COMMIT,
                  "checkout -q --detach HEAD~1"], "refs/heads/feature/x", id="remote-branch"),
    # %D 'HEAD, origin/main, main'
    pytest.param(["init -q", COMMIT, "update-ref refs/remotes/origin/main HEAD",
                  "checkout -q --detach HEAD"], "refs/heads/main", id="remote-and-local-branch"),
    # %D 'HEAD, main'
    pytest.param(["init -q", COMMIT, "checkout -q --detach HEAD"],
                 'Unsupported detached HEAD ref in "HEAD, main"', id="local-branch-only"),
    # %D 'HEAD': inferRefFromHead
    pytest.param(["init -q", COMMIT, COMMIT, "checkout -q --detach HEAD~1"], "refs/heads/main",
                 id="infer-local-branch"),
    pytest.param(["init -q", COMMIT, COMMIT, "update-ref refs/remotes/origin/feature/x HEAD",
                  "checkout -q --detach HEAD~1", "branch -q -D main"], "refs/heads/feature/x",
                 id="infer-remote-branch"),
    pytest.param(["init -q", COMMIT, COMMIT, "tag v2", "checkout -q --detach HEAD~1",
                  "branch -q -D main"], "refs/tags/v2", id="infer-tag"),
    pytest.param(["init -q", COMMIT, COMMIT, "checkout -q --detach HEAD~1", "branch -q -D main"],
                 "Cannot infer ref from detached HEAD", id="infer-nothing"),
    # git's own error
    pytest.param(["init -q"], "fatal: bad revision 'HEAD'", id="no-commit-yet"),
    pytest.param([], "fatal: not a git repository (or any of the parent directories): .git",
                 id="not-a-repository"),
]  # fmt: skip


@pytest.mark.parametrize(("commands", "expected"), REFS)
def test_ref_of_the_checkout(tmp_path: Path, commands: list[str], expected: str) -> None:
    repo = make_repo(tmp_path, commands)
    if expected.startswith("refs/"):
        assert context.from_git(PUSH, str(repo)).ref == expected
        return
    with pytest.raises(ActionError) as caught:
        context.from_git(PUSH, str(repo))
    assert caught.value.message == expected
    assert "meta-context: workflow" in caught.value.hint


def test_shallow_clone_at_a_tag(tmp_path: Path) -> None:
    """actions/checkout makes shallow clones: %D 'grafted, HEAD, tag: v3'."""
    source = make_repo(tmp_path / "source", ["init -q", COMMIT, COMMIT, "tag v3", COMMIT])
    clone = tmp_path / "clone"
    subprocess.run([*GIT, "clone", "-q", "--depth", "1", "--branch", "v3", f"file://{source}",
                    str(clone)], check=True, capture_output=True)  # fmt: skip
    assert context.from_git(RunnerEnv.from_env({}), str(clone)).ref == "refs/tags/v3"


def test_cli_default_ref_outside_a_checkout_is_empty(tmp_path: Path) -> None:
    assert context.git_ref(str(tmp_path)) == ""


def _signed_pull_request_checkout(where: Path, marker: Path) -> Path:
    """A pull request's checkout whose own .git/config names a program for everything a
    read-only git command could start: the verifier of the signed commit at its detached
    HEAD (``git show`` runs it with log.showSignature), the file-system monitor, the hooks.
    The program leaves ``marker``."""
    repo = make_repo(where, ["init -q", COMMIT, "update-ref refs/remotes/pull/7/merge HEAD"])
    program = where.parent / "program"
    program.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\n')
    program.chmod(0o755)
    hooks = where.parent / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / hook).symlink_to(program)

    def git(*args: str, text: str | None = None) -> str:
        done = subprocess.run([*GIT, *args], cwd=repo, input=text, capture_output=True,
                              text=True, check=True, env={"PATH": "/usr/bin:/bin"})  # fmt: skip
        return done.stdout.strip()

    commit = signed_commit(git)
    git("update-ref", "refs/remotes/pull/7/merge", commit)
    git("checkout", "-q", "--detach", commit)
    for key, value in [
        ("log.showSignature", "true"),
        ("gpg.program", str(program)),
        ("core.fsmonitor", str(program)),
        ("core.hooksPath", str(hooks)),
    ]:
        git("config", key, value)
    git("status")  # the configuration does start the program, when not told otherwise
    assert marker.exists()
    marker.unlink()
    return repo


def _plan_args(repo: Path, *flags: str) -> argparse.Namespace:
    return cli._parser().parse_args(["plan", "--workdir", str(repo), *flags])


def test_the_checkouts_configuration_starts_no_program(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = _signed_pull_request_checkout(tmp_path / "ws", marker)

    ctx = context.from_git(RunnerEnv.from_env({}), str(repo))  # meta-context: git
    env = cli.runner_env(_plan_args(repo), {}, str(repo))  # the command line's defaults

    assert ctx.ref == env["GITHUB_REF"] == "refs/pull/7/merge"
    assert ctx.sha == env["GITHUB_SHA"] != ""
    assert not marker.exists(), marker.read_text()


def _give_to_another_user(repo: Path) -> None:
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 1001, 1001, follow_symlinks=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout another owner")
def test_a_checkout_of_another_user_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """git refuses a repository of another user (CVE-2022-24765): the command line says so
    in one error, and nothing the repository's configuration names runs. (The action's image
    trusts its workspace in /etc/gitconfig: see the Dockerfile.)"""
    marker = tmp_path / "ran"
    repo = _signed_pull_request_checkout(tmp_path / "ws", marker)
    _give_to_another_user(repo)

    assert cli.main(["plan", "--workdir", str(repo), "--images", "example/app"]) == 1

    err = capsys.readouterr().err
    refused = f"error: git refuses to read the checkout {repo}: it belongs to another user"
    assert err.startswith(refused)
    assert "--ref" in err  # how to do without reading it
    assert "Traceback" not in err
    assert not marker.exists(), marker.read_text()
    with pytest.raises(context.RefusedCheckout):  # meta-context: git, outside the image
        context.from_git(RunnerEnv.from_env({}), str(repo))
    assert not marker.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout another owner")
def test_a_checkout_of_another_user_is_not_needed_with_its_facts_given(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "ws", ["init -q", COMMIT])
    _give_to_another_user(repo)
    given = ["--ref", "refs/heads/main", "--sha", "a" * 40, "--repository", "o/r"]
    env = cli.runner_env(_plan_args(repo, *given), {}, str(repo))
    assert (env["GITHUB_REF"], env["GITHUB_SHA"]) == ("refs/heads/main", "a" * 40)
