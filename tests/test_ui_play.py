"""Play shifts through the Textual UI with Pilot: keys and clicks in, sim state and screens out.

The app runs without its wall-clock timer (`live=False`) and starts paused; tests advance the shop
with the single-step key or `ShiftScreen.tick(wall_seconds)`, the same call the timer makes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from pizzashop.cli import main
from pizzashop.sim import Scenario, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.palette import shift_commands
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.dialogs import (
    BranchesDialog,
    ChefDialog,
    HireDialog,
    LogFilterDialog,
    MenuDialog,
    PrepDialog,
    RoutingDialog,
)
from pizzashop.ui.screens.dialogs.prep import SlotRow
from pizzashop.ui.screens.report import ReportScreen
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.widgets.board import ShopBoard
from pizzashop.ui.widgets.event_log import EventLog
from pizzashop.ui.widgets.metrics import MetricsPanel
from pizzashop.ui.widgets.status import StatusBar

SIZE = (120, 40)


pytestmark = pytest.mark.usefixtures("home")


def playing(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test body (no async pytest plugin is needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def new_app(scenario: str = "default_day", seed: int | None = 7, **options: Any) -> PizzaShopApp:
    return PizzaShopApp(load_scenario(scenario), seed, paused=True, live=False, **options)


def record_notes(app: PizzaShopApp) -> list[tuple[str, str]]:
    """Capture (severity, message) of every notification the app shows."""
    notes: list[tuple[str, str]] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        notes.append((kwargs.get("severity", "information"), message))
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    return notes


def shift(app: PizzaShopApp) -> ShiftScreen:
    assert isinstance(app.screen, ShiftScreen)
    return app.screen


def panel_text(panel: Any) -> str:
    width = panel.scrollable_content_region.width
    return "\n".join(panel.render_row(row, width).plain for row in panel.rows)


@playing
async def test_play_a_shift_pause_speed_hire_route_and_report() -> None:
    app = new_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        game, sim = screen.game, screen.game.sim
        assert game.paused and sim.now == 0
        assert "paused" in panel_text(screen.query_one(StatusBar))

        await pilot.press("full_stop")
        assert sim.now == 1.0
        screen.tick(30.0)
        assert sim.now == 1.0, "a paused shop does not move with wall time"

        await pilot.press("space")
        await pilot.press("3")
        assert not game.paused and game.speed == 4
        assert "▶ 4×" in panel_text(screen.query_one(StatusBar))
        screen.tick(5.0)
        assert sim.now == pytest.approx(21.0)
        await pilot.press("space")
        assert game.paused

        chefs = len(sim.chefs)
        await pilot.press("h")
        assert isinstance(app.screen, HireDialog)
        await pilot.click("#ok")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen)
        assert len(sim.chefs) == chefs + 1
        action, outcome = sim.action_log[-1]
        assert action.kind == "hire" and outcome.ok and action.at == pytest.approx(21.0)
        assert outcome.reason in panel_text(screen.query_one(EventLog)), "done: said in the log"
        assert not any(outcome.reason in message for _, message in notes), "not in a toast too"
        newcomer = action.name or outcome.reason.split()[1]
        assert newcomer in panel_text(screen.query_one(ShopBoard))

        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, RoutingDialog)
        kitchen = dialog.query_one("#kitchen", OptionList)
        kitchen.highlighted = list(dialog.strategies["kitchen"]).index("ring")
        await pilot.click("#ok")
        await pilot.pause()
        assert sim.branches[0].strategy == "ring"
        assert "REMAP METER" in panel_text(screen.query_one(MetricsPanel))

        await pilot.press("h")
        await pilot.click("#ok")
        await pilot.pause()
        assert sim.remaps, "a chef joining a hashed kitchen is measured by the remap meter"
        metrics = panel_text(screen.query_one(MetricsPanel))
        assert "m%n" in metrics and "ring" in metrics

        await pilot.press("space", "4")
        screen.tick(sim.shift_end / 8 + 60)
        await pilot.pause()
        assert sim.finished
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert report.report["orders_placed"] == sim.metrics.placed
        assert "score" in str(report.query_one("#headline").render())

        await pilot.press("r")
        await pilot.pause()
        again = shift(app)
        assert again.game.sim is not sim
        assert again.game.sim.seed == sim.seed and again.game.sim.now == 0
        assert again.game.sim.action_log == []
        assert again.game.paused, "a retry waits for the player"


@playing
async def test_refused_action_shows_its_reason_and_cancel_changes_nothing() -> None:
    app = new_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        assert isinstance(app.screen, BranchesDialog)
        await pilot.click("#close-0")
        await pilot.pause()
        assert ("error", "Central is your last open branch") in notes
        assert shift(app).game.sim.branches[0].is_open
        for key in ("b", "p", "enter"):  # dialogs with buttons of their own besides OK/Cancel
            await pilot.press(key)
            await pilot.click("#cancel")
            await pilot.pause()
            assert isinstance(app.screen, ShiftScreen), f"cancelling {key!r} closes only its dialog"
        assert len(shift(app).game.sim.action_log) == 1


@playing
async def test_prep_menu_and_driver_dialogs_send_their_actions() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = shift(app).game.sim
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PrepDialog)
        await pilot.click("#add")
        await pilot.pause()
        start, end, target = dialog.query(SlotRow).last().query(Input)
        start.value, end.value, target.value = "19:00", "20:30", "12"
        await pilot.click("#ok")
        await pilot.pause()
        assert (sim.branches[0].prep[-1].start, sim.branches[0].prep[-1].end) == (19.0, 20.5)
        assert sim.branches[0].prep[-1].target == 12

        await pilot.press("m")
        assert isinstance(app.screen, MenuDialog)
        offers = app.screen.query_one("#offers", OptionList)
        assert [str(option.prompt).split("  ")[0] for option in offers.options] == [
            "pizza: price 16",
            "pizza: cooks in 8 min",
        ]
        await pilot.click("#ok")
        await pilot.pause()
        assert len(sim.menu_versions) == 2 and sim.menu_versions[-1]["pizza"][0] == 16

        drivers = len(sim.branches[0].agents)
        await pilot.press("b")
        app.screen.query_one("#count", Input).value = "2"
        await pilot.click("#agents-0")
        await pilot.pause()
        assert len(sim.branches[0].agents) == drivers + 2
        assert [action.kind for action, _ in sim.action_log] == [
            "set_prep",
            "push_menu",
            "hire_agents",
        ]


@playing
async def test_chef_dialog_upgrades_the_selected_chef() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        board = shift(app).query_one(ShopBoard)
        await pilot.press("down")
        chef = shift(app).game.sim.chefs[board.selected or ""]
        level = chef.level
        await pilot.press("enter")
        assert isinstance(app.screen, ChefDialog) and app.screen.chef == chef.id
        await pilot.click("#upgrade")
        await pilot.pause()
        assert chef.level == level + 1


@playing
async def test_clicking_a_chef_opens_their_dialog() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        board = screen.query_one(ShopBoard)
        second_chef = 1 + 3  # the border, the branch row, the column header, the first chef
        await pilot.click("#board", offset=(6, second_chef))
        dialog = app.screen
        assert isinstance(dialog, ChefDialog)
        assert dialog.chef == board.selected == list(screen.game.sim.chefs)[1]


@playing
async def test_replay_applies_the_same_actions_at_the_same_times() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        for _ in range(3):
            await pilot.press("full_stop")
        await pilot.press("h")
        await pilot.click("#ok")
        await pilot.pause()
        played = screen.game.sim.action_log
        replay = screen.game.retry(replay=True)
        replay.sim.run()
        assert [(a, o) for a, o in replay.sim.action_log] == played


@playing
async def test_codex_is_offered_at_the_moment_and_opens_there() -> None:
    app = new_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        await pilot.press("space", "down", "enter")
        await pilot.click("#upgrade")
        await pilot.pause()
        concept = app.codex.for_moment("upgrade")
        assert concept is not None and screen.hint == concept.id
        offer = str(screen.query_one(EventLog).border_subtitle)
        assert f"c: about {concept.title.lower()}" in offer, "offered in the log's frame"
        assert notes == [], "not in a toast over the log"
        assert not screen.game.paused, "a hint never pauses the game"
        await pilot.press("c")
        codex = app.screen
        assert isinstance(codex, CodexScreen)
        option = codex.query_one("#concepts", OptionList).highlighted_option
        assert option is not None and option.id == concept.id
        await pilot.press("escape")
        assert isinstance(app.screen, ShiftScreen)


@playing
async def test_log_filter_by_kind() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        await pilot.press("space", "4")
        screen.tick(15.0)
        await pilot.press("f")
        dialog = app.screen
        assert isinstance(dialog, LogFilterDialog)
        dialog.query_one("#kind").value = "warning"
        await pilot.click("#ok")
        await pilot.pause()
        log = screen.query_one(EventLog)
        assert log.rows and all(entry.kind == "warning" for entry in log.rows)
        assert "warning" in str(log.border_title)


@playing
async def test_only_allowed_actions_are_offered() -> None:
    scenario = load_scenario("default_day").model_copy(update={"allowed_actions": ["hire"]})
    app = PizzaShopApp(scenario, paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "b", "m")
        assert isinstance(app.screen, ShiftScreen), "disallowed keys open nothing"
        titles = [command.title for command in shift_commands(shift(app))]
        assert "Hire a chef…" in titles
        assert not any(
            title.startswith(("Route", "Upgrade", "Fire", "Open", "Close")) for title in titles
        )


@playing
async def test_title_screen_starts_the_chosen_scenario() -> None:
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        title = app.screen
        assert isinstance(title, TitleScreen)
        entry = title.chosen()
        assert entry is not None and entry.kind == "level", "a new player starts at level 1"
        first = entry.scenario
        assert isinstance(first, Scenario) and first.name == "opening_day"
        await pilot.press("enter")
        await pilot.pause()
        if first.briefing:
            assert isinstance(app.screen, BriefingScreen)
            await pilot.press("enter")
        assert shift(app).game.sim.scenario == first


@pytest.mark.parametrize("keys", [["ctrl+c"], ["q", "tab", "tab", "enter"]])
@playing
async def test_quit_is_clean(keys: list[str]) -> None:
    """ctrl+c quits at once; q asks first, and its third choice quits."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
    assert app.return_code == 0


def test_bad_scenario_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no_such_scenario" in err


@playing
async def test_resizing_switches_the_board_layout() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        board = shift(app).query_one(ShopBoard)
        wide, narrow = "specialty    level", "spec    lv"
        assert wide in panel_text(board)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert narrow in panel_text(board) and wide not in panel_text(board)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert wide in panel_text(board)


@playing
async def test_theme_switch_repaints_in_the_new_colours() -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        board = shift(app).query_one(ShopBoard)
        before = board.render_line(0)
        app.theme = "pizzashop-light"
        await pilot.pause()
        after = board.render_line(0)
        assert after.text == before.text
        assert [s.style for s in after] != [s.style for s in before]


@playing
async def test_a_level_waits_for_its_briefing() -> None:
    app = PizzaShopApp(load_scenario("regulars"), live=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, BriefingScreen)
        game = app.screen_stack[-2].game  # type: ignore[attr-defined]
        assert game.paused
        await pilot.press("enter")
        assert isinstance(app.screen, ShiftScreen) and not game.paused


@playing
async def test_report_leads_back_to_the_scenarios() -> None:
    app = new_app("mmc_lab", seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        shift(app).tick(24 * 60 / 8)
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
