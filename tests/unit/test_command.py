"""An argv built option by option: an option without a value leaves no word."""

from __future__ import annotations

from build_push_py.command import Command


def test_options_with_a_value_appear_in_order() -> None:
    argv = Command(["docker", "buildx", "create"])
    argv.add_opt("--name", "b1")
    argv.add_many("--driver-opt", ["image=moby/buildkit", "network=host"])
    argv.add_flag("--use", True)
    assert argv == [
        "docker", "buildx", "create", "--name", "b1",
        "--driver-opt", "image=moby/buildkit", "--driver-opt", "network=host", "--use",
    ]  # fmt: skip


def test_an_option_without_a_value_leaves_no_word() -> None:
    argv = Command(["cosign"])
    argv.add_opt("--key", "")
    argv.add_opt("--key", None)
    argv.add_many("--tag", [])
    argv.add_flag("--yes", False)
    assert argv == ["cosign"]
