"""Entry point of the action: the main step, or the post step with ``["post"]`` (``post.py``).
With ``cli`` the only readers of ``os.environ``."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from . import app
from .errors import ActionError
from .runner.workflow import Workflow
from .steps.job import Job
from .steps.outputs import report_failure
from .steps.post import post


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if env is None else env)
    wf = Workflow(environ)
    job = Job.start(environ, wf)
    try:
        if args[:1] == ["post"]:
            post(job)
        else:
            app.run(job)
    except ActionError as exc:
        report_failure(wf, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
