"""No import cycle runs through pizzashop/hosting. Every import counts: at the top, inside a
function (loaded late) and under TYPE_CHECKING (a cycle for the type checker and the reader)."""

from __future__ import annotations

import ast
from pathlib import Path

import pizzashop

ROOT = Path(pizzashop.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each pizzashop module and the pizzashop modules it imports anywhere in its source."""
    modules = {module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, `level - 1` packages up
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def cycle_through(graph: dict[str, set[str]], prefix: str) -> list[str] | None:
    """One import cycle containing a module under `prefix`, or None."""
    for start in sorted(name for name in graph if name.startswith(prefix)):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for target in sorted(graph[node]):
                if target == start:
                    return [*path, start]
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    return None


def test_the_graph_sees_late_and_type_checking_imports() -> None:
    graph = import_graph()
    assert "pizzashop.hosting.commands" in graph["pizzashop.cli"]
    assert "pizzashop.hosting.live" in graph["pizzashop.cli"], "imported inside a function"
    assert "pizzashop.workshop.leaderboard" in graph["pizzashop.cli"], "under TYPE_CHECKING"
    assert cycle_through({"a.x": {"a.y"}, "a.y": {"b"}, "b": {"a.x"}}, "a.") == [
        "a.x", "a.y", "b", "a.x",
    ]  # fmt: skip


def test_no_import_cycle_runs_through_hosting() -> None:
    assert cycle_through(import_graph(), "pizzashop.hosting") is None
