"""Shared bits of the benchmarks: timing a command, medians, a table."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence


def time_command(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> float:
    """Seconds from process start to exit; the command must succeed."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), env=dict(env), cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed:\n{done.stdout.decode()}\n{done.stderr.decode()}")
    return elapsed


def table(rows: Sequence[tuple[str, Sequence[float]]], unit: str = "ms") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    lines = [f"| what | runs | median {unit} | min {unit} | max {unit} |", "|---|---|---|---|---|"]
    for name, samples in rows:
        lines.append(
            f"| {name} | {len(samples)} | {statistics.median(samples) * scale:.0f} "
            f"| {min(samples) * scale:.0f} | {max(samples) * scale:.0f} |"
        )
    return "\n".join(lines)
