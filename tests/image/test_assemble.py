"""image/assemble.py's parts that need no image: the ELF reader, the copy of a rootfs' files
with the links on their way, the zips, and what it keeps of the dependencies."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "image"))

import assemble

# An ELF file every Linux test machine has, that links libc.
HOST_ELF = Path(shutil.which("ls") or "/bin/ls").resolve()


def test_elf_links_reads_the_interpreter_and_the_libraries_of_a_program() -> None:
    interp, needed, _ = assemble.elf_links(HOST_ELF.read_bytes())

    assert interp is not None
    assert interp.startswith("/lib")
    assert "libc.so.6" in needed


def test_elf_links_refuses_what_is_not_elf() -> None:
    with pytest.raises(ValueError, match="ELF"):
        assemble.elf_links(b"#!/bin/sh\necho not a program\n")


def test_a_tree_copies_the_links_on_a_path_and_the_file_they_name(tmp_path: Path) -> None:
    # the merged-/usr layout of Debian: /lib -> usr/lib, and a library's soname a link
    root, out = tmp_path / "root", tmp_path / "out"
    lib = root / "usr/lib/x86_64-linux-gnu"
    lib.mkdir(parents=True)
    (lib / "libz.so.1.2.13").write_bytes(b"zlib")
    (lib / "libz.so.1").symlink_to("libz.so.1.2.13")
    (root / "lib").symlink_to("usr/lib")
    tree = assemble.Tree([root], out, set())

    real = tree.add("/lib/x86_64-linux-gnu/libz.so.1")

    assert real == "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"
    assert (out / "lib").readlink() == Path("usr/lib")
    assert (out / "usr/lib/x86_64-linux-gnu/libz.so.1").readlink() == Path("libz.so.1.2.13")
    assert (out / real.lstrip("/")).read_bytes() == b"zlib"
    # a second tree sharing what is placed leaves out what the first one has
    other = assemble.Tree([root], tmp_path / "other", tree.placed)
    other.add("/lib/x86_64-linux-gnu/libz.so.1")
    assert not (tmp_path / "other").exists()


def test_the_same_files_give_the_same_zip(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg/__init__.py").write_text("VALUE = 1\n")
    (site / "pkg/data.txt").write_text("data\n")
    files = sorted(p for p in site.rglob("*") if p.is_file())

    first = tmp_path / "first.zip"
    assemble.write_zip(first, assemble.bytecode_entries(site, files, "/opt/deps.zip"))
    (site / "pkg/__init__.py").touch()  # a newer time, as in another checkout
    second = tmp_path / "second.zip"
    assemble.write_zip(second, assemble.bytecode_entries(site, files, "/opt/deps.zip"))

    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["pkg/__init__.pyc", "pkg/data.txt"]
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}


def test_deps_zips_what_it_can_and_keeps_as_files_what_needs_them(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    files = {
        "requests/__init__.py": "",
        "requests/tests/test_x.py": "",
        "bin/normalizer": "",
        "regex/__init__.py": "",
        "regex/_regex.cpython-311-x86_64-linux-gnu.so": "",
        "charset_normalizer/md.py": "",
        "charset_normalizer/md.cpython-311-x86_64-linux-gnu.so": "",
        "yaml/__init__.py": "",
        "yaml/_yaml.cpython-311-x86_64-linux-gnu.so": "",
        "_yaml/__init__.py": "",
        "certifi/__init__.py": "",
        "certifi/cacert.pem": "",
        "botocore/__init__.py": "",
        "botocore/data/endpoints.json": "{}",
        "botocore/data/ecr/2015-09-21/service-2.json.gz": "",
        "botocore/data/sts/2011-06-15/service-2.json.gz": "",
        "botocore/data/ec2/2016-11-15/service-2.json.gz": "",
        "botocore-1.44.18.dist-info/METADATA": "",
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)

    assemble.deps(site, out)

    with zipfile.ZipFile(out / "deps.zip") as archive:
        assert archive.namelist() == [
            "charset_normalizer/md.pyc", "requests/__init__.pyc", "yaml/__init__.pyc",
        ]  # fmt: skip
    kept = sorted(p.relative_to(out / "deps").as_posix() for p in (out / "deps").rglob("*")
                  if p.is_file())  # fmt: skip
    assert kept == [
        "botocore-1.44.18.dist-info/METADATA",
        "botocore/__init__.py",
        "botocore/__pycache__/__init__.cpython-311.pyc",
        "botocore/data/ecr/2015-09-21/service-2.json.gz",
        "botocore/data/endpoints.json",
        "botocore/data/sts/2011-06-15/service-2.json.gz",
        "certifi/__init__.py",
        "certifi/__pycache__/__init__.cpython-311.pyc",
        "certifi/cacert.pem",
        "regex/__init__.py",
        "regex/__pycache__/__init__.cpython-311.pyc",
        "regex/_regex.cpython-311-x86_64-linux-gnu.so",
    ]
