"""Snapshots of the main screen, a dialog, the report, the title and the lab at 80×24 and
120×40, seed 7.

The app runs without its wall-clock timer and the shop is advanced explicitly, so a snapshot
depends only on the scenario, the seed and the keys; notifications (which expire in wall time)
are cleared before each screenshot. Update with `pytest --snapshot-update` after a reviewed change.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from pizzashop.sim import load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.lab import LabScreen
from pizzashop.ui.screens.shift import ShiftScreen

SIZES = [(80, 24), (120, 40)]


pytestmark = pytest.mark.usefixtures("home")


def new_app() -> PizzaShopApp:
    return PizzaShopApp(load_scenario("default_day"), 7, paused=True, live=False)


async def play(pilot: Pilot[None], minutes: float) -> None:
    """Run the shop for `minutes` of sim time at 8× through the timer's own path, then pause."""
    screen = pilot.app.screen
    assert isinstance(screen, ShiftScreen)
    await pilot.press("4")
    screen.tick(minutes / 8)
    await pilot.press("space")
    await pilot.pause()


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await play(pilot, 95)
        await settle(pilot)

    assert snap_compare(new_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_routing_dialog(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await play(pilot, 30)
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(new_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_report(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await play(pilot, 24 * 60)
        await settle(pilot)

    assert snap_compare(new_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_title(snap_compare: Any, size: tuple[int, int]) -> None:
    """A new player: level 1 open and highlighted, the rest locked; the lab below."""
    app = PizzaShopApp(paused=True, live=False)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_lab(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await pilot.press("l")
        screen = pilot.app.screen
        assert isinstance(screen, LabScreen)
        await pilot.press("4")
        screen.tick(3.0)
        await pilot.press("space")
        await settle(pilot)

    app = PizzaShopApp(paused=True, live=False)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_level_with_goals(snap_compare: Any, size: tuple[int, int]) -> None:
    """A campaign level mid-shift: the goals in the header, marked, beside honest goodput."""

    async def before(pilot: Pilot[None]) -> None:
        await pilot.press("enter")  # past the briefing
        screen = pilot.app.screen
        assert isinstance(screen, ShiftScreen)
        screen.game.speed = 8
        screen.game.paused = False
        screen.tick(70 / 8)
        screen.game.paused = True
        screen.update_panels()
        await settle(pilot)

    app = PizzaShopApp(load_scenario("lunch_rush"), 42, paused=True, live=False)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_hire_dialog(snap_compare: Any, size: tuple[int, int]) -> None:
    """Keyboard first: the focused field is visible; Cancel comes before Hire."""

    async def before(pilot: Pilot[None]) -> None:
        await pilot.press("h", "tab")
        await settle(pilot)

    assert snap_compare(new_app(), terminal_size=size, run_before=before)
