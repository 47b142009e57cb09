"""What the action image adds to its Python base, compressed, per layer.

Builds the image from the real Dockerfile with the local stand-ins of
tests/image/action_image.py (Debian's buildx in place of docker/buildx-bin, a debootstrap
bookworm in place of python:3.11-slim), saves it with ``docker save`` and gzips (level 6, as
``gzip`` does) every layer that the base does not have: that is what a runner pulls on top of
a cached base. The budget is for that sum. Each layer's bytecode is also gzipped alone, for
its share.

It does so twice: on the Debian base, whose standard library has its bytecode, and on the
same base without it, as the official python images are (the image then adds the standard
library's bytecode too): that second figure is the one of a release.

Run as root: ``python bench/image_size.py [--budget-mb 35] [--state-dir DIR]``. Exit 1 when
the added layers are over budget on either base.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
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
from image.action_image import (  # noqa: E402
    ACTION_IMAGE,
    build,
    docker_argv,
    python_base_without_bytecode,
)
from stack import Stack  # noqa: E402

MB = 1_000_000
BUDGET_MB = 35.0
# What a layer holds, by the Dockerfile instruction that made it.
COMPONENTS = (
    ("COPY /buildx /usr/local/bin/buildx", "buildx"),
    ("COPY /git/ /", "git"),
    ("COPY /bytecode/ /", "standard library bytecode"),
    ("COPY /opt/deps /opt/deps", "dependencies (locked wheels)"),
    ("COPY /app /app", "our code"),
)


@dataclass(frozen=True)
class Layer:
    diff_id: str
    created_by: str
    size: int
    gzipped: int
    bytecode_gzipped: int  # its .pyc files alone

    @property
    def component(self) -> str:
        return next((name for marker, name in COMPONENTS if marker in self.created_by), "other")


def _unpacked(stream: IO[bytes]) -> IO[bytes] | gzip.GzipFile:
    """A saved layer may already be compressed (the containerd store saves its blobs as they
    are): unpacked, so every layer is measured the same way."""
    stream.seek(0)
    head = stream.read(2)
    stream.seek(0)
    return gzip.GzipFile(fileobj=stream) if head == b"\x1f\x8b" else stream


def gzip_size(stream: IO[bytes]) -> tuple[int, int]:
    """(tar, gzip -6) byte counts of a layer, without keeping the compressed data."""
    source = _unpacked(stream)
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    raw = packed = 0
    while chunk := source.read(1 << 20):
        raw += len(chunk)
        packed += len(compressor.compress(chunk))
    return raw, packed + len(compressor.flush())


def bytecode_gzip_size(stream: IO[bytes]) -> int:
    """gzip -6 byte count of a tar of the layer's .pyc files alone."""
    pycs = io.BytesIO()
    with (
        tarfile.open(fileobj=_unpacked(stream), mode="r|") as layer,
        tarfile.open(fileobj=pycs, mode="w") as out,
    ):
        for member in layer:
            if member.isfile() and member.name.endswith(".pyc"):
                out.addfile(member, layer.extractfile(member))
    pycs.seek(0)
    return gzip_size(pycs)[1]


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
            Layer(diff_id, made, *gzip_size(stream), bytecode_gzip_size(stream))
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
    """A Markdown table: each added layer, its share of the total, the total, the budget."""
    total = sum(layer.gzipped for layer in layers)
    lines = [
        "| layer | tar MB | gzip MB | share | of it bytecode, gzip MB |",
        "|---|---|---|---|---|",
    ]
    for layer in layers:
        lines.append(
            f"| {layer.component} | {layer.size / MB:.1f} | {layer.gzipped / MB:.1f} "
            f"| {100 * layer.gzipped / total:.0f} % | {layer.bytecode_gzipped / MB:.1f} |"
        )
    size = sum(layer.size for layer in layers)
    bytecode = sum(layer.bytecode_gzipped for layer in layers)
    lines.append(
        f"| **added in all** | {size / MB:.1f} | **{total / MB:.1f}** | 100 % "
        f"| {bytecode / MB:.1f} |"
    )
    lines.append(f"| budget | | {budget_mb:.1f} | | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-mb", type=float, default=BUDGET_MB)
    parser.add_argument("--state-dir", type=Path, default=stack_lib.DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)
    within = True
    with stack_lib.session(args.state_dir) as running:
        images = [
            ("Debian's python3 (standard library with bytecode)", build(running)),
            ("the same without the standard library's bytecode, as python:3.11-slim",
             build(running, ACTION_IMAGE + "-nopyc", base=python_base_without_bytecode(running))),
        ]  # fmt: skip
        buildx = subprocess.run(
            [*docker_argv(running), "run", "--rm", "--entrypoint", "/usr/local/bin/buildx",
             images[0][1].ref, "version"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        print(f"buildx in the image: {buildx or 'unknown'}")
        for title, image in images:
            layers = added_layers(running, image.ref, image.python_base)
            base_total = base_size(running, image.python_base)
            print(
                f"\n{image.tag} on {title}, {image.python_base} ({base_total / MB:.1f} MB gzip):\n"
            )
            print(table(layers, args.budget_mb))
            within &= sum(la.gzipped for la in layers) <= args.budget_mb * MB
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
