"""``digests-dir`` on disk: the build job writes its digest file there and the merge job reads
them, both only inside the workspace (a symlink or ``..`` must not lead out of it)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fakes import FakeRunner

from build_push_py.buildx.argv import RunFacts
from build_push_py.buildx.version import BuildxVersion
from build_push_py.errors import InputError
from build_push_py.inputs.table import read_raw
from build_push_py.metadata import Meta
from build_push_py.plan.cache import CachePlan
from build_push_py.plan.inputs import parse
from build_push_py.plan.plan import Plan
from build_push_py.runner.env import RunnerEnv
from build_push_py.runner.workflow import Workflow
from build_push_py.steps.build import build_and_push
from build_push_py.steps.job import Job
from build_push_py.steps.merge import read_digests_dir, record_digest

HEX = "0123456789abcdef" * 4
DIGEST = f"sha256:{HEX}"

# Each case lays out the disk under tmp_path and gives the digests-dir input for it; the
# workspace is tmp_path/"work".
Layout = Callable[[Path], str]


def _relative(root: Path) -> str:
    return "digests"


def _absolute_inside(root: Path) -> str:
    return str(root / "work" / "out" / "digests")


def _link_inside(root: Path) -> str:
    (root / "work" / "real").mkdir()
    (root / "work" / "digests").symlink_to(root / "work" / "real")
    return "digests"


def _workspace_is_a_link(root: Path) -> str:
    """GITHUB_WORKSPACE itself a symlink: what is inside it stays inside."""
    (root / "work").rename(root / "real-work")
    (root / "work").symlink_to(root / "real-work")
    return "digests"


def _dotdot(root: Path) -> str:
    return "../outside"


def _absolute_outside(root: Path) -> str:
    return str(root / "outside")


def _link_out(root: Path) -> str:
    (root / "outside").mkdir()
    (root / "work" / "digests").symlink_to(root / "outside")
    return "digests"


def _link_out_below(root: Path) -> str:
    (root / "outside").mkdir()
    (root / "work" / "out").symlink_to(root / "outside")
    return "out/digests"


INSIDE = [
    pytest.param(_relative, id="relative"),
    pytest.param(_absolute_inside, id="absolute-in-the-workspace"),
    pytest.param(_link_inside, id="symlink-within-the-workspace"),
    pytest.param(_workspace_is_a_link, id="workspace-is-a-symlink"),
]
OUTSIDE = [
    pytest.param(_dotdot, id="dot-dot"),
    pytest.param(_absolute_outside, id="absolute-outside"),
    pytest.param(_link_out, id="symlink-out-of-the-workspace"),
    pytest.param(_link_out_below, id="parent-symlink-out-of-the-workspace"),
]


def _setup(tmp_path: Path, layout: Layout) -> tuple[dict[str, str], str]:
    (tmp_path / "work").mkdir()
    directory = layout(tmp_path)
    return {"GITHUB_WORKSPACE": str(tmp_path / "work")}, directory


def _plan(directory: str) -> Plan:
    inp = parse(read_raw({"INPUT_PUSH-BY-DIGEST": "true", "INPUT_DIGESTS-DIR": directory}))
    meta = Meta(
        version="", partial=(), latest=False, images=("ghcr.io/o/app",), tags=(), tag_names=(),
        labels=(), annotations=(), annotation_levels=(), warnings=(),
    )  # fmt: skip
    return Plan(inp, meta, True, CachePlan([], [], {}, []), RunFacts(), BuildxVersion(0, 21, 0))


def _job(env: dict[str, str], runner: FakeRunner | None = None) -> Job:
    return Job(env, Workflow(env, out=io.StringIO()), runner or FakeRunner())


def _record(env: dict[str, str], directory: str) -> None:
    record_digest(_job(env), _plan(directory), DIGEST)


@pytest.mark.parametrize("layout", INSIDE)
def test_digest_file_is_written_and_read_inside_the_workspace(
    tmp_path: Path, layout: Layout
) -> None:
    env, directory = _setup(tmp_path, layout)
    _record(env, directory)
    assert read_digests_dir(directory, RunnerEnv.from_env(env)) == (DIGEST,)
    assert [p.name for p in (tmp_path / "work").rglob(HEX)]


@pytest.mark.parametrize("layout", OUTSIDE)
def test_digest_file_is_not_written_outside_the_workspace(tmp_path: Path, layout: Layout) -> None:
    env, directory = _setup(tmp_path, layout)
    with pytest.raises(InputError, match=r"outside the workspace") as caught:
        _record(env, directory)
    assert caught.value.input_name == "digests-dir"
    assert not list(tmp_path.rglob(HEX))


@pytest.mark.parametrize("layout", OUTSIDE)
def test_the_build_fails_before_it_pushes(tmp_path: Path, layout: Layout) -> None:
    env, directory = _setup(tmp_path, layout)
    runner = FakeRunner()
    with pytest.raises(InputError, match=r"outside the workspace"):
        build_and_push(_job(env, runner), _plan(directory), str(tmp_path))
    assert runner.calls == []


@pytest.mark.parametrize("layout", OUTSIDE)
def test_digests_are_not_read_from_outside_the_workspace(tmp_path: Path, layout: Layout) -> None:
    env, directory = _setup(tmp_path, layout)
    there = (Path(env["GITHUB_WORKSPACE"]) / directory).resolve()
    there.mkdir(parents=True, exist_ok=True)
    (there / HEX).touch()  # a digest file the merge would take
    with pytest.raises(InputError, match=r"outside the workspace") as caught:
        read_digests_dir(directory, RunnerEnv.from_env(env))
    assert caught.value.input_name == "digests-dir"
