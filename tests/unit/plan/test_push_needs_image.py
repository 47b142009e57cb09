"""A push needs an image name: bare computed tags would go to docker.io/library/<tag>."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.attributes import Attributes
from build_push_py.plan.push import require_image_to_push


def _read(outputs: list[str]) -> list[Attributes]:
    return [Attributes.read("outputs", output) for output in outputs]


@pytest.mark.parametrize(
    ("push", "images", "outputs"),
    [
        pytest.param(True, ["ghcr.io/o/app"], [], id="push-with-an-image"),
        pytest.param(False, [], [], id="build-only"),
        pytest.param(True, [], ["type=image,name=ghcr.io/o/app,push=true"],
                     id="output-names-the-image"),
        pytest.param(True, [], ['type=image,"name=ghcr.io/o/a,ghcr.io/o/b"'],
                     id="output-names-two-images"),
    ],
)  # fmt: skip
def test_a_push_with_an_image_name_passes(
    push: bool, images: list[str], outputs: list[str]
) -> None:
    require_image_to_push(push, images, _read(outputs))  # raises nothing


@pytest.mark.parametrize(
    ("images", "outputs"),
    [
        pytest.param([], [], id="push-without-images"),
        pytest.param([], ["type=image,push-by-digest=true,name-canonical=true,push=true"],
                     id="push-by-digest-without-images"),
        pytest.param([], ["type=registry"], id="registry-output-without-name"),
    ],
)  # fmt: skip
def test_a_push_without_an_image_name_fails(images: list[str], outputs: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        require_image_to_push(True, images, _read(outputs))
    assert caught.value.input_name == "images"
    assert "docker.io/library/" in caught.value.problem
    assert "images: ghcr.io/${{ github.repository }}" in caught.value.hint
