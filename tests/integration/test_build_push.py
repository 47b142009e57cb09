"""The whole action against a real engine and two TLS registries with password auth.

Each test runs ``entrypoint.py`` as the runner runs a container action, then checks the
registries through their own API rather than trusting the action's outputs.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from stack import Registry, Stack
from support.checks import assert_no_secret, registry_auth, repo_name, workspace
from support.runner import run_action, runner_env

pytestmark = pytest.mark.integration

SHA = "860c1904a1ce19322e91ac35af1ab07466440c37"


def image_layers(reg: Registry, repo: str, tag: str) -> list[str]:
    """Layer digests of the image behind ``tag`` (the platform image of an index)."""
    _, manifest = reg.manifest(repo, tag)
    for entry in manifest.get("manifests", []):
        if entry.get("platform", {}).get("os") != "unknown":  # skip attestation manifests
            _, manifest = reg.manifest(repo, entry["digest"])
            break
    return [layer["digest"] for layer in manifest["layers"]]


def tag_event(
    ws: Path, stack: Stack, inputs: dict[str, str], tag: str = "v1.2.3"
) -> dict[str, str]:
    return runner_env(
        ws,
        inputs,
        github={"GITHUB_REF": f"refs/tags/{tag}", "GITHUB_SHA": SHA},
        base=stack.env(),
    )


def test_pushes_every_computed_tag_to_both_registries(
    stack: Stack, reg_a: Registry, reg_b: Registry, tmp_path: Path
) -> None:
    repo = repo_name("push")
    ws = workspace(tmp_path, "FROM scratch\nCOPY hello.txt /\n", {"hello.txt": "hello\n"})
    env = tag_event(ws, stack, {
        "images": f"{reg_a.host}/{repo}\n{reg_b.host}/{repo}",
        "tags": "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\n"
                "type=sha",
        "registry-auth": registry_auth(reg_a, reg_b),
        "push": "true",
    })  # fmt: skip
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr

    # metadata-action's rules for a v1.2.3 tag with flavor latest=auto: latest is added.
    expected = ["1.2", "1.2.3", "latest", "sha-860c190"]
    assert reg_a.tags(repo) == expected
    assert reg_b.tags(repo) == expected
    digest = run.outputs["digest"]
    assert digest.startswith("sha256:")
    for reg in (reg_a, reg_b):
        for tag in expected:
            assert reg.manifest_digest(repo, tag) == digest
    assert json.loads(run.outputs["metadata"])["containerimage.digest"] == digest
    assert run.outputs["version"] == "1.2.3"
    assert run.errors() == []
    assert digest in run.summary
    assert_no_secret(run, reg_a.password, reg_b.password)

    assert not Path(run.config_dir).exists()  # removed when the step ended
    assert run.state == {}  # no post step: nothing is saved for one


def test_wrong_password_fails_cleanly_and_pushes_nothing(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    repo = repo_name("badpass")
    ws = workspace(tmp_path, "FROM scratch\nCOPY hello.txt /\n", {"hello.txt": "x\n"})
    wrong = "not-the-password-" + uuid.uuid4().hex
    env = tag_event(ws, stack, {
        "images": f"{reg_a.host}/{repo}", "registry": reg_a.host,
        "username": reg_a.user, "password": wrong, "push": "true",
    })  # fmt: skip
    run = run_action(env)
    assert run.returncode == 1
    errors = run.errors()
    assert len(errors) == 1, run.stdout
    assert reg_a.host in errors[0]
    assert "Traceback" not in run.stderr
    assert "docker buildx build" not in run.stdout  # nothing was built
    assert reg_a.tags(repo) == []
    assert_no_secret(run, wrong)


def test_load_makes_the_image_runnable(stack: Stack, base_image: str, tmp_path: Path) -> None:
    name = f"localhost/{repo_name('load')}"
    ws = workspace(tmp_path, f'FROM {base_image}\nCMD ["echo", "hello from the loaded image"]\n')
    inputs = {"images": name, "tags": "type=raw,value=v1", "load": "true", "push": "false"}
    env = runner_env(ws, inputs, base=stack.env())
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["imageid"].startswith("sha256:")
    done = subprocess.run(
        [str(stack.docker), "run", "--rm", f"{name}:v1"],
        env=stack.env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "hello from the loaded image"


def test_second_build_with_cache_from_reports_cached_steps(
    stack: Stack, reg_a: Registry, base_image: str, tmp_path: Path
) -> None:
    repo = repo_name("cache")
    cache_ref = f"{reg_a.host}/{repo}:buildcache"
    # The RUN output differs on every real execution: a cache hit keeps the first one.
    ws = workspace(tmp_path, f"FROM {base_image}\nRUN cat /proc/sys/kernel/random/uuid > /stamp\n")
    common = {
        "images": f"{reg_a.host}/{repo}", "tags": "type=sha",
        "registry": reg_a.host, "username": reg_a.user, "password": reg_a.password,
        "push": "true",
    }  # fmt: skip
    first = run_action(tag_event(ws, stack, {
        **common, "cache-to": f"type=registry,ref={cache_ref},mode=max",
    }))  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    assert "buildcache" in reg_a.tags(repo)
    # Forget the local build cache, so only the registry cache can make the step CACHED.
    subprocess.run([str(stack.docker), "builder", "prune", "-af"], env=stack.env(),
                   capture_output=True, check=True)  # fmt: skip
    first_layers = image_layers(reg_a, repo, "sha-860c190")
    second = run_action(
        tag_event(ws, stack, {**common, "cache-from": f"type=registry,ref={cache_ref}"})
    )
    assert second.returncode == 0, second.stdout + second.stderr
    run_lines = [line for line in second.stdout.splitlines() if "RUN cat /proc" in line]
    assert run_lines, second.stdout
    step = run_lines[0].split()[0]  # "#6"
    assert f"{step} CACHED" in second.stdout
    assert "importing cache manifest from" in second.stdout
    # The RUN layer (a fresh uuid when really run) is the very blob of the first build.
    assert image_layers(reg_a, repo, "sha-860c190") == first_layers


def test_secrets_reach_the_build_and_no_log_or_output(
    stack: Stack, base_image: str, tmp_path: Path
) -> None:
    value = "inline-secret-" + uuid.uuid4().hex
    file_value = "file-secret-" + uuid.uuid4().hex
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(file_value)
    out = tmp_path / "out"
    dockerfile = (
        f"FROM {base_image} AS check\n"
        "RUN --mount=type=secret,id=INLINE --mount=type=secret,id=FROMFILE "
        "sh -c 'wc -c < /run/secrets/INLINE > /inline-size "
        "&& cat /run/secrets/INLINE /run/secrets/FROMFILE | sha256sum > /digest'\n"
        "FROM scratch\nCOPY --from=check /inline-size /digest /\n"
    )
    ws = workspace(tmp_path, dockerfile)
    env = runner_env(ws, {
        "images": "localhost/bpp-test/secrets",
        "secrets": f"INLINE={value}",
        "secret-files": f"FROMFILE={secret_file}",
        "outputs": f"type=local,dest={out}",
        # BuildKit's cache key holds no secret value: a RUN cached by an earlier run of this
        # test (other values, same length) would show that run's digest.
        "no-cache": "true",
    }, base=stack.env())  # fmt: skip
    run = run_action(env)
    assert run.returncode == 0, run.stdout + run.stderr
    import hashlib  # noqa: PLC0415

    assert (out / "inline-size").read_text().strip() == str(len(value))
    expected = hashlib.sha256((value + file_value).encode()).hexdigest()
    assert (out / "digest").read_text().split()[0] == expected
    assert_no_secret(run, value, file_value)
    assert f"::add-mask ::{value}" in run.stdout


def test_an_input_error_after_the_metadata_waits_for_the_login_and_leaves_nothing(
    stack: Stack, reg_a: Registry, tmp_path: Path
) -> None:
    """The logins start as soon as the inputs are parsed, beside the metadata. An error found
    after the metadata (a push with no image name) is the one error of the step, and the
    clean-up waits for the login, so no credentials stay behind."""
    ws = workspace(tmp_path, "FROM scratch\n")
    env = runner_env(ws, {
        "images": "",
        "push": "true",
        "registry": reg_a.host,
        "username": reg_a.user,
        "password": reg_a.password,
    }, base=stack.env())  # fmt: skip
    run = run_action(env)
    assert run.returncode == 1, run.stdout + run.stderr
    [error] = run.errors()
    assert "images" in error
    assert "Traceback" not in run.stdout + run.stderr
    temp = Path(env["RUNNER_TEMP"])
    assert [p.name for p in temp.iterdir() if p.name.startswith("docker-config-")] == []
    assert_no_secret(run, reg_a.password)
