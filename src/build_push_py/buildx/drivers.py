"""A builder made for the job on a BuildKit that is not the engine's: ``driver``,
``endpoint``, ``driver-opts`` and the TLS material of the ``remote`` driver.

Pure: the inputs are checked by ``inputs.driver``; ``create_argv`` gives the ``docker buildx
create`` command; writing the TLS files and running buildx live in ``steps.builder``. The clean-up
removes the builder again (``buildx rm`` forgets a remote builder; the daemon keeps running).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..command import buildx
from ..inputs.driver import BuilderSpec, Driver
from .builder import BUILDKITD_FLAGS


def tls_driver_opts(spec: BuilderSpec, files: Mapping[str, str]) -> list[str]:
    """``cacert=PATH`` ...: the given path, or for PEM text the file it was written to
    (``files``: option -> path)."""
    return [f"{t.option}={files[t.option] if t.is_pem else t.value}" for t in spec.tls]


def buildkit_image_of(spec: BuilderSpec, buildkit_image: str) -> tuple[str, str] | None:
    """The BuildKit image a builder of ``spec`` runs and the input that names it (an
    ``image=`` in ``driver-opts`` wins over ``buildkit-image``), or None for a driver that
    runs no image of ours (remote, cloud)."""
    if spec.driver not in (Driver.DOCKER_CONTAINER, Driver.KUBERNETES):
        return None
    for opt in spec.driver_opts:
        if opt.startswith("image="):
            return opt.removeprefix("image="), "driver-opts"
    return buildkit_image, "buildkit-image"


def image_to_pull(spec: BuilderSpec, buildkit_image: str) -> tuple[str, str] | None:
    """The image the local engine pulls before the builder is created (setup-buildx-action
    v4.4): a ``docker-container`` builder's, unless ``endpoint`` names another engine; a
    kubernetes builder's image is pulled by the cluster."""
    if spec.driver is not Driver.DOCKER_CONTAINER or spec.endpoint:
        return None
    return buildkit_image_of(spec, buildkit_image)


def create_argv(
    name: str, spec: BuilderSpec, buildkit_image: str, tls_files: Mapping[str, str]
) -> list[str]:
    """``docker buildx create`` for ``spec``; the argument order of setup-buildx-action."""
    argv = buildx("create")
    argv.add_opt("--name", name)
    argv.add_opt("--driver", spec.driver.value)
    image = buildkit_image_of(spec, buildkit_image)
    if image is not None and image[1] == "buildkit-image":
        argv.add_opt("--driver-opt", f"image={buildkit_image}")
    argv.add_many("--driver-opt", spec.driver_opts)
    argv.add_many("--driver-opt", tls_driver_opts(spec, tls_files))
    # A remote or cloud BuildKit is not ours to start: buildx refuses daemon flags for it.
    argv.add_opt("--buildkitd-flags", BUILDKITD_FLAGS if image is not None else None)
    if spec.endpoint:
        argv.append(spec.endpoint)
    return argv
