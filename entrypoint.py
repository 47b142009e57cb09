#!/usr/bin/env python3
"""Container entry point of the action's step.

The main step starts the repository look-up (``build_push_py.prefetch``) before it imports
the rest of the action, so that PyGithub's import runs beside that import, not after it.
"""

import os
import sys

# os.path, not pathlib (10 ms to import): the look-up starts as early as it can.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "src"))  # noqa: PTH118, PTH120

from build_push_py import prefetch


def main() -> int:
    lookup = prefetch.start(os.environ)
    from build_push_py.__main__ import main as step  # noqa: PLC0415 - while the look-up runs

    return step(prefetched=lookup)


if __name__ == "__main__":
    sys.exit(main())
