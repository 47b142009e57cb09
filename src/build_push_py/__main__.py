"""Entry point: the one place that turns errors into an ``::error::`` line and exit 1."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from . import app, workflow
from .errors import ActionError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the action's main step, or its post step with ``["post"]`` (``post.py``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ
    try:
        if args[:1] == ["post"]:
            app.post(env)
        else:
            app.run(env)
    except ActionError as exc:
        workflow.error(str(exc))
        workflow.summary(f"### build-push-py failed\n\n{exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
