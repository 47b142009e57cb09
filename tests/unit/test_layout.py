"""The package's structure: imports point down the layers, only the entry points reach the
orchestrator and ``os.environ``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "build_push_py"
ENTRY_POINTS = {f"{PACKAGE}.__main__", f"{PACKAGE}.cli"}

# The layers, top to bottom (docs/design.md's "How the code is laid out" states the same list): a
# module imports only from its own layer and the layers below it. A name is a module or a
# package, which takes every module under it.
LAYERS = (
    ("__main__", "cli", "actionyml"),  # run as programs: the step, the CLI, the generator
    ("app",),  # one run
    ("steps",),  # the steps of a run
    ("cosign",),  # the sign commands, made from the plan's signing decision
    ("plan",),  # what the run will do
    ("github_api", "github_repo", "prefetch", "clock"),  # what a run looks up: repository, time
    ("metadata", "buildx", "registry", "buildkit_image"),  # tags; the programs the action drives
    ("context", "inputs"),  # what the step is given: the GitHub context, the inputs
    ("errors", "retry", "proc", "private", "command", "runner"),  # what every layer uses
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The package modules an import statement names (lazy imports included)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" for alias in node.names] + [base]
    found = []
    for name in names:
        target = name
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != module:
            found.append(target)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets.update(_resolve(module, node))
        # importing a submodule runs its package's __init__: not an arrow of interest
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    return graph


def _layer(module: str) -> int:
    """The index in ``LAYERS`` of the layer ``module`` belongs to (0: the top)."""
    name = module.removeprefix(f"{PACKAGE}.")
    for index, layer in enumerate(LAYERS):
        if any(name == part or name.startswith(f"{part}.") for part in layer):
            return index
    raise LookupError(f"{module} is in no layer of LAYERS: add it to one")


def _upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a layer above its own, as ``module -> target``."""
    return [
        f"{module} -> {target}"
        for module in sorted(graph)
        for target in sorted(graph[module])
        if _layer(target) < _layer(module)
    ]


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path of modules, or [] (depth-first search, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert _cycle(_graph()) == []


def test_the_layer_check_finds_an_upward_import() -> None:
    graph = {f"{PACKAGE}.errors": {f"{PACKAGE}.buildx.result"}, f"{PACKAGE}.buildx.result": set()}
    assert _upward(graph) == [f"{PACKAGE}.errors -> {PACKAGE}.buildx.result"]
    assert _upward({f"{PACKAGE}.app": {f"{PACKAGE}.steps.build"}}) == []


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        if module != PACKAGE:  # the package's own (empty) __init__
            _layer(module)
    assert {_layer(module) for module in ENTRY_POINTS} == {0}  # the entry points are on top


def test_imports_point_down_the_layers() -> None:
    assert _upward(_graph()) == []


def test_the_design_doc_states_the_layers() -> None:
    design = (SRC.parent / "docs" / "design.md").read_text(encoding="utf-8")
    section = design.split("## How the code is laid out", 1)[1].split("```", 1)[0]
    stated = [
        tuple(name.rstrip("/") for name in re.findall(r"`([^`]+)`", line.split(":", 1)[0]))
        for line in re.findall(r"^\d+\. (.*)$", section, re.MULTILINE)
    ]
    assert stated == list(LAYERS)


def test_only_the_entry_points_import_the_orchestrator() -> None:
    importers = {m for m, targets in _graph().items() if f"{PACKAGE}.app" in targets}
    # One: the CLI runs the step through ``__main__`` too.
    assert importers == {f"{PACKAGE}.__main__"}


def test_only_the_entry_points_read_os_environ() -> None:
    readers = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.add(module)
    assert readers <= ENTRY_POINTS


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by their base name (rootdir import mode): two files of one
    name in different folders fail the whole collection."""
    names = [p.name for p in (SRC.parent / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")


def _variables_read_by_name(source: str) -> list[str]:
    """``x.get("NAME")``, ``x["NAME"]`` and ``"NAME" in x`` in ``source``, as ``line: NAME``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            key = node.args[0] if node.func.attr == "get" and node.args else None
        elif isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            key = node.left
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            continue
        if _VARIABLE.fullmatch(key.value):
            found.append(f"{key.lineno}: {key.value}")
    return found


def test_the_variable_finder_finds_reads() -> None:
    source = 'a = env.get("GITHUB_REF", "")\nb = env["HOME"]\nc = "ACT" in env\nd = x.get("ref")\n'
    assert _variables_read_by_name(source) == ["1: GITHUB_REF", "2: HOME", "3: ACT"]


def test_plan_and_steps_read_no_variable_by_name() -> None:
    """They read the runner from ``runner.env.RunnerEnv``: its fields, or its raw ``knobs``
    through the names their parsers validate."""
    reads = {
        module: found
        for module, path in MODULES.items()
        if module.startswith((f"{PACKAGE}.plan.", f"{PACKAGE}.steps."))
        and (found := _variables_read_by_name(path.read_text(encoding="utf-8")))
    }
    assert reads == {}
