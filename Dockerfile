# The action's image: Python, the locked dependencies, a standalone buildx and git's binary;
# everything compiled to bytecode. Every source is a build argument so the image can also be
# built from local stand-ins (tests/image/action_image.py builds it from a debootstrap base,
# the host's buildx, wheels and .debs downloaded beforehand).
#
# Only the last stage runs on the target platform, and it only copies: the stages that run
# anything run on the build platform (bytecode and .debs do not depend on the machine), so an
# arm64 image needs no emulation. The bytecode holds a hash of its source, not a time, and
# Python 3.11 writes it the same way in every build: with SOURCE_DATE_EPOCH and the image
# exporter's rewrite-timestamp=true (which sets every file's time), the same inputs give the
# same image, byte for byte (tests/image checks it).
#
# The digests pin the multi-arch indexes of the tags named beside them; refresh with
# `docker buildx imagetools inspect IMAGE:TAG`.
# buildx 0.29.1 is the release the test stack runs (Debian's docker-buildx). Its digest is not
# pinned yet: it could not be looked up where this was changed (no Docker Hub there, and no
# public reference names it). Pin it with the command above before the next release.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b
ARG BUILDX_IMAGE=docker/buildx-bin:0.29.1

FROM ${BUILDX_IMAGE} AS buildx

# The target platform's Python. Never run before the last stage: the stages below only read
# its files through bind mounts.
FROM ${PYTHON_IMAGE} AS python

# Dependencies, installed for the target platform: only prebuilt wheels, checked against the
# lock file's hashes. Offline builds put the wheels in ./wheels (the glob below copies it only
# when present). Checked-hash bytecode: validated against the source on import, so it cannot
# go stale, and it holds no timestamp.
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS deps
ARG TARGETARCH
ARG PIP_NO_INDEX=
COPY requirements.lock wheel[s] /tmp/deps/
RUN case "$TARGETARCH" in \
      amd64) arch=x86_64 ;; \
      arm64) arch=aarch64 ;; \
      *) echo "unsupported TARGETARCH=$TARGETARCH" >&2; exit 1 ;; \
    esac \
 && PIP_NO_INDEX="$PIP_NO_INDEX" python3 -m pip install --no-cache-dir --no-compile \
      --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
      --platform "manylinux_2_28_$arch" --platform "manylinux2014_$arch" \
      --python-version 3.11 --implementation cp \
      --find-links /tmp/deps --target /opt/deps -r /tmp/deps/requirements.lock \
 && python3 -m compileall -q --invalidation-mode checked-hash /opt/deps

# Our code, compiled the same way (not entrypoint.py: a script run as __main__ never reads
# its own bytecode).
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS app
COPY entrypoint.py /app/
COPY src/build_push_py /app/src/build_push_py
RUN python3 -m compileall -q --invalidation-mode checked-hash /app/src

# The bytecode the target's standard library lacks (the official python images delete theirs;
# Debian's python3 has it), in /bytecode at the paths it takes in the image. Left out: the
# packages that are programs or test kits, which the action never imports, and site-packages
# (pip, setuptools).
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS stdlib
RUN --mount=type=bind,from=python,target=/target python3 - <<'EOF'
import importlib.util, py_compile, sys, sysconfig
from pathlib import Path

skip = {"site-packages", "dist-packages", "ensurepip", "idlelib", "idle_test", "lib2to3",
        "pydoc_data", "test", "tests", "tkinter", "turtledemo", "unittest", "venv"}
stdlib = Path(sysconfig.get_paths()["stdlib"])
source = Path("/target") / stdlib.relative_to("/")
if not source.is_dir():
    sys.exit(f"the target image has no {stdlib}: not the build platform's Python {sys.version}")
count = 0
for path in sorted(source.rglob("*.py")):
    if skip & set(path.relative_to(source).parts[:-1]) or path.name.startswith("."):
        continue
    cached = Path(importlib.util.cache_from_source(str(path)))
    if cached.exists():
        continue
    inside = "/" / path.relative_to("/target")
    out = "/bytecode" / cached.relative_to("/target")
    try:
        py_compile.compile(str(path), cfile=str(out), dfile=str(inside), doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    except py_compile.PyCompileError as exc:  # not Python 3.11 (a test's data): never imported
        print(f"skipped {inside}: {exc.exc_type_name}")
        continue
    count += 1
Path("/bytecode").mkdir(exist_ok=True)
print(f"{count} modules compiled")
EOF

# git, for buildx: it runs `git` on the build context to record the source and revision in the
# provenance (without git it logs "current commit information was not captured by the build").
# Only /usr/bin/git, for the target architecture, from the target's Debian release; and of the
# libraries it links besides libc (`readelf -d /usr/bin/git`), those the base lacks, all in
# /usr/lib (bookworm merged /lib into it; a COPY must not replace the /lib link). Its http
# helpers (curl, GnuTLS) stay out: buildx runs only local git commands. APT_OFFLINE=1 takes
# the .debs from ./debs of the build context (`apt-get download` them beforehand) instead of
# the Debian mirror.
# The runner's user owns the mounted workspace, the action runs as root, and git refuses a
# repository of another user (safe.directory). Two readers need the checkout all the same:
# buildx (the provenance's vcs:source and vcs:revision) and `meta-context: git` (its ref and
# commit). /etc/gitconfig allows all, as every repository in this container is one of the
# job's own checkouts, under /github/workspace at whatever path actions/checkout put it. What
# that check guards against is a repository's .git/config naming programs git starts: the
# action's own git calls override every such setting (context.py, _NO_PROGRAMS); buildx's
# read-only calls start none either (its `git show` gets -c log.showSignature=false; only
# BUILDX_GIT_CHECK_DIRTY adds a `git status`, which starts core.fsmonitor). The command line
# (`build-push-py`) does not override safe.directory: on a machine of its own, git decides.
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS git
ARG TARGETARCH
ARG APT_OFFLINE=
ARG GIT_LIBS="zlib1g libpcre2-8-0"
COPY deb[s] /tmp/debs/
RUN --mount=type=bind,from=python,target=/target set -eu; \
    mkdir -p /tmp/debs /git/usr/bin /git/etc; cd /tmp/debs; \
    missing=""; \
    for pkg in $GIT_LIBS; do \
      status=$(dpkg-query --admindir=/target/var/lib/dpkg -W -f '${db:Status-Status}' \
               "$pkg:$TARGETARCH" 2>/dev/null || true); \
      [ "$status" = installed ] || missing="$missing $pkg"; \
    done; \
    if [ -z "$APT_OFFLINE" ]; then \
      dpkg --add-architecture "$TARGETARCH"; \
      apt-get update -qq; \
      apt-get download -qq "git:$TARGETARCH" $(for p in $missing; do echo "$p:$TARGETARCH"; done); \
    fi; \
    dpkg-deb -x git_*_"$TARGETARCH".deb /tmp/git-deb; \
    cp /tmp/git-deb/usr/bin/git /git/usr/bin/git; \
    for pkg in $missing; do \
      dpkg-deb -x "$pkg"_*_"$TARGETARCH".deb /tmp/lib; \
      echo "adding $pkg, which the base lacks"; \
    done; \
    for dir in /tmp/lib/lib /tmp/lib/usr/lib; do \
      [ ! -d "$dir" ] || { mkdir -p /git/usr/lib; cp -a "$dir/." /git/usr/lib/; }; \
    done; \
    printf '[safe]\n\tdirectory = *\n' > /git/etc/gitconfig

FROM python
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/opt/deps \
    BUILDX_BIN=/usr/local/bin/buildx
COPY --from=buildx /buildx /usr/local/bin/buildx
COPY --from=git /git/ /
COPY --from=stdlib /bytecode/ /
COPY --from=deps /opt/deps /opt/deps
COPY --from=app /app /app
# The runner needs the action to run as root (it owns the mounted workspace and files).
USER root
ENTRYPOINT ["/app/entrypoint.py"]
