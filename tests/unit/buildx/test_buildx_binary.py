"""Which buildx ``docker buildx`` runs: found as the docker CLI finds its plugin, and run
directly (no docker CLI start per call)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from build_push_py.buildx.commands import buildx_binary, buildx_runner


def _executable(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A docker CLI on PATH, a home and two system plugin directories, all empty."""
    bin_dir = tmp_path / "bin"
    _executable(bin_dir / "docker")
    return {
        "bin": bin_dir,
        "home": tmp_path / "home",
        "usr_local": tmp_path / "usr-local-lib",
        "usr_libexec": tmp_path / "usr-libexec",
    }


def _find(machine: dict[str, Path], **env: str) -> str:
    base = {"PATH": str(machine["bin"]), "HOME": str(machine["home"])}
    dirs = [str(machine["usr_local"]), str(machine["usr_libexec"])]
    return buildx_binary(base | env, dirs)


def test_the_system_plugin_in_the_clis_order(machine: dict[str, Path]) -> None:
    later = _executable(machine["usr_libexec"] / "docker-buildx")
    assert _find(machine) == str(later)
    first = _executable(machine["usr_local"] / "docker-buildx")
    assert _find(machine) == str(first)


def test_the_users_plugin_comes_before_the_system_one(machine: dict[str, Path]) -> None:
    _executable(machine["usr_libexec"] / "docker-buildx")
    users = _executable(machine["home"] / ".docker" / "cli-plugins" / "docker-buildx")
    assert _find(machine) == str(users)


def test_docker_config_and_its_extra_dirs(machine: dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "config"
    in_config = _executable(config / "cli-plugins" / "docker-buildx")
    assert _find(machine, DOCKER_CONFIG=str(config)) == str(in_config)
    extra = _executable(tmp_path / "extra" / "docker-buildx")
    (config / "config.json").write_text(json.dumps({"cliPluginsExtraDirs": [str(extra.parent)]}))
    assert _find(machine, DOCKER_CONFIG=str(config)) == str(extra)


def test_a_broken_config_is_skipped(machine: dict[str, Path], tmp_path: Path) -> None:
    system = _executable(machine["usr_libexec"] / "docker-buildx")
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.json").write_text('{"cliPluginsExtraDirs": "not a list"')
    assert _find(machine, DOCKER_CONFIG=str(config)) == str(system)


def test_not_executable_is_not_a_plugin(machine: dict[str, Path]) -> None:
    _executable(machine["usr_local"] / "docker-buildx", mode=0o644)
    system = _executable(machine["usr_libexec"] / "docker-buildx")
    assert _find(machine) == str(system)


def test_without_a_plugin_or_the_cli_docker_buildx_runs(machine: dict[str, Path]) -> None:
    assert _find(machine) == ""
    _executable(machine["usr_libexec"] / "docker-buildx")
    assert _find(machine, PATH=str(machine["home"])) == ""  # no docker: as `docker buildx`


def test_without_home_or_config_the_working_directory_is_not_searched(
    machine: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout holding ``cli-plugins/docker-buildx`` must not be run."""
    monkeypatch.chdir(tmp_path)
    _executable(tmp_path / "cli-plugins" / "docker-buildx")
    (tmp_path / "config.json").write_text(json.dumps({"cliPluginsExtraDirs": ["."]}))
    system = _executable(machine["usr_libexec"] / "docker-buildx")
    dirs = [str(machine["usr_local"]), str(machine["usr_libexec"])]
    assert buildx_binary({"PATH": str(machine["bin"])}, dirs) == str(system)


def test_buildx_bin_wins(machine: dict[str, Path]) -> None:
    _executable(machine["usr_libexec"] / "docker-buildx")
    assert _find(machine, BUILDX_BIN="/opt/buildx") == "/opt/buildx"


def test_the_runner_runs_the_found_binary(tmp_path: Path) -> None:
    """``docker buildx X`` becomes ``<binary> X``: a script that prints its argv stands in."""
    bin_dir = tmp_path / "bin"
    _executable(bin_dir / "docker")
    plugin = tmp_path / "home" / ".docker" / "cli-plugins" / "docker-buildx"
    plugin.parent.mkdir(parents=True)
    plugin.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv))\n")
    plugin.chmod(0o755)
    run = buildx_runner({"PATH": str(bin_dir), "HOME": str(tmp_path / "home")})
    done = run(["docker", "buildx", "version"], env={"PATH": str(bin_dir)})
    assert json.loads(done.stdout) == [str(plugin), "version"]
