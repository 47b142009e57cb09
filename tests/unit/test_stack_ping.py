"""The test stack's engine probe, while a daemon is still starting."""

from __future__ import annotations

import gc
import socket
import warnings
from pathlib import Path

import stack


def test_ping_of_a_socket_nobody_listens_on_is_false_and_leaks_no_socket(tmp_path: Path) -> None:
    # dockerd creates its socket file before it accepts: a connect there is refused.
    path = tmp_path / "engine.sock"
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(path))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert stack._ping(path) is False
            gc.collect()
    finally:
        bound.close()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
