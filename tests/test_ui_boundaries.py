"""The UI holds no game rules and never reaches into the simulation.

Statically: no module under `pizzashop/ui` reads a name starting with `_` from anything but itself,
touches the sim's internals (`loop`, `streams`) or assigns to a sim object's attributes. By
behaviour: a shift played through the UI, with every panel reading the sim at every frame, ends
exactly as a headless replay of the same actions — reading never changed the shop.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.shift import ShiftScreen

UI = Path(__file__).resolve().parent.parent / "pizzashop" / "ui"
INTERNAL = {"loop", "streams"}
SIM_OBJECTS = {"sim", "chef", "branch", "order", "agent", "stock", "metrics", "ledger", "task"}


pytestmark = pytest.mark.usefixtures("home")


def ui_modules() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def chain(node: ast.expr) -> list[str]:
    """`self.game.sim.now` -> ['self', 'game', 'sim', 'now']."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def test_ui_reads_no_private_or_internal_names() -> None:
    problems = []
    for path in ui_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            names = chain(node)
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if private and names[:-1] != ["self"]:
                problems.append(f"{path.name}:{node.lineno} reads {'.'.join(names)}")
            if node.attr in INTERNAL and "sim" in names[:-1]:
                problems.append(f"{path.name}:{node.lineno} reads sim internals {node.attr}")
    assert problems == []


def test_ui_assigns_to_no_sim_object() -> None:
    problems = []
    for path in ui_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and SIM_OBJECTS & set(chain(target)[:-1]):
                    problems.append(f"{path.name}:{node.lineno} assigns {'.'.join(chain(target))}")
    assert problems == []


def test_ui_imports_the_sim_but_never_textual_from_it() -> None:
    """The dependency points one way: the UI uses the sim; the sim knows nothing of the UI."""
    sim_sources = (UI.parent / "sim").rglob("*.py")
    assert not any("pizzashop.ui" in path.read_text(encoding="utf-8") for path in sim_sources)


def test_a_shift_played_in_the_ui_ends_as_its_headless_replay() -> None:
    scenario = load_scenario("blackout_day")

    async def play() -> Simulation:
        app = PizzaShopApp(scenario, 3, paused=True, live=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, ShiftScreen)
            await pilot.press("space", "4")
            for step in range(40):
                screen.tick(0.5)
                if step == 5:
                    await pilot.press("h")
                    await pilot.click("#ok")
                if step == 12:
                    await pilot.press("r")
                    await pilot.click("#ok")
                await pilot.pause()
            sim = screen.game.sim
            sim.run()
            return sim

    played = asyncio.run(play())
    assert any(outcome.ok for _, outcome in played.action_log)
    replay = Simulation(scenario, seed=3)
    replay.schedule([action for action, _ in played.action_log])
    replay.run()
    assert build_report(replay) == build_report(played)


def imported_ui_modules(path: Path, modules: set[str]) -> set[str]:
    """The `pizzashop.ui` modules `path` imports, `if TYPE_CHECKING:` imports included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def test_no_import_cycles_in_the_ui() -> None:
    """Screens talk to the app through `ui.host`, never by importing it (nor it them back)."""
    root = UI.parent.parent
    paths = {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for path in ui_modules()
    }
    graph = {name: imported_ui_modules(path, set(paths)) - {name} for name, path in paths.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycles.append([*trail[trail.index(other) :], other])
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
