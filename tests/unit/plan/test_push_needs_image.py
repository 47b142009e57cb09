"""A push needs an image name: bare computed tags would go to docker.io/library/<tag>."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.plan.push import require_image_to_push


@pytest.mark.parametrize(
    ("push", "images", "outputs", "fails"),
    [
        pytest.param(True, [], [], True, id="push-without-images"),
        pytest.param(True, ["ghcr.io/o/app"], [], False, id="push-with-an-image"),
        pytest.param(False, [], [], False, id="build-only"),
        pytest.param(True, [], ["type=image,name=ghcr.io/o/app,push=true"], False,
                     id="output-names-the-image"),
        pytest.param(True, [], ['type=image,"name=ghcr.io/o/a,ghcr.io/o/b"'], False,
                     id="output-names-two-images"),
        pytest.param(True, [], ["type=image,push-by-digest=true,name-canonical=true,push=true"],
                     True, id="push-by-digest-without-images"),
        pytest.param(True, [], ["type=registry"], True, id="registry-output-without-name"),
    ],
)  # fmt: skip
def test_push_needs_an_image_name(
    push: bool, images: list[str], outputs: list[str], fails: bool
) -> None:
    if not fails:
        require_image_to_push(push, images, outputs)
        return
    with pytest.raises(InputError) as caught:
        require_image_to_push(push, images, outputs)
    assert caught.value.input_name == "images"
    assert "docker.io/library/" in caught.value.problem
    assert "images: ghcr.io/${{ github.repository }}" in caught.value.hint
