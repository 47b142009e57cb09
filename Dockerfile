# The action's image: a Python made for the action (the interpreter, the shared libraries it
# links, the standard library as one zip of bytecode), the locked dependencies (bytecode, in a
# zip where they can be imported from one), a standalone buildx and git's binary. No shell, no
# package manager, no docker CLI: what a runner pulls in every job is what the action runs.
# Every source is a build argument so the image can also be built from local stand-ins
# (tests/image/action_image.py builds it from a debootstrap base, the host's buildx, wheels and
# .debs downloaded beforehand).
#
# Only the last stage runs on the target platform, and it only copies: the stages that run
# anything run on the build platform and read the target's files (bytecode, .debs and ELF
# headers do not depend on the machine that reads them), so an arm64 image needs no emulation.
# image/assemble.py does the assembling; see it for what is kept and why. The bytecode holds a
# hash of its source, not a time, and the zips hold fixed times in name order: with
# SOURCE_DATE_EPOCH and the image exporter's rewrite-timestamp=true (which sets every file's
# time), the same inputs give the same image, byte for byte (tests/image checks it).
#
# Layers go from the largest and least often changed to the smallest and most often changed
# (buildx, Python, git, dependencies, our code), so that successive releases share the first
# ones and a runner that has a layer does not pull it again.
#
# The digests pin the multi-arch indexes of the tags named beside them; refresh with
# `docker buildx imagetools inspect IMAGE:TAG`.
# buildx 0.29.1 is the release the test stack runs (Debian's docker-buildx). Its digest is not
# pinned yet: it could not be looked up where this was changed (no Docker Hub there, and no
# public reference names it). Pin it with the command above before the next release.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b
ARG BUILDX_IMAGE=docker/buildx-bin:0.29.1

FROM ${BUILDX_IMAGE} AS buildx

# The target platform's Python. Never run: the stages below only read its files through bind
# mounts.
FROM ${PYTHON_IMAGE} AS python

# git and the libraries its binary links, for the target architecture, from the target's
# Debian release, unpacked in /extra. git is there for buildx: it runs `git` on the build
# context to record the source and revision in the provenance (without git it logs "current
# commit information was not captured by the build"); buildx runs only local git commands, so
# git's http helpers (curl, GnuTLS) stay out. APT_OFFLINE=1 takes the .debs from ./debs of the
# build context (`apt-get download` them beforehand) instead of the Debian mirror.
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS debs
ARG TARGETARCH
ARG APT_OFFLINE=
ARG GIT_DEBS="git zlib1g libpcre2-8-0"
COPY deb[s] /tmp/debs/
RUN set -eu; \
    mkdir -p /tmp/debs /extra; cd /tmp/debs; \
    if [ -z "$APT_OFFLINE" ]; then \
      dpkg --add-architecture "$TARGETARCH"; \
      apt-get update -qq; \
      apt-get download -qq $(for p in $GIT_DEBS; do echo "$p:$TARGETARCH"; done); \
    fi; \
    for pkg in $GIT_DEBS; do dpkg-deb -x "$pkg"_*_"$TARGETARCH".deb /extra; done


# Dependencies, installed for the target platform: only prebuilt wheels, checked against the
# lock file's hashes, then split into /out/deps.zip and /out/deps (what needs real files).
# Offline builds put the wheels in ./wheels (the glob below copies it only when present).
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS deps
ARG TARGETARCH
ARG PIP_NO_INDEX=
COPY requirements.lock wheel[s] /tmp/deps/
RUN --mount=type=bind,source=image/assemble.py,target=/assemble.py \
    case "$TARGETARCH" in \
      amd64) arch=x86_64 ;; \
      arm64) arch=aarch64 ;; \
      *) echo "unsupported TARGETARCH=$TARGETARCH" >&2; exit 1 ;; \
    esac \
 && PIP_NO_INDEX="$PIP_NO_INDEX" python3 -m pip install --no-cache-dir --no-compile \
      --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
      --platform "manylinux_2_28_$arch" --platform "manylinux2014_$arch" \
      --python-version 3.11 --implementation cp \
      --find-links /tmp/deps --target /tmp/site -r /tmp/deps/requirements.lock \
 && python3 /assemble.py deps /tmp/site /out

# The Python and git trees (/out/python, /out/git), from the target's files; the Python has
# the libraries that the dependencies' extension modules link too.
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS runtime
ARG TARGETARCH
RUN --mount=type=bind,from=python,target=/target \
    --mount=type=bind,from=debs,source=/extra,target=/extra \
    --mount=type=bind,from=deps,source=/out,target=/deps \
    --mount=type=bind,source=image/assemble.py,target=/assemble.py \
    python3 /assemble.py runtime /target /extra /deps /out "$TARGETARCH"

# Our code, compiled to checked-hash bytecode beside its source (tracebacks show our lines),
# not entrypoint.py: a script run as __main__ never reads its own bytecode.
FROM --platform=$BUILDPLATFORM ${PYTHON_IMAGE} AS app
COPY entrypoint.py /app/
COPY src/build_push_py /app/src/build_push_py
RUN python3 -m compileall -q --invalidation-mode checked-hash /app/src

FROM scratch
COPY --from=buildx /buildx /usr/local/bin/buildx
COPY --from=runtime /out/python/ /
COPY --from=runtime /out/git/ /
COPY --from=deps /out/ /opt/
COPY --from=app /app /app
# SSL_CERT_FILE: OpenSSL's default place for CAs is a directory of hash links, which the image
# does not have; Python's ssl and buildx (Go) read the bundle from this variable.
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/opt/deps:/opt/deps.zip \
    BUILDX_BIN=/usr/local/bin/buildx
# The runner needs the action to run as root (it owns the mounted workspace and files).
USER 0:0
ENTRYPOINT ["/app/entrypoint.py"]
