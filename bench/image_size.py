"""What the action image adds to its Python base, compressed, per component.

Builds the image from the real Dockerfile with the local stand-ins of
tests/image/action_image.py (Debian's buildx in place of docker/buildx-bin, a debootstrap
bookworm in place of python:3.11-slim), saves it with ``docker save`` and gzips (level 6, as
``gzip`` does) every layer that the base does not have: that is what a runner pulls on top of
a cached base. The budget is for that sum.

Run as root: ``python bench/image_size.py [--budget-mb 45] [--state-dir DIR]``. Exit 1 when
the added layers are over budget.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import stack as stack_lib  # noqa: E402 - needs the path above
from image.action_image import build, docker_argv  # noqa: E402
from stack import Stack  # noqa: E402

MB = 1_000_000
# Which component a layer belongs to, by the Dockerfile instruction that made it.
COMPONENTS = (
    ("/usr/local/bin/buildx", "buildx"),
    ("/opt/deps", "deps (locked wheels)"),
    ("/app/entrypoint.py", "our code"),
    ("/app/src/build_push_py", "our code"),
)


@dataclass(frozen=True)
class Layer:
    diff_id: str
    created_by: str
    size: int
    gzipped: int

    @property
    def component(self) -> str:
        return next((name for marker, name in COMPONENTS if marker in self.created_by), "other")


def gzip_size(stream: IO[bytes]) -> tuple[int, int]:
    """(tar, gzip -6) byte counts of a layer, without keeping the compressed data. A saved
    layer may already be compressed (the containerd store saves its blobs as they are): it is
    unpacked first, so every layer is measured the same way."""
    head = stream.read(2)
    stream.seek(0)
    source: IO[bytes] | gzip.GzipFile = (
        gzip.GzipFile(fileobj=stream) if head == b"\x1f\x8b" else stream
    )
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    raw = packed = 0
    while chunk := source.read(1 << 20):
        raw += len(chunk)
        packed += len(compressor.compress(chunk))
    return raw, packed + len(compressor.flush())


@contextlib.contextmanager
def saved_layers(stack: Stack, ref: str) -> Iterator[list[tuple[str, str, IO[bytes]]]]:
    """``docker save`` of ``ref``: (diff id, instruction that made it, tar stream) per layer."""
    with tempfile.TemporaryDirectory(prefix="image-size-") as tmp:
        archive = Path(tmp) / "image.tar"
        subprocess.run(
            [*docker_argv(stack), "image", "save", "--output", str(archive), ref], check=True
        )
        with tarfile.open(archive) as tar:
            entry = json.load(_member(tar, "manifest.json"))[0]
            config = json.load(_member(tar, entry["Config"]))
            history = [h for h in config["history"] if not h.get("empty_layer")]
            ids = config["rootfs"]["diff_ids"]
            assert len(history) == len(ids) == len(entry["Layers"])
            yield [
                (diff_id, made.get("created_by", ""), _member(tar, path))
                for diff_id, made, path in zip(ids, history, entry["Layers"], strict=True)
            ]


def added_layers(stack: Stack, ref: str, base: str) -> list[Layer]:
    """The layers of ``ref`` missing from ``base``."""
    with saved_layers(stack, base) as layers:
        base_ids = {diff_id for diff_id, _, _ in layers}
    with saved_layers(stack, ref) as layers:
        return [
            Layer(diff_id, made, *gzip_size(stream))
            for diff_id, made, stream in layers
            if diff_id not in base_ids
        ]


def base_size(stack: Stack, base: str) -> int:
    with saved_layers(stack, base) as layers:
        return sum(gzip_size(stream)[1] for _, _, stream in layers)


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    handle = tar.extractfile(name)
    assert handle is not None, name
    return handle


def table(layers: Sequence[Layer], budget_mb: float) -> str:
    per: dict[str, tuple[int, int]] = {}
    for layer in layers:
        size, packed = per.get(layer.component, (0, 0))
        per[layer.component] = (size + layer.size, packed + layer.gzipped)
    total = sum(layer.gzipped for layer in layers)
    rows = [
        (name, f"{size / MB:.1f}", f"{packed / MB:.1f}") for name, (size, packed) in per.items()
    ]
    rows.append(("total added", f"{sum(la.size for la in layers) / MB:.1f}", f"{total / MB:.1f}"))
    rows.append(("budget", "", f"{budget_mb:.1f}"))
    header = ("component", "tar MB", "gzip MB")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [
        "  ".join(
            cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)
        )
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-mb", type=float, default=45.0)
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)
    with stack_lib.session(args.state_dir) as running:
        image = build(running)
        layers = added_layers(running, image.ref, image.python_base)
        base_total = base_size(running, image.python_base)
        buildx = subprocess.run(
            [*docker_argv(running), "run", "--rm", "--entrypoint", "/usr/local/bin/buildx",
             image.ref, "version"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    print(f"image {image.ref} on {image.python_base} (base itself: {base_total / MB:.1f} MB gzip)")
    print(f"buildx in the image: {buildx or 'unknown'}")
    print(table(layers, args.budget_mb))
    return 0 if sum(la.gzipped for la in layers) <= args.budget_mb * MB else 1


if __name__ == "__main__":
    sys.exit(main())
