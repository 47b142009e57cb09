#!/usr/bin/env python3
"""Container entry point of the action (main and post step)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from build_push_py.__main__ import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
