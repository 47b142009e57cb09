"""A builder for the job on another BuildKit: inputs, ``buildx create`` argv per driver, and
its life cycle through a fake runner.

Oracle: docker/setup-buildx-action ``getCreateArgs`` (``create --name N --driver D``, every
driver option, ``--buildkitd-flags`` except for ``remote``, the endpoint last) and its
``auth.ts`` (TLS material as driver options ``cacert``, ``cert``, ``key``, in that order, only
for ``remote`` on ``tcp://``); buildx's remote driver docs (those options are file paths).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support.fakes import FakeRunner

from build_push_py.buildx import commands as buildx
from build_push_py.buildx.builder import BUILDKITD_FLAGS
from build_push_py.buildx.drivers import create_argv
from build_push_py.errors import CommandError, InputError
from build_push_py.inputs.driver import BuilderSpec, Driver, TlsMaterial
from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.steps.builder import create_builder

IMAGE = "moby/buildkit:v0.20.2"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkq\n-----END PRIVATE KEY-----"
ENV = {"PATH": "/usr/bin"}


def inputs(**given: str) -> dict[str, str]:
    return read_raw({"INPUT_" + k.replace("_", "-").upper(): v for k, v in given.items()})


def spec_of(**given: str) -> BuilderSpec | None:
    return parse(inputs(**given)).driver


@pytest.mark.parametrize(
    ("given", "files", "expected"),
    [
        pytest.param(
            {"driver": "remote", "endpoint": "tcp://buildkitd:1234"}, {},
            ["--driver", "remote", "tcp://buildkitd:1234"], id="remote",
        ),
        pytest.param(
            {"driver": "remote", "endpoint": "tcp://buildkitd:1234",
             "tls_cacert": "/certs/ca.pem", "tls_cert": "/certs/cert.pem",
             "tls_key": "/certs/key.pem", "driver_opts": "servername=buildkitd.internal"},
            {},
            ["--driver", "remote", "--driver-opt", "servername=buildkitd.internal",
             "--driver-opt", "cacert=/certs/ca.pem", "--driver-opt", "cert=/certs/cert.pem",
             "--driver-opt", "key=/certs/key.pem", "tcp://buildkitd:1234"],
            id="remote-tls-paths",
        ),
        pytest.param(
            {"driver": "remote", "endpoint": "tcp://buildkitd:1234", "tls_key": PEM_KEY},
            {"key": "/cfg/buildkit-key.pem"},
            ["--driver", "remote", "--driver-opt", "key=/cfg/buildkit-key.pem",
             "tcp://buildkitd:1234"],
            id="remote-tls-pem-goes-by-file",
        ),
        pytest.param(
            {"driver": "remote", "endpoint": "unix:///run/buildkit/buildkitd.sock"}, {},
            ["--driver", "remote", "unix:///run/buildkit/buildkitd.sock"], id="remote-unix",
        ),
        pytest.param(
            {"driver": "docker-container", "driver_opts": "network=host"}, {},
            ["--driver", "docker-container", "--driver-opt", f"image={IMAGE}",
             "--driver-opt", "network=host", "--buildkitd-flags", BUILDKITD_FLAGS],
            id="docker-container",
        ),
        pytest.param(
            {"driver": "docker-container", "driver_opts": "image=mirror/buildkit:v0.21.0"}, {},
            ["--driver", "docker-container", "--driver-opt", "image=mirror/buildkit:v0.21.0",
             "--buildkitd-flags", BUILDKITD_FLAGS],
            id="docker-container-own-image",
        ),
        pytest.param(
            {"driver": "kubernetes", "driver_opts": "namespace=ci\nreplicas=2",
             "endpoint": "my-cluster"}, {},
            ["--driver", "kubernetes", "--driver-opt", f"image={IMAGE}",
             "--driver-opt", "namespace=ci", "--driver-opt", "replicas=2",
             "--buildkitd-flags", BUILDKITD_FLAGS, "my-cluster"],
            id="kubernetes",
        ),
        pytest.param(
            {"driver": "cloud", "endpoint": "acme/ci-builder"}, {},
            ["--driver", "cloud", "acme/ci-builder"], id="cloud",
        ),
    ],
)  # fmt: skip
def test_create_argv(given: dict[str, str], files: dict[str, str], expected: list[str]) -> None:
    spec = spec_of(**given)
    assert spec is not None
    assert create_argv("b1", spec, IMAGE, files) == [
        "docker", "buildx", "create", "--name", "b1", *expected
    ]  # fmt: skip


def test_no_driver_means_no_builder_of_our_own() -> None:
    assert spec_of() is None


def test_pem_is_never_in_repr_and_is_masked() -> None:
    spec = spec_of(driver="remote", endpoint="tcp://b:1", tls_key=PEM_KEY, tls_cacert="/ca.pem")
    assert spec is not None
    assert "MIIB" not in repr(spec)
    assert spec.secret_values == (PEM_KEY,)


@pytest.mark.parametrize(
    ("given", "name", "match"),
    [
        pytest.param({"driver": "docker"}, "driver", "'docker' is unknown; use docker-container",
                     id="driver-not-in-list"),
        pytest.param({"driver": "remote"}, "endpoint", "needs the BuildKit address",
                     id="remote-without-endpoint"),
        pytest.param({"driver": "remote", "endpoint": "buildkitd:1234"}, "endpoint",
                     "not a BuildKit address", id="remote-endpoint-without-scheme"),
        pytest.param({"driver": "remote", "endpoint": "http://buildkitd:1234"}, "endpoint",
                     "not a BuildKit address", id="remote-endpoint-http"),
        pytest.param({"driver": "cloud"}, "endpoint", "ORG/BUILDER_NAME", id="cloud-no-endpoint"),
        pytest.param({"driver": "kubernetes", "endpoint": "--buildkitd-config=/etc/x"},
                     "endpoint", "read as an option", id="kubernetes-endpoint-is-a-flag"),
        pytest.param({"driver": "cloud", "endpoint": "-o/x"}, "endpoint", "read as an option",
                     id="cloud-endpoint-is-a-flag"),
        pytest.param({"endpoint": "tcp://b:1"}, "endpoint", "set driver too",
                     id="endpoint-without-driver"),
        pytest.param({"driver_opts": "network=host"}, "driver-opts", "set driver too",
                     id="driver-opts-without-driver"),
        pytest.param({"tls_key": "/k.pem"}, "tls-key", "driver: remote", id="tls-without-driver"),
        pytest.param({"driver": "kubernetes", "tls_cacert": "/ca.pem"}, "tls-cacert",
                     "driver: remote", id="tls-with-kubernetes"),
        pytest.param({"driver": "remote", "endpoint": "unix:///b.sock", "tls_cert": "/c.pem"},
                     "tls-cert", "tcp://", id="tls-on-unix-socket"),
        pytest.param({"driver": "remote", "endpoint": "tcp://b:1", "tls_cacert": "/ca.pem",
                      "driver_opts": "cacert=/other.pem"}, "tls-cacert", "one place",
                     id="tls-twice"),
        pytest.param({"driver": "docker-container", "driver_opts": "network"}, "driver-opts",
                     "key=value", id="driver-opt-not-key-value"),
        pytest.param({"driver": "docker-container", "builder": "mine"}, "driver", "builder",
                     id="driver-and-builder"),
    ],
)  # fmt: skip
def test_invalid_inputs(given: dict[str, str], name: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        parse(inputs(**given))
    assert caught.value.input_name == name
    assert "MIIB" not in str(caught.value)


def test_builder_life_cycle_with_pem_tls(runner: FakeRunner, tmp_path: Path) -> None:
    runner.on(["docker", "buildx"])
    spec = BuilderSpec(
        Driver.REMOTE, "tcp://buildkitd:1234",
        tls=(TlsMaterial("cacert", "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----"),
             TlsMaterial("key", PEM_KEY)),
    )  # fmt: skip
    name = create_builder(runner, spec, IMAGE, str(tmp_path), ENV)
    buildx.remove_builder(runner, name, ENV)

    key = tmp_path / "buildkit-key.pem"
    assert key.read_text() == PEM_KEY + "\n"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert [c.argv for c in runner.calls] == [
        ["docker", "buildx", "create", "--name", name, "--driver", "remote",
         "--driver-opt", f"cacert={tmp_path / 'buildkit-cacert.pem'}",
         "--driver-opt", f"key={key}", "tcp://buildkitd:1234"],
        ["docker", "buildx", "inspect", "--bootstrap", name],
        ["docker", "buildx", "rm", name],
    ]  # fmt: skip
    assert not any("MIIB" in " ".join(c.argv) for c in runner.calls)


def test_remote_builder_that_cannot_connect_is_removed(runner: FakeRunner, tmp_path: Path) -> None:
    runner.on(["docker", "buildx", "create"])
    runner.on(["docker", "buildx", "inspect"], returncode=1,
              stderr="ERROR: context deadline exceeded")  # fmt: skip
    runner.on(["docker", "buildx", "rm"])
    spec = BuilderSpec(Driver.REMOTE, "tcp://buildkitd:1234")
    with pytest.raises(CommandError, match=r"starting builder .*: context deadline exceeded"):
        create_builder(runner, spec, IMAGE, str(tmp_path), ENV)
    assert runner.calls[-1].argv[:3] == ["docker", "buildx", "rm"]


def test_tls_path_must_exist(runner: FakeRunner, tmp_path: Path) -> None:
    spec = BuilderSpec(Driver.REMOTE, "tcp://b:1", tls=(TlsMaterial("cacert", "/no/ca.pem"),))
    with pytest.raises(InputError, match=r"tls-cacert.*nor the path of an existing file") as e:
        create_builder(runner, spec, IMAGE, str(tmp_path), ENV)
    assert "/no/ca.pem" not in str(e.value)  # a value that is not a path may be a bare key
    assert runner.calls == []
