"""A fake ``proc.Runner`` that records every call and answers from a script."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from build_push_py.proc import Result


@dataclass
class Call:
    argv: list[str]
    input: str | None
    env: Mapping[str, str] | None
    stream: bool
    pass_env: Collection[str] = ()


@dataclass
class FakeRunner:
    """Answers each call with the first scripted (argv prefix, result) that matches."""

    script: list[tuple[list[str], Callable[[list[str]], Result]]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def on(
        self,
        prefix: list[str],
        *,
        stdout: str = "",
        stderr: str = "",
        returncode: int = 0,
        effect: Callable[[list[str]], None] | None = None,
    ) -> FakeRunner:
        def answer(argv: list[str]) -> Result:
            if effect is not None:
                effect(argv)
            return Result(argv, returncode, stdout, stderr)

        self.script.append((prefix, answer))
        return self

    def __call__(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        stream: bool = False,
        pass_env: Collection[str] = (),
    ) -> Result:
        args = list(argv)
        self.calls.append(Call(args, input, env, stream, pass_env))
        for prefix, answer in self.script:
            if args[: len(prefix)] == prefix:
                return answer(args)
        raise AssertionError(f"unexpected command {args}")


@dataclass
class FakeEngine:
    """An ``ImageEngine``: each pull fails with the next of ``failures`` (the engine's
    words) until they run out, then succeeds; ``local`` says whether it has the image."""

    failures: list[str] = field(default_factory=list)
    local: bool = False
    pulls: list[str] = field(default_factory=list)
    made_with: list[tuple[Mapping[str, str], str]] = field(default_factory=list)

    def __call__(self, env: Mapping[str, str], config_dir: str) -> FakeEngine:
        """As ``Job.engine``: this engine, whatever the environment."""
        self.made_with.append((env, config_dir))
        return self

    def pull(self, image: str) -> None:
        from build_push_py.buildkit_image import PullFailed  # noqa: PLC0415

        self.pulls.append(image)
        if self.failures:
            raise PullFailed(self.failures.pop(0))

    def has(self, image: str) -> bool:
        return self.local
