"""The simulation's stages talk through public methods, and every stage an event runs through is
compiled (docs/engine.md). The import layering itself is checked by `lint-imports` (.ci/run)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import pizzashop

PACKAGE = Path(pizzashop.__file__).resolve().parent
ROOT = PACKAGE.parent
SIM = PACKAGE / "sim"
COMPILED = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pizzashop"]["compiled"]
)
# Simulation modules the engine imports that stay interpreted: pydantic models, and the player
# commands, which run once per action rather than once per event.
INTERPRETED = {"actions", "commands", "scenario"}
# A NamedTuple's public API is spelled with an underscore.
NAMEDTUPLE_API = {"_asdict", "_fields", "_replace", "_make"}


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in NAMEDTUPLE_API


def sim_private_names() -> set[str]:
    """Every underscored name the simulation defines: module globals, methods and attributes."""
    names: set[str] = set()
    for path in SIM.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return {name for name in names if private(name)}


def reaches(source: str, names: set[str]) -> list[str]:
    """Uses of `names` from outside their owner: `x._name` for any x but self or cls, and
    `from pizzashop.sim... import _name`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pizzashop.sim"):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name in names]
    return found


def test_the_simulation_has_private_names_to_protect() -> None:
    names = sim_private_names()
    assert {"_take", "_routers", "_members_changed", "_pulls_from", "_CHEF_IDLE"} <= names
    assert "_asdict" not in names


def test_the_scan_would_catch_a_reach_into_the_engine() -> None:
    sample = (
        "from pizzashop.sim.kitchen import _pulls_from\n"
        "sim.kitchen._take(chef)\n"
        "self._routers\n"
        "game.sim.roster._members_changed(b, [])\n"
        "report = sample._asdict()\n"
    )
    assert reaches(sample, sim_private_names()) == [
        "1: import _pulls_from",
        "2: sim.kitchen._take",
        "4: game.sim.roster._members_changed",
    ]


SOURCES = sorted(
    path
    for folder in (PACKAGE, ROOT / "tests", ROOT / "bench")
    for path in folder.rglob("*.py")
    if "__snapshots__" not in path.parts
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_code_calls_a_simulation_modules_private_names_from_outside(path: Path) -> None:
    """Player commands, the UI, the stages themselves and the tests use public methods only."""
    assert reaches(path.read_text(encoding="utf-8"), sim_private_names()) == []


def test_every_module_an_event_runs_through_is_compiled() -> None:
    """A stage the engine imports but setup.py does not compile would run at pure-Python speed,
    and calls into it from compiled stages would go through Python's calling convention."""
    tree = ast.parse((SIM / "engine.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pizzashop.sim":
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pizzashop.sim."):
            imported.add(node.module.rsplit(".", 1)[1])
    assert {"kitchen", "frontdoor", "drivers", "books"} <= imported
    assert imported - INTERPRETED <= COMPILED
    assert "engine" in COMPILED
