"""Whether the build pushes: the ``push`` input, with ``auto`` decided from the event."""

from __future__ import annotations

from collections.abc import Mapping

from ..buildx.request import BuildInputs, PushMode

# Events whose code has not been merged yet: pushing from them would publish images of
# unreviewed changes (pull_request_target even runs with write access), and a merge queue
# only validates. Users of ``push: ${{ github.event_name != 'pull_request' }}`` expect the same.
NO_PUSH_EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_target",
        "pull_request_review",
        "pull_request_review_comment",
        "merge_group",
    }
)


def resolve_push(inp: BuildInputs, env: Mapping[str, str]) -> bool:
    """``true``/``false`` force; ``auto`` pushes only in a real GitHub run (not act, not the
    CLI), for events other than ``NO_PUSH_EVENTS``, when the build makes an image to push
    (no ``outputs`` of its own, no ``call``)."""
    if inp.push is not PushMode.AUTO:
        return inp.push is PushMode.TRUE
    if env.get("GITHUB_ACTIONS") != "true" or env.get("ACT") == "true":
        return False
    if inp.outputs or inp.call:
        return False
    return env.get("GITHUB_EVENT_NAME", "") not in NO_PUSH_EVENTS
