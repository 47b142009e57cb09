#!/usr/bin/env python3
"""Container entry point of the action's post step (logout, builder removal).

A file of its own, because act gives a container action's post step no saved state:
the step must know what it is without asking ``STATE_*``.
"""

import sys

from entrypoint import main

if __name__ == "__main__":
    sys.exit(main(["post"]))
