"""The repository look-up that the entry point forks before importing the action: it
answers what the in-process look-up would, only for what it looked up, and leaves no child.

Each case runs in a subprocess of its own (a fork of pytest itself would copy its threads),
against a local stand-in for the API."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from image.action_image import MOCK_REPOSITORY, mock_github_api, serving
from support.http import reply_json

from build_push_py import github_api, github_repo, prefetch
from build_push_py.context import GitHubContext
from build_push_py.metadata.repo import facts_without_api

SRC = Path(__file__).resolve().parents[2] / "src"
REPOSITORY = str(MOCK_REPOSITORY["full_name"])
TOKEN = "not-a-real-token"

# Starts the look-up from its environment, then asks for the key in argv[2]; prints the
# answer, whether PyGithub was imported here, and whether a child is left. LOOKUP_LIMIT is
# the look-up's limit, ASK_AFTER the seconds before it asks for the answer. With a third
# argument, a KeyboardInterrupt (what a cancel raises in the run) ends the wait for the answer
# after that many seconds, and the run closes the look-up as __main__.main's clean-up does.
DRIVER = """
import json, os, signal, sys, time
sys.path.insert(0, sys.argv[1])
from build_push_py import prefetch
def interrupt(signum, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGALRM, interrupt)
limit = os.environ.get("LOOKUP_LIMIT")
lookup = prefetch.start(os.environ, float(limit)) if limit else prefetch.start(os.environ)
time.sleep(float(os.environ.get("ASK_AFTER", "0")))
key = json.loads(sys.argv[2])
if len(sys.argv) > 3:
    signal.setitimer(signal.ITIMER_REAL, float(sys.argv[3]))
try:
    answer = lookup.result(*key) if lookup and key else None
except KeyboardInterrupt:
    answer = "interrupted"
if lookup:
    lookup.close()
try:
    os.waitpid(-1, os.WNOHANG)
    left = True
except ChildProcessError:
    left = False
print(json.dumps({"started": lookup is not None, "answer": answer,
                  "github": "github" in sys.modules, "child_left": left}))
"""


def _drive(
    env: dict[str, str], key: list[str] | None, *, interrupt_after: float | None = None
) -> dict[str, object]:
    interrupt = [] if interrupt_after is None else [str(interrupt_after)]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(SRC), json.dumps(key), *interrupt],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stderr == ""  # the child prints nothing, not even to stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    answer: dict[str, object] = json.loads(lines[0])
    return answer


def _env(api: str, repository: str = REPOSITORY, token: str = TOKEN) -> dict[str, str]:
    return {"GITHUB_API_URL": api, "GITHUB_REPOSITORY": repository, "INPUT_GITHUB-TOKEN": token}


def _answering(answer: dict[str, object]) -> type[BaseHTTPRequestHandler]:
    class Answering(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply_json(self, answer)

        def log_message(self, *args: object) -> None:
            pass

    return Answering


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with mock_github_api() as url:
        yield url


def test_the_child_finds_what_the_run_would(api: str) -> None:
    got = _drive(_env(api), [api, REPOSITORY, TOKEN])
    expected = github_repo.repository_fields(api, REPOSITORY, TOKEN)
    assert got["answer"] == expected
    assert expected == {
        "name": "hello-world",
        "description": "This your first repo!",
        "html_url": "https://github.com/octo-org/hello-world",
        "license_spdx_id": "MIT",
        "default_branch": "main",
    }
    assert got["github"] is False  # PyGithub was imported in the child only
    assert got["child_left"] is False


def test_a_failed_look_up_answers_its_warning(api: str) -> None:
    missing = "octo-org/missing"
    got = _drive(_env(api, missing), [api, missing, TOKEN])
    assert got["answer"] == github_repo.repository_fields(api, missing, TOKEN)
    assert str(got["answer"]).startswith(f"Cannot read repository {missing} from {api}: HTTP 404")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(["http://127.0.0.1:9", REPOSITORY, TOKEN], id="another-api"),
        pytest.param(["API", "octo-org/other", TOKEN], id="another-repository"),
        pytest.param(["API", REPOSITORY, "another-token"], id="another-token"),
    ],
)
def test_no_answer_for_what_it_did_not_look_up(api: str, key: list[str]) -> None:
    key = [api if part == "API" else part for part in key]
    got = _drive(_env(api), key)
    assert got["started"] is True
    assert got["answer"] is None
    assert got["child_left"] is False


@pytest.mark.parametrize("missing", ["GITHUB_API_URL", "GITHUB_REPOSITORY", "INPUT_GITHUB-TOKEN"])
def test_nothing_to_look_up_starts_nothing(missing: str) -> None:
    env = _env("http://127.0.0.1:9")
    env[missing] = " " if missing == "INPUT_GITHUB-TOKEN" else ""
    assert prefetch.start(env) is None  # returns before any fork


@contextlib.contextmanager
def _hanging_api() -> Iterator[str]:
    """An API that takes the request and answers only once the test is done with it."""
    release = threading.Event()

    class Hanging(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(30)
            self.send_error(503)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Hanging) as url:
        try:
            yield url
        finally:
            release.set()  # before the server waits for its request's thread


def test_close_stops_a_child_that_still_waits() -> None:
    """The run ended (an input error, say) while the API had not answered."""
    with _hanging_api() as url:
        got = _drive(_env(url), None)
    assert got["started"] is True
    assert got["child_left"] is False


def test_a_cancel_while_waiting_for_the_answer_closes_cleanly() -> None:
    """Cancelled while it waits for the child (the API has not answered): the clean-up's
    close neither fails (the pipe is already closed) nor leaves the child."""
    with _hanging_api() as url:
        got = _drive(_env(url), [url, REPOSITORY, TOKEN], interrupt_after=0.5)
    assert got["answer"] == "interrupted"
    assert got["child_left"] is False


def test_an_answer_of_the_wrong_type_is_the_warning() -> None:
    """PyGithub raises on reading such a field; the child answers the warning instead of
    failing (which would have the run look up again, and raise the same)."""
    with serving(_answering({**MOCK_REPOSITORY, "license": "MIT"})) as url:
        got = _drive(_env(url), [url, REPOSITORY, TOKEN])
    assert got["answer"] == (f"Cannot read repository {REPOSITORY} from {url}: "
                             "the answer's \"license\" is not an object")  # fmt: skip
    assert got["child_left"] is False


# The slow API: its answer, a byte at a time, one every DRIP seconds, for at most DRIPPING
# seconds (then it closes the connection, so that the look-up also ends without its limit).
DRIP = 0.25
DRIPPING = 8.0
LIMIT = 0.5


@contextlib.contextmanager
def _dripping_api() -> Iterator[str]:
    """An API whose answer never ends within a look-up's limit, though each read gets a
    byte well within PyGithub's timeout."""
    done = threading.Event()

    class Dripping(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(MOCK_REPOSITORY).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body[: int(DRIPPING / DRIP)]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if done.wait(DRIP):
                    return

        def log_message(self, *args: object) -> None:
            pass

    with serving(Dripping) as url:
        try:
            yield url
        finally:
            done.set()


def test_the_child_is_waited_for_until_the_limit() -> None:
    with _dripping_api() as url:
        started = time.monotonic()
        got = _drive({**_env(url), "LOOKUP_LIMIT": str(LIMIT)}, [url, REPOSITORY, TOKEN])
        took = time.monotonic() - started
    assert got["answer"] == github_repo.no_answer(f"repository {REPOSITORY}", url, LIMIT)
    assert got["child_left"] is False
    assert took < DRIPPING / 2  # ended by the limit, not by the API


def test_an_answer_in_time_is_taken_when_asked_for_later(api: str) -> None:
    """The run may ask after the limit (a slow login, say): the answer that came is used."""
    env = {**_env(api), "LOOKUP_LIMIT": "1", "ASK_AFTER": "2"}
    got = _drive(env, [api, REPOSITORY, TOKEN])
    assert got["answer"] == github_repo.repository_fields(api, REPOSITORY, TOKEN)


def test_the_look_up_in_process_ends_at_the_limit() -> None:
    """Without a child (no fork, or it looked up something else), and for the commit date."""
    warnings: list[str] = []
    with _dripping_api() as url:
        ctx = GitHubContext(repository=REPOSITORY, api_url=url, sha="a" * 40)
        started = time.monotonic()
        facts = github_api.fetch_repo_facts(ctx, TOKEN, warn=warnings.append, limit=LIMIT)
        date = github_api.fetch_commit_date(ctx, TOKEN, warn=warnings.append, limit=LIMIT)
        took = time.monotonic() - started
    assert facts == facts_without_api(ctx)
    assert date == ""
    commit = f"Cannot read commit {ctx.sha} from {url}: no answer within 0.5 s"
    assert warnings == [github_repo.no_answer(f"repository {REPOSITORY}", url, LIMIT), commit]
    assert took < DRIPPING / 2
