"""The login step against a stand-in engine: every login's credentials are checked through
one engine client, so the docker SDK asks the engine's version once, not once per login."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from support.engine import accepting_engine
from support.fakes import FakeRunner

from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse
from build_push_py.runner.workflow import Workflow
from build_push_py.steps import login
from build_push_py.steps.job import Job

REGISTRY_AUTH = """\
- {registry: one.test, username: u1, password: pw-one-xxxxxxxx}
- {registry: two.test, username: u2, password: pw-two-xxxxxxxx}
- {registry: three.test, username: u3, password: pw-three-xxxxxxxx}
"""


@pytest.mark.parametrize("threaded", [False, True], ids=["log_in", "PendingLogin"])
def test_three_logins_ask_the_engine_its_version_once(tmp_path: Path, threaded: bool) -> None:
    requests: list[str] = []
    with accepting_engine(tmp_path / "engine.sock", requests) as host:
        env = {"RUNNER_TEMP": str(tmp_path), "DOCKER_HOST": host}
        out = io.StringIO()
        job = Job(env, Workflow(env, out=out), FakeRunner())
        inp = parse(read_raw({"INPUT_REGISTRY-AUTH": REGISTRY_AUTH}), env)
        config_dir = login.new_config_dir(job, inp)
        if threaded:
            login.PendingLogin(job, inp, config_dir).wait()
        else:
            login.log_in(job, inp, config_dir)

    assert [r for r in requests if r.endswith("/version")] == ["GET /version"]
    assert len([r for r in requests if r.endswith("/auth")]) == 3
    assert len(requests) == 4
    logged = [line for line in out.getvalue().splitlines() if line.startswith("Logged in to")]
    assert logged == [
        "Logged in to one.test as u1",
        "Logged in to two.test as u2",
        "Logged in to three.test as u3",
    ]
    assert (Path(config_dir) / "config.json").is_file()
