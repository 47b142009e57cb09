# The action's image: Python, the locked dependencies and a standalone buildx; nothing else.
# Every source is a build argument so the image can also be built from local stand-ins
# (tests/image/action_image.py builds it from a debootstrap base and the host's buildx).
#
# The digests pin the multi-arch indexes of the tags named beside them; refresh with
# `docker buildx imagetools inspect IMAGE:TAG`.
# buildx 0.29.1 is the release the test stack runs (Debian's docker-buildx). Its digest is not
# pinned yet: it could not be looked up where this was changed (no Docker Hub there, and no
# public reference names it). Pin it with the command above before the next release.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b
ARG BUILDX_IMAGE=docker/buildx-bin:0.29.1

FROM ${BUILDX_IMAGE} AS buildx

# Dependencies are installed for the target platform from the build platform, so an arm64
# image needs no emulation: only prebuilt wheels, checked against the lock file's hashes.
# Offline builds put the wheels in ./wheels (the glob below copies it only when present).
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
      --find-links /tmp/deps --target /opt/deps -r /tmp/deps/requirements.lock

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/opt/deps \
    BUILDX_BIN=/usr/local/bin/buildx
COPY --from=buildx /buildx /usr/local/bin/buildx
COPY --from=deps /opt/deps /opt/deps
COPY entrypoint.py post.py /app/
COPY src/build_push_py /app/src/build_push_py
# The runner needs the action to run as root (it owns the mounted workspace and files).
USER root
ENTRYPOINT ["/app/entrypoint.py"]
