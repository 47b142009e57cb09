"""Whether the build pushes: the ``push`` input, with ``auto`` decided from the event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..errors import InputError
from ..inputs.attributes import Attributes
from ..inputs.build import BuildInputs, PushMode
from ..runner.env import RunnerEnv

# The events ``auto`` pushes on: code that is on a branch or tag of the repository (a tag
# arrives as a push event), or a run someone with write access started. Upstream's default
# is not to push at all, so every other event (pull requests, comments, workflow_run,
# repository_dispatch, events added later) needs ``push: true``.
PUSH_EVENTS = frozenset({"push", "release", "schedule", "workflow_dispatch"})


class PushDecision(NamedTuple):
    push: bool
    reason: str = ""  # why ``auto`` does not push, a line for the log; '' otherwise


def _why_auto_does_not_push(inp: BuildInputs, runner: RunnerEnv) -> str:
    event = runner.event_name
    reasons = (
        (runner.under_act, "under act"),
        (not runner.on_actions, "outside GitHub Actions"),
        (bool(inp.call), f"a build with call: {inp.call}"),
        (bool(inp.outputs), "a build with outputs of its own"),
        (not event, "without an event (GITHUB_EVENT_NAME is empty)"),
        (event not in PUSH_EVENTS, f"on {event} events"),
    )
    return next((why for applies, why in reasons if applies), "")


def resolve_push(inp: BuildInputs, runner: RunnerEnv) -> PushDecision:
    """``true``/``false`` force; ``auto`` pushes only in a real GitHub run (not act, not the
    CLI), on ``PUSH_EVENTS``, when the build makes an image to push (no ``outputs`` of its
    own, no ``call``), and otherwise says why not."""
    if inp.push is not PushMode.AUTO:
        return PushDecision(inp.push is PushMode.TRUE)
    why = _why_auto_does_not_push(inp, runner)
    if why:
        return PushDecision(False, f"push: auto does not push {why}; set push: true to push")
    return PushDecision(True)


_IMAGES_HINT = """\
with:
  images: ghcr.io/${{ github.repository }}  # the name to push, one per line
  # or, to build without pushing:
  push: false"""


def require_image_to_push(push: bool, images: Sequence[str], outputs: Sequence[Attributes]) -> None:
    """A push needs the name of an image: without ``images`` the tags are bare (``master``),
    which buildx would push as ``docker.io/library/master``. An output that names its image
    (``type=image,name=...``) is the exception."""
    if not push or images:
        return
    if any(output.get("name") for output in outputs):
        return
    raise InputError(
        "images",
        "is empty, so the push has no image name: the computed tags alone"
        " (such as 'master') would be pushed as docker.io/library/<tag>",
        hint=_IMAGES_HINT,
    )
