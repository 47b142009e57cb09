"""Assembles the action image's files from a Python image and the locked wheels, on the build
platform (the Dockerfile runs it; it only reads the target platform's files, never runs them).

``runtime TARGET EXTRA DEPS OUT ARCH``: a Python made for the action from the Python image's
rootfs at TARGET: the interpreter, the extension modules it may load and the shared libraries
that they and the dependencies' extension modules (the output of ``deps`` at DEPS) link
(found in their ELF headers, for ARCH), ``/usr/bin/env`` for the entry
point's ``#!``, the CA bundle, and the standard library as one zip of bytecode in place of
thousands of files, in OUT/python. git's binary (from the .debs unpacked at EXTRA) and the
libraries it links that the Python lacks go to OUT/git.

``deps SITE OUT``: the dependencies installed at SITE, split into OUT/deps.zip (bytecode of the
packages that can be imported from a zip) and OUT/deps (the packages that need real files:
extension modules, data read by path), with checked-hash bytecode beside their sources.

Zips hold every entry with the same time and no compression (the layer is compressed as a
whole, and an import then reads without inflating), in name order: the same input gives the
same bytes.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import py_compile
import shutil
import stat
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

TRIPLETS = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
# The standard library's packages that the action never imports: programs, test kits, GUIs,
# and what the extension modules left out below would need.
STDLIB_SKIP = {
    "site-packages", "dist-packages", "ensurepip", "idlelib", "idle_test", "lib2to3",
    "pydoc_data", "test", "tests", "tkinter", "turtledemo", "venv", "curses", "dbm",
    "sqlite3", "distutils", "lib-dynload",
}  # fmt: skip
# Extension modules left out (with the libraries only they link: ncurses, readline, sqlite,
# gdbm, Berkeley DB): test modules, terminals, databases, audio, NIS.
DYNLOAD_SKIP = (
    "_test", "_xxtestfuzz", "xxlimited", "_ctypes_test", "_xxsubinterpreters", "_curses",
    "readline", "_dbm", "_gdbm", "_sqlite3", "audioop", "nis", "ossaudiodev", "spwd",
    "_tkinter", "_crypt", "_lsprof",
)  # fmt: skip
# Loaded with dlopen, so in no ELF header: glibc needs it to unwind a thread that exits
# during the interpreter's shutdown ("libgcc_s.so.1 must be installed for pthread_exit").
DLOPENED = ("libgcc_s.so.1",)
# Dependencies kept as files: they read their data by path (certifi's CA bundle for requests,
# botocore's service models through os.path).
FILE_PACKAGES = {"certifi", "botocore"}
# What botocore needs of its data for the ECR login: these services' models and the
# top-level files (endpoints, partitions, retry and default configuration).
BOTOCORE_SERVICES = {"ecr", "ecr-public", "sts"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --- ELF headers ------------------------------------------------------------------------------

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NEEDED, DT_STRTAB, DT_RPATH, DT_RUNPATH = 1, 5, 15, 29


def elf_links(data: bytes) -> tuple[str | None, list[str], list[str]]:
    """(program interpreter, DT_NEEDED names, RUNPATH/RPATH entries) of a 64-bit
    little-endian ELF file (amd64, arm64)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic, interp = [], None, None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == PT_INTERP:
            interp = data[p_offset : p_offset + p_filesz].rstrip(b"\0").decode()
    if dynamic is None:
        return interp, [], []  # static
    entries = [struct.unpack_from("<qQ", data, dynamic[0] + at) for at in range(0, dynamic[1], 16)]
    strtab_addr = next(value for tag, value in entries if tag == DT_STRTAB)
    strtab = next(off + strtab_addr - vaddr for vaddr, off, size in loads
                  if vaddr <= strtab_addr < vaddr + size)  # fmt: skip

    def string(offset: int) -> str:
        start = strtab + offset
        return data[start : data.index(b"\0", start)].decode()

    needed = [string(value) for tag, value in entries if tag == DT_NEEDED]
    paths = [p for tag, value in entries if tag in (DT_RPATH, DT_RUNPATH)
             for p in string(value).split(":") if p]  # fmt: skip
    return interp, needed, paths


# --- copying files of a rootfs, with the symbolic links on their way ----------------------------


class Tree:
    """Files copied out of rootfs ``roots`` (the first that has a path wins) into ``out``,
    every symbolic link on a path recreated as it is, so the kernel and the dynamic loader
    find them at the same paths as in the rootfs. ``placed`` is shared between trees: a path
    one tree holds, another leaves out."""

    def __init__(self, roots: Iterable[Path], out: Path, placed: set[str]) -> None:
        self.roots, self.out, self.placed = list(roots), out, placed

    def source(self, path: str) -> Path | None:
        for root in self.roots:
            if os.path.lexists(root / path.lstrip("/")):
                return root / path.lstrip("/")
        return None

    def follow(self, path: str, *, copy: bool = False) -> str:
        """``path`` with every symbolic link on it followed, inside the roots; with ``copy``,
        the links on the way and the file it names are copied."""
        parts = PurePosixPath(posixpath.normpath(path)).parts[1:]
        current = "/"
        for index, part in enumerate(parts):
            current = posixpath.join(current, part)
            found = self.source(current)
            if found is None:
                if copy:
                    raise FileNotFoundError(path)
                return current
            if found.is_symlink():
                link = str(found.readlink())
                if copy:
                    self._place(current, link=link)
                base = posixpath.join(posixpath.dirname(current), link)  # an absolute link wins
                return self.follow(posixpath.join(base, *parts[index + 1 :]), copy=copy)
        if copy:
            self._place(current, source=self.source(current))
        return current

    def exists(self, path: str) -> bool:
        found = self.source(self.follow(path))
        return found is not None and found.is_file()

    def add(self, path: str) -> str:
        """Copy the file at ``path`` and the links that lead to it; its real path."""
        return self.follow(path, copy=True)

    def _place(self, path: str, *, link: str | None = None, source: Path | None = None) -> None:
        if path in self.placed:
            return
        self.placed.add(path)
        dest = self.out / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if link is not None:
            dest.symlink_to(link)
        elif source is not None:
            shutil.copyfile(source, dest)
            dest.chmod(0o755 if source.stat().st_mode & stat.S_IXUSR else 0o644)


def add_with_libraries(
    tree: Tree, paths: Iterable[str], triplet: str, linked_by: Iterable[Path] = ()
) -> None:
    """Copy ``paths`` and, transitively, every library they link, found as the dynamic loader
    finds it: RUNPATH (``$ORIGIN`` too), then the multiarch and /usr/local directories. The
    ELF files ``linked_by`` (outside the rootfs) are not copied, only what they link and no
    file beside them has."""
    system = [f"/lib/{triplet}", f"/usr/lib/{triplet}", "/lib", "/usr/lib", "/usr/local/lib"]

    def libraries(elf: Path, origin: str, here: Callable[[str], bool]) -> Iterator[str]:
        interp, needed, runpath = elf_links(elf.read_bytes())
        if interp:
            yield interp
        dirs = [p.replace("${ORIGIN}", origin).replace("$ORIGIN", origin) for p in runpath]
        for name in needed:
            if any(here(f"{d}/{name}") for d in dirs):
                continue
            where = next((d for d in system if tree.exists(f"{d}/{name}")), None)
            if where is None:
                raise FileNotFoundError(f"{name}, linked by {elf}")
            yield f"{where}/{name}"

    todo = list(paths)
    for elf in linked_by:
        todo += libraries(elf, str(elf.parent), lambda path: Path(path).exists())
    seen = set()
    while todo:
        real = tree.add(todo.pop())
        if real in seen:
            continue
        seen.add(real)
        found = tree.source(real)
        if found is None:
            raise FileNotFoundError(real)
        with found.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        todo += libraries(found, posixpath.dirname(real), tree.exists)


# --- bytecode zips ----------------------------------------------------------------------------


def compile_to(source: Path, shown_as: str) -> bytes:
    """Checked-hash bytecode of ``source``, its tracebacks naming ``shown_as``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.pyc"
        mode = py_compile.PycInvalidationMode.CHECKED_HASH
        py_compile.compile(
            str(source), cfile=str(out), dfile=shown_as, doraise=True, invalidation_mode=mode
        )
        return out.read_bytes()


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]]) -> int:
    """A zip of ``entries`` (name, bytes), stored, in name order, all at one time; the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = sorted(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    path.chmod(0o644)
    return len(items)


def bytecode_entries(
    root: Path, files: Iterable[Path], shown_in: str
) -> Iterator[tuple[str, bytes]]:
    """Zip entries for ``files`` under ``root``: each module as bytecode at ``name.pyc`` (where
    zipimport looks for it), any other file as it is."""
    for path in files:
        name = path.relative_to(root).as_posix()
        if path.suffix == ".py":
            yield name + "c", compile_to(path, f"{shown_in}/{name}")
        else:
            yield name, path.read_bytes()


# --- the runtime ------------------------------------------------------------------------------


def python_prefix(target: Path) -> str:
    """Where the image's Python lives: /usr/local in the official python images, /usr in
    Debian's python3."""
    for prefix in ("/usr/local", "/usr"):
        if (target / prefix.lstrip("/") / "bin/python3.11").exists():
            return prefix
    raise SystemExit(f"no python3.11 in {target}/usr/local/bin or {target}/usr/bin")


def stdlib_files(stdlib: Path) -> Iterator[Path]:
    for path in sorted(stdlib.rglob("*.py")):
        parts = path.relative_to(stdlib).parts
        # Debian links sitecustomize.py to /etc (an apport hook): a link is not the library's.
        # config-3.11-<triplet> holds the build's Makefile and python-config.py.
        if (
            STDLIB_SKIP & set(parts[:-1])
            or parts[0].startswith("config-")
            or path.is_symlink()
            or path.name.startswith(".")
        ):
            continue
        yield path


def runtime(target: Path, extra: Path, deps_dir: Path, out: Path, arch: str) -> None:
    triplet = TRIPLETS[arch]
    prefix = python_prefix(target)
    placed: set[str] = set()
    python = Tree([target], out / "python", placed)
    lib = f"{prefix}/lib/python3.11"
    dynload = sorted(
        f"{lib}/lib-dynload/{p.name}"
        for p in (target / lib.lstrip("/") / "lib-dynload").glob("*.so")
        if not p.name.startswith(DYNLOAD_SKIP)
    )
    dlopened = [
        next(path for d in (f"/lib/{triplet}", f"/usr/lib/{triplet}")
             if python.exists(path := f"{d}/{name}"))
        for name in DLOPENED
    ]  # fmt: skip
    add_with_libraries(
        python,
        [f"{prefix}/bin/python3.11", *dynload, *dlopened, "/usr/bin/env"],
        triplet,
        linked_by=sorted(deps_dir.rglob("*.so")),
    )
    python.add("/etc/ssl/certs/ca-certificates.crt")
    (out / "python" / prefix.lstrip("/") / "bin/python3").symlink_to("python3.11")
    stdlib = target / lib.lstrip("/")
    try:
        count = write_zip(
            out / "python" / prefix.lstrip("/") / "lib/python311.zip",
            bytecode_entries(stdlib, stdlib_files(stdlib), lib),
        )
    except py_compile.PyCompileError as exc:
        raise SystemExit(f"{exc}: not the build platform's Python {sys.version}?") from None
    print(f"python: {prefix}/bin/python3.11, {len(dynload)} extension modules, "
          f"{count} standard library modules in python311.zip")  # fmt: skip
    etc = out / "python/etc"
    (etc / "passwd").write_text("root:x:0:0:root:/root:/sbin/nologin\n")
    (etc / "group").write_text("root:x:0:\n")
    (out / "python/tmp").mkdir(mode=0o1777)
    (out / "python/tmp").chmod(0o1777)

    git = Tree([target, extra], out / "git", placed)
    add_with_libraries(git, ["/usr/bin/git"], triplet)
    # The runner's user owns the mounted workspace, the action runs as root, and git refuses a
    # repository of another user (safe.directory). Two readers need the checkout all the same:
    # buildx (the provenance's vcs:source and vcs:revision) and `meta-context: git`. Every
    # repository this container sees is one of the job's own checkouts. What that check guards
    # against is a repository's .git/config naming programs git starts: the action's own git
    # calls override every such setting (context.py); buildx's read-only calls start none
    # either (its `git show` gets -c log.showSignature=false; only BUILDX_GIT_CHECK_DIRTY adds
    # a `git status`, which starts core.fsmonitor). The command line (`build-push-py`) does not
    # override safe.directory: on a machine of its own, git decides.
    (out / "git/etc").mkdir(parents=True, exist_ok=True)
    (out / "git/etc/gitconfig").write_text("[safe]\n\tdirectory = *\n")


# --- the dependencies -------------------------------------------------------------------------


def top_level(site: Path) -> dict[str, list[Path]]:
    """Files of ``site`` by the top-level name they belong to (a dist-info directory by the
    project name before its version, lower-cased: ``botocore``, ``pygithub``)."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(site.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        head = path.relative_to(site).parts[0]
        name = head.split("-")[0].lower() if head.endswith(".dist-info") else head.split(".")[0]
        groups.setdefault(name, []).append(path)
    return groups


def trim(site: Path) -> None:
    """Delete what the action never loads: console scripts, tests, extension modules that have
    a pure-Python twin (charset_normalizer's) or are optional (PyYAML's libyaml binding),
    botocore's models of other services."""
    for path in sorted(site.rglob("*"), reverse=True):
        rel = path.relative_to(site).parts
        data = rel[:2] == ("botocore", "data")
        if (
            rel[0] == "bin"  # console scripts
            or ("tests" in rel[1:-1] or "test" in rel[1:-1])
            or (path.suffix == ".so" and path.with_name(path.name.split(".")[0] + ".py").exists())
            or rel[0] == "_yaml" or (rel[0] == "yaml" and path.name.startswith("_yaml."))
            or (data and len(rel) > 3 and rel[2] not in BOTOCORE_SERVICES)
        ):  # fmt: skip
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        elif data and len(rel) == 3 and path.is_dir() and rel[2] not in BOTOCORE_SERVICES:
            shutil.rmtree(path)


def deps(site: Path, out: Path) -> None:
    trim(site)
    zipped: list[Path] = []
    files_dir = out / "deps"
    for name, paths in sorted(top_level(site).items()):
        if name in FILE_PACKAGES or any(p.suffix == ".so" for p in paths):
            for path in paths:
                dest = files_dir / path.relative_to(site)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
                dest.chmod(0o755 if path.suffix == ".so" else 0o644)
        else:
            zipped += paths
    kept = sorted({p.relative_to(site).parts[0] for p in zipped if p.suffix == ".py"})
    write_zip(out / "deps.zip", bytecode_entries(site, zipped, "/opt/deps.zip"))
    print(f"deps.zip: {', '.join(kept)}")
    for path in sorted(files_dir.rglob("*.py")):
        cached = Path(importlib.util.cache_from_source(str(path)))
        cached.parent.mkdir(exist_ok=True)
        cached.write_bytes(compile_to(path, "/opt/" + path.relative_to(out).as_posix()))
    print(f"as files: {', '.join(sorted(p.name for p in files_dir.iterdir()))}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["runtime"] and len(argv) == 6:
        runtime(Path(argv[1]), Path(argv[2]), Path(argv[3]), Path(argv[4]), argv[5])
    elif argv[:1] == ["deps"] and len(argv) == 3:
        deps(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
