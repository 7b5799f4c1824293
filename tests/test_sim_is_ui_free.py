"""`pizzashop.sim` never imports textual or rich, so headless runs, graders and the workshop
server can use it without a terminal UI (and the UI can only read it, not be needed by it)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import pizzashop.sim

SIM_DIR = Path(pizzashop.sim.__file__).resolve().parent
UI_PACKAGES = ("textual", "rich")
# Inside the sim, the UI and the command line are off limits too: both pull in the UI toolkits.
FORBIDDEN = (*UI_PACKAGES, "pizzashop.ui", "pizzashop.cli")
SIM_MODULES = sorted(SIM_DIR.rglob("*.py"))


def forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def imported_names(tree: ast.AST) -> list[str]:
    """Every module an import statement or an import call with a literal name would load."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                names.append(str(first.value))
    return names


def test_the_scan_sees_the_whole_engine() -> None:
    found = {path.name for path in SIM_MODULES}
    assert {"__init__.py", "engine.py", "commands.py", "routing.py", "report.py"} <= found
    tree = ast.parse((SIM_DIR / "engine.py").read_text(encoding="utf-8"))
    assert "pizzashop.sim.clock" in imported_names(tree)


def test_the_scan_would_catch_a_ui_import() -> None:
    sample = "import rich.text\nfrom textual.app import App\nimportlib.import_module('rich')\n"
    assert [name for name in imported_names(ast.parse(sample)) if forbidden(name)] == [
        "rich.text",
        "textual.app",
        "textual.app.App",
        "rich",
    ]


@pytest.mark.parametrize("path", SIM_MODULES, ids=lambda path: path.relative_to(SIM_DIR).as_posix())
def test_no_sim_module_imports_a_ui_toolkit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert [name for name in imported_names(tree) if forbidden(name)] == []


SHIFT = """
import json, sys
from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.sim import actions as A

sim = Simulation(load_scenario("blackout_day"))
sim.schedule([A.Hire(at=30, specialty="pizza"), A.RouteKitchen(at=60, strategy="ring")])
sim.advance(45.0)
sim.run()
report = build_report(sim)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {ui!r})
print(json.dumps({{"placed": report["orders_placed"], "ui": loaded}}))
"""


def test_running_a_shift_loads_no_ui_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SHIFT.format(ui=set(UI_PACKAGES))],
        capture_output=True,
        check=True,
        text=True,
    )
    result = json.loads(done.stdout)
    assert result["placed"] > 0
    assert result["ui"] == []
