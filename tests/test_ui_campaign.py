"""The campaign in the app: progress and stars on the title screen, locked levels, a progress file
that cannot be read, the sandbox, and human versus algorithm — played with Pilot.

Every test points `PIZZASHOP_HOME` at its own temporary directory; the app runs without its
wall-clock timer and shifts are run to their end through `ShiftScreen.tick`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from test_ui_play import SIZE, panel_text, playing, record_notes
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from pizzashop.player.progress import Progress
from pizzashop.sim import ACTION_KINDS, KITCHEN_STRATEGIES, Order, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.game import Mode
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.dialogs import RoutingDialog
from pizzashop.ui.screens.dialogs.choose import ChooseDialog
from pizzashop.ui.screens.report import ReportScreen
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.widgets.status import StatusBar
from pizzashop.workshop.leaderboard import Leaderboard, clean_name

pytestmark = pytest.mark.usefixtures("home")


@pytest.fixture(autouse=True)
def player(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZASHOP_PLAYER", "Ada")


def title_app() -> PizzaShopApp:
    return PizzaShopApp(paused=True, live=False)


def title(app: PizzaShopApp) -> TitleScreen:
    assert isinstance(app.screen, TitleScreen)
    return app.screen


async def highlight(pilot: Pilot[None], key: str) -> None:
    """Move the title screen's cursor to the entry `key` (e.g. "level:lunch_rush")."""
    options = title(pilot.app).query_one("#scenarios", OptionList)  # type: ignore[arg-type]
    options.highlighted = options.get_option_index(key)
    await pilot.pause()


async def past_briefing(pilot: Pilot[None]) -> ShiftScreen:
    await pilot.pause()
    if isinstance(pilot.app.screen, BriefingScreen):
        await pilot.press("enter")
    screen = pilot.app.screen
    assert isinstance(screen, ShiftScreen)
    return screen


async def finish(pilot: Pilot[None]) -> ReportScreen:
    """Run the shift to its end at 8×, the way the timer does."""
    screen = pilot.app.screen
    assert isinstance(screen, ShiftScreen)
    await pilot.press("4")
    screen.tick(screen.game.sim.shift_end / 8 + 120)
    await pilot.pause()
    report = pilot.app.screen
    assert isinstance(report, ReportScreen)
    return report


def label(app: PizzaShopApp, key: str) -> str:
    options = title(app).query_one("#scenarios", OptionList)
    return str(options.get_option(key).prompt)


def text_of(screen: ReportScreen | TitleScreen, selector: str) -> str:
    """What a Static shows, as plain text (tables and groups included)."""
    console = Console(width=SIZE[0], color_system=None)
    with console.capture() as capture:
        console.print(screen.query_one(selector, Static).content)
    return capture.get()


@playing
async def test_a_won_level_is_recorded_shown_and_unlocks_the_next(home: Path) -> None:
    app = title_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "locked" in label(app, "level:lunch_rush")
        assert title(app).chosen() == title(app).entries["level:opening_day"]
        await pilot.press("enter")
        await past_briefing(pilot)
        report = await finish(pilot)
        assert report.report["won"], "opening day is won by ending it in profit"
        standing = report.standing
        assert standing is not None and standing.problems == []
        assert standing.record.stars == report.report["stars"] and standing.new_best
        assert standing.unlocked == "lunch_rush"
        shown = text_of(report, "#standing")
        assert "Unlocked the next level: Lunch rush" in shown
        assert "Ada" in shown and "this shift" in shown

        saved = Progress.load(home / "progress.json").levels["opening_day"]
        assert (saved.stars, saved.best_score, saved.plays) == (
            report.report["stars"],
            report.report["score"],
            1,
        )
        board = Leaderboard()
        (entry,) = board.top("opening_day", 101)
        board.close()
        assert (entry.name, entry.score, entry.kind) == ("Ada", report.report["score"], "play")

        await pilot.press("t")
        await pilot.pause()
        first = label(app, "level:opening_day")
        assert "★" * report.report["stars"] in first
        assert f"best {report.report['score']:,}" in first
        assert "locked" not in label(app, "level:lunch_rush")


@playing
async def test_a_locked_level_is_refused_with_what_unlocks_it() -> None:
    app = title_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "level:lunch_rush")
        assert "Locked: win Opening day" in str(title(app).query_one("#about", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen), "enter does not start a locked level"
        refusals = [message for severity, message in notes if severity == "warning"]
        assert len(refusals) == 1 and "Win Opening day" in refusals[0]
        await pilot.press("v")
        chooser = app.screen
        assert isinstance(chooser, ChooseDialog), "versus offers only what may be played"
        offered = chooser.query_one("#scenario", OptionList)
        ids = [offered.get_option_at_index(i).id for i in range(offered.option_count)]
        assert "level:opening_day" in ids and "level:lunch_rush" not in ids


@playing
async def test_a_corrupt_progress_file_is_reported_once_and_left_byte_identical(
    home: Path,
) -> None:
    corrupt = b'{"version": 1, "levels": {"opening_day": {"stars": 9}}'
    home.mkdir()
    (home / "progress.json").write_bytes(corrupt)
    app = title_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        errors = [message for severity, message in notes if severity == "error"]
        assert len(errors) == 1 and "progress.json" in errors[0] and "not be saved" in errors[0]
        assert "progress not saved" in label(app, "level:opening_day") + str(
            title(app).query_one("#scenarios", OptionList).get_option_at_index(0).prompt
        )
        await pilot.press("enter")
        await past_briefing(pilot)
        report = await finish(pilot)
        assert report.standing is not None
        assert any("progress not saved" in problem for problem in report.standing.problems)
        assert "progress not saved" in text_of(report, "#standing")
        await pilot.press("t")
        await pilot.pause()
        assert [severity for severity, _ in notes].count("error") == 1, "said once, not again"
    assert (home / "progress.json").read_bytes() == corrupt
    assert [path.name for path in home.iterdir() if path.name.startswith(".progress")] == []


@playing
async def test_the_sandbox_allows_every_action_and_records_nothing(home: Path) -> None:
    app = title_app()
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "level:lunch_rush")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ChooseDialog), "the sandbox asks which scenario"
        option = dialog.query_one("#scenario", OptionList).highlighted_option
        assert option is not None and option.id == "level:lunch_rush", "it starts at the highlight"
        await pilot.press("enter")
        screen = await past_briefing(pilot)
        game = screen.game
        assert game.mode is Mode.SANDBOX and game.sim.scenario.name == "lunch_rush"
        assert game.sim.scenario.goals is None
        assert all(game.allows(kind) for kind in ACTION_KINDS)
        assert "SANDBOX" in panel_text(screen.query_one(StatusBar))
        await pilot.press("r")
        assert isinstance(app.screen, RoutingDialog), "routing, which the level forbids"
        await pilot.press("escape")
        report = await finish(pilot)
        assert report.standing is None
        assert "Sandbox · Lunch rush" in text_of(report, "#headline")
    assert not (home / "progress.json").exists()
    board = Leaderboard()
    assert board.count() == 0
    board.close()


@playing
async def test_versus_runs_the_algorithm_on_the_same_orders_side_by_side() -> None:
    app = title_app()
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "scenario:default_day")
        await pilot.press("v")
        dialog = app.screen
        assert isinstance(dialog, ChooseDialog)
        await pilot.press("enter")  # the highlighted scenario; on to the opponent
        options = dialog.query_one("#strategy", OptionList)
        assert options.has_focus
        names = list(KITCHEN_STRATEGIES)
        while options.highlighted != names.index("ring"):
            await pilot.press("down" if options.highlighted < names.index("ring") else "up")
        await pilot.press("enter")
        screen = await past_briefing(pilot)
        game = screen.game
        assert game.rival is not None and game.versus == "ring"
        assert game.sim.seed == game.rival.seed == 7

        seen: dict[str, list[tuple[int, int, float, tuple[str, ...]]]] = {"you": [], "ring": []}

        def collect(who: str) -> Callable[[Order], None]:
            return lambda order: seen[who].append(
                (order.id, order.customer, order.placed, tuple(order.items))
            )

        game.sim.on_order_done = collect("you")
        game.rival.on_order_done = collect("ring")
        await pilot.press("space", "3")
        screen.tick(10.0)
        await pilot.pause()
        assert game.rival.now == game.sim.now == pytest.approx(40.0), "in lockstep"
        status = panel_text(screen.query_one(StatusBar))
        assert "vs ring" in status
        await pilot.press("h")
        await pilot.click("#ok")
        await pilot.pause()
        assert game.sim.action_log and game.rival.action_log == [], "the algorithm takes no action"

        report = await finish(pilot)
        assert report.rival is not None and game.rival.finished
        assert report.rival["kitchen_strategy"] == "ring"
        assert report.rival["orders_placed"] == report.report["orders_placed"] > 0
        assert sorted(seen["you"]) == sorted(seen["ring"]), "the very same orders"
        table = text_of(report, "#versus")
        for cell in ("you", "ring", "goodput", "p95 order→door", "profit", "score"):
            assert cell in table
        assert f"{report.rival['score']:,}" in table and f"{report.report['score']:,}" in table


@playing
async def test_the_seed_box_gives_the_whole_room_one_seed() -> None:
    app = title_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        seed = title(app).query_one("#seed", Input)
        seed.value = str(2**63)
        await pilot.press("enter")
        assert isinstance(app.screen, TitleScreen), "a seed out of the shared range is refused"
        assert ("error", "A seed is a whole number from 0 to 2^63-1.") in notes
        seed.value = ""
        await pilot.click("#seed")
        await pilot.press("4", "2", "enter")
        screen = await past_briefing(pilot)
        assert screen.game.sim.seed == 42 and screen.game.sim.scenario.name == "opening_day"


@playing
async def test_names_on_the_leaderboard_cannot_style_the_screen_or_reach_the_terminal(
    home: Path,
) -> None:
    """A row written behind the game's back (an older version, a tampered file) is cleaned on
    the way out like a name on the way in: no markup styles the screen, no escape byte reaches
    the terminal."""
    board = Leaderboard()
    board.close()
    raw = "[b red]Eve[/]\x1b[2J"
    with sqlite3.connect(home / "leaderboard.sqlite3") as db:
        db.execute(
            "INSERT INTO scores (level, seed, name, score, goodput, stars, kind, created)"
            " VALUES ('opening_day', 101, ?, 99999, 1.0, 3, 'play', 0)",
            (raw,),
        )
    app = PizzaShopApp(load_scenario("opening_day"), paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await past_briefing(pilot)
        report = await finish(pilot)
        shown = text_of(report, "#standing")
        assert clean_name(raw) in shown, "cleaned on the way out: no markup, no escape"
        assert "\x1b" not in shown
