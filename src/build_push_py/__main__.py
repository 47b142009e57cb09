"""Entry point of the action's step (``entrypoint.py``; ``cli`` runs it too). With ``cli``
the only readers of ``os.environ``.

The action has no post step (action.yml): a container start costs more than the clean-up
it would run. The step removes what it made when it ends, also when it fails or is
cancelled.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType

from . import app, proc
from .errors import ActionError
from .prefetch import RepoLookup
from .runner.workflow import Workflow
from .steps.cleanup import clean_up, remove_secrets
from .steps.job import Job
from .steps.outputs import report_failure

# A process ended by SIGINT, as the shell reports it.
INTERRUPTED = 130


def main(env: Mapping[str, str] | None = None, prefetched: RepoLookup | None = None) -> int:
    """The step, in ``env`` (the process's own by default); ``prefetched``: the repository
    look-up the entry point started."""
    environ = dict(os.environ if env is None else env)
    wf = Workflow(environ)
    job = Job.start(environ, wf, prefetched)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        """SIGINT or SIGTERM: how the runner stops a cancelled step. docker passes both to
        this process, the container's PID 1 (which would ignore SIGTERM without a handler),
        and to nothing else. The credentials and secret files go first, whatever the programs
        do with the signal, passed on to them next; then KeyboardInterrupt, so that the
        clean-up runs. Unlike SystemExit, it does not wait for a program to end."""
        remove_secrets(job)
        proc.interrupt(signum)
        raise KeyboardInterrupt

    try:
        with _signals(interrupt):
            try:
                app.run(job)
            finally:
                # Runs to its end: the runner's SIGTERM comes 7.5 s after its SIGINT.
                with _signals(signal.SIG_IGN):
                    proc.stop()  # a cancelled run's programs: a bounded wait, then killed
                    clean_up(job)
    except ActionError as exc:
        report_failure(wf, exc)
        return 1
    except KeyboardInterrupt:
        wf.info("Interrupted: stopped after removing what the run had made")
        return INTERRUPTED
    finally:
        if prefetched is not None:
            prefetched.close()
    return 0


@contextmanager
def _signals(handler: Callable[[int, FrameType | None], None] | signal.Handlers) -> Iterator[None]:
    """``handler`` for SIGINT and SIGTERM for the block, where signals can be handled (the
    main thread: tests call ``main`` from others too)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


if __name__ == "__main__":
    sys.exit(main())
