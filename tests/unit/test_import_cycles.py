"""No two modules import each other, even by a detour, even inside a function or only for the type checker.

A circle of imports means neither module can be read (or moved) without the other; the layers contracts in
pyproject.toml do not see circles inside one layer or one adapter.
"""

import ast
from pathlib import Path

import pytest

from support.shared_data import PROJECT_ROOT

PACKAGES = ("domain", "application", "adapters", "wiring")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_between_modules() -> dict[str, set[str]]:
    modules = {module_name(p): p for package in PACKAGES for p in (PROJECT_ROOT / package).rglob("*.py")}
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            edges[name].update(t for t in targets if t in modules and t != name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_detour() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_modules_import_each_other(package: str) -> None:
    edges = imports_between_modules()
    assert len(edges) > 200  # every module of the four packages was read
    inside = [cycle for cycle in cycles(edges) if cycle[0].split(".")[0] == package]
    assert inside == [], "import circles: " + "; ".join(" -> ".join(cycle) for cycle in inside)
