"""The first hour of play (issue #11): goals on screen, honest live numbers, no traps.

Played with Pilot as a new player would: the app runs without its wall-clock timer and the shop
is advanced through the timer's own path (`ShiftScreen.tick`), so nothing depends on wall time.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.color import Color
from test_ui_campaign import finish, highlight, past_briefing, text_of, title
from test_ui_play import SIZE, panel_text, playing, record_notes
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input

from pizzashop.player.library import REPLAYS, SAVES, listing, player_dir, save_game
from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.sim.live import GoalStanding, GoalState, goal_standings, live_report
from pizzashop.sim.scenario import Goal, Goals
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.board_rows import ChefRow
from pizzashop.ui.game import HOLD_MINUTES, HOLD_SECONDS, Game, Mode
from pizzashop.ui.metric_rows import agreeing, goal_cell, metric_rows
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.dialogs import (
    BranchesDialog,
    ChefDialog,
    HireDialog,
    PrepDialog,
    RoutingDialog,
)
from pizzashop.ui.screens.dialogs.confirm import ConfirmDialog
from pizzashop.ui.screens.dialogs.leave import LeaveDialog
from pizzashop.ui.screens.dialogs.prep import SlotRow, default_window
from pizzashop.ui.screens.help import HelpScreen
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen, file_label
from pizzashop.ui.spark import sparkline
from pizzashop.ui.widgets.board import STATE_CLASS, ShopBoard
from pizzashop.ui.widgets.cells import shop_clock, singular_counts
from pizzashop.ui.widgets.charts import ShiftCharts
from pizzashop.ui.widgets.event_log import EventLog
from pizzashop.ui.widgets.footer import ShopFooter
from pizzashop.ui.widgets.metrics import MetricsPanel
from pizzashop.ui.widgets.status import StatusBar

pytestmark = pytest.mark.usefixtures("home")


def speed_bound(level: str = "lunch_rush") -> float:
    """The level's p95 goal (the tests read it, so a retuned level does not break them)."""
    goals = load_scenario(level).goals
    assert goals is not None and goals.speed is not None and goals.speed.metric == "latency_p95"
    assert goals.speed.max is not None
    return goals.speed.max


def level_app(name: str = "lunch_rush", seed: int | None = 42, **options: Any) -> PizzaShopApp:
    return PizzaShopApp(load_scenario(name), seed, paused=True, live=False, **options)


def shift(app: PizzaShopApp) -> ShiftScreen:
    assert isinstance(app.screen, ShiftScreen), app.screen
    return app.screen


def header(screen: ShiftScreen) -> tuple[str, str]:
    first, second = panel_text(screen.query_one(StatusBar)).split("\n")
    return first, second


async def run_minutes(pilot: Pilot[None], screen: ShiftScreen, minutes: float) -> None:
    """Run the shop `minutes` of sim time at 8× in frames of the timer's size, then repaint."""
    game = screen.game
    game.paused, game.speed = False, 8
    target = game.sim.now + minutes
    while game.sim.now < target - 1e-9 and not game.paused and not game.sim.finished:
        screen.tick(min(0.25, (target - game.sim.now) / 8))
    await pilot.pause()


# ------------------------------------------------------------------ 1, 2, 3: goals and numbers


def test_mid_shift_goodput_is_over_finished_orders_and_the_end_over_placed() -> None:
    """Nothing lost and everything on time reads 100 %, not on time ÷ placed (item 2)."""
    sim = Simulation(load_scenario("default_day"), seed=7)
    sim.run_until(50)
    metrics = sim.metrics
    assert metrics.lost == 0 and metrics.on_time == metrics.delivered > 0 < metrics.in_flight
    report = live_report(sim)
    assert report["orders_done"] == metrics.delivered
    assert report["goodput"] == 1.0 > metrics.on_time / metrics.placed
    sim.run()
    assert live_report(sim)["goodput"] == build_report(sim)["goodput"]


def test_goal_states_follow_their_bounds() -> None:
    """Met, at risk near the bound, missed past it; a count over its maximum is missed for good;
    money below its goal mid-shift is only at risk; at the end it is met or missed."""
    cases = [
        (Goal(metric="goodput", min=0.85), 0.95, GoalState.MET),
        (Goal(metric="goodput", min=0.85), 0.86, GoalState.AT_RISK),
        (Goal(metric="goodput", min=0.85), 0.80, GoalState.MISSED),
        (Goal(metric="latency_p95", max=30), 20.0, GoalState.MET),
        (Goal(metric="latency_p95", max=30), 29.99, GoalState.AT_RISK),
        (Goal(metric="latency_p95", max=30), 30.01, GoalState.MISSED),
        (Goal(metric="orders_lost_total", max=2), 1, GoalState.MET),
        (Goal(metric="orders_lost_total", max=2), 2, GoalState.AT_RISK),
        (Goal(metric="orders_lost_total", max=2), 3, GoalState.MISSED),
        (Goal(metric="profit", min=0), -50.0, GoalState.AT_RISK),
    ]
    for finished in (False, True):
        for goal, value, state in cases:
            sim = SimpleNamespace(
                scenario=SimpleNamespace(goals=Goals(main=goal)), finished=finished
            )
            report = {"orders_done": 10, "orders_late_in_flight": 0, goal.metric: value}
            (main,) = goal_standings(sim, report)  # type: ignore[arg-type]
            if finished:
                state = GoalState.MISSED if state is GoalState.MISSED else state
                state = GoalState.MET if state is GoalState.AT_RISK and value >= 0 else state
                state = GoalState.MISSED if value == -50.0 else state
            assert (main.value, main.state) == (value, state), (goal, value, finished)
    late = {"orders_done": 10, "orders_late_in_flight": 2, "goodput": 0.95}
    sim = SimpleNamespace(
        scenario=SimpleNamespace(goals=Goals(main=Goal(metric="goodput", min=0.85))),
        finished=False,
    )
    (main,) = goal_standings(sim, late)  # type: ignore[arg-type]
    assert main.state is GoalState.AT_RISK, "orders already late in flight put it at risk"


@playing
async def test_the_goals_are_in_the_header_coloured_and_marked_against_their_bounds() -> None:
    """Item 1: each goal with its value now and a mark; goodput takes its goal's colour."""
    app = level_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await past_briefing(pilot)
        bar = screen.query_one(StatusBar)
        _, goals = header(screen)
        assert "main · goodput – ≥ 85%" in goals and "bonus ✓ lost 0 ≤ 2" in goals
        seen: dict[str, Any] = {}
        while len(seen) < 2 and not screen.game.sim.finished:
            await run_minutes(pilot, screen, 5)
            screen.game.paused = False  # past the first warning's pause
            report = live_report(screen.game.sim)
            (main, *_) = goal_standings(screen.game.sim, report)
            if main.state in (GoalState.MET, GoalState.MISSED) and main.state not in seen:
                line = bar.render_line(0)
                shown = f"{round(report['goodput'] * 100)}% of {report['orders_done']} done"
                assert shown in line.text
                mark = "✓" if main.state is GoalState.MET else "✗"
                assert f"{shown} {mark}" in line.text and "! goodput" not in header(screen)[1]
                colour = next(seg.style.color for seg in line if seg.text.startswith(shown[:3]))
                seen[main.state] = colour
        assert seen[GoalState.MET] != seen[GoalState.MISSED], "not one colour at 100 % and 41 %"
        assert any(f"{mark} p95" in header(screen)[1] for mark in "✓!✗"), "p95 is marked too"


@playing
async def test_one_p95_labelled_charts_over_the_hour_goals_over_the_shift() -> None:
    """Item 3: the sparkline is the last hour's, the percentiles the whole shift's, and the
    panel says which one the goal uses."""
    app = level_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await past_briefing(pilot)
        await run_minutes(pilot, screen, 90)
        text = panel_text(screen.query_one(MetricsPanel))
        report = build_report(screen.game.sim)
        assert "LAST HOUR" in text and "SO FAR  order→door, min" in text
        bound = speed_bound()
        assert f"p95 {agreeing(report['latency_p95'], bound)}" in text
        assert f"p95 goal ≤ {bound:g} min, whole shift" in text
        assert "in flight" in text and "done" in text


def test_a_share_is_charted_on_a_fixed_scale() -> None:
    """Item 5 (visual part): 40 % busy all day is not drawn as a full bar."""
    assert sparkline([0.4] * 6, 6, peak=1.0) == "▃" * 6
    assert sparkline([0.4] * 6, 6) == "█" * 6, "scaled to itself, 40 % looks full"


def test_goal_values_print_precisely_enough_to_agree_with_their_bounds() -> None:
    """Item 20: a p95 of 29.99 against "under 30" is printed 29.99, not 30."""
    assert agreeing(29.99, 30) == "29.99"
    assert agreeing(30.004, 30) == "30.004"
    assert agreeing(12.4, 30) == "12"
    assert agreeing(30.0, 30) == "30"
    assert agreeing(0.8498, 0.85, 100) == "84.98"
    standing = GoalStanding("speed", Goal(metric="latency_p95", max=30), 29.99, GoalState.AT_RISK)
    cell = goal_cell(standing)
    assert (cell.label, cell.value, cell.bound) == ("p95", "29.99", "≤ 30 min")


# --------------------------------------------------------------------------- 6: warnings


def test_the_warnings_panel_agrees_with_the_log_and_holds_a_warning_long_enough() -> None:
    """Item 6: every warning the log shows is listed (up, or cleared) beside it, and a cleared
    warning stays for HOLD_SECONDS of played wall time and HOLD_MINUTES of sim time."""
    game = Game.start(load_scenario("lunch_rush"), 42)
    game.speed = 8
    gone: dict[str, tuple[float, float]] = {}
    cleared_at: dict[str, tuple[float, float]] = {}
    logged: set[str] = set()
    for _ in range(4000):
        game.tick(1 / 15)
        news = game.news()
        logged |= {entry.text for entry in news.entries if entry.kind == "warning"}
        listed = {w.text: w for w in game.warnings.values()}
        rows = metric_rows(game.sim, 60, live_report(game.sim), [], list(game.warnings.values()))
        for entry in news.entries:
            if entry.kind == "warning":
                assert entry.text in listed, "a fresh warning is in the panel"
                assert not any(getattr(row, "text", "") == "all calm" for row in rows)
        for text, warning in listed.items():
            if warning.cleared is not None:
                cleared_at.setdefault(text, (game.wall, game.sim.now))
            else:
                cleared_at.pop(text, None)
        for text in list(cleared_at):
            if text not in listed:
                gone[text] = (game.wall - cleared_at[text][0], game.sim.now - cleared_at[text][1])
                del cleared_at[text]
        if game.sim.finished:
            break
    assert logged and gone, "the shift raised and cleared warnings"
    for wall, minutes in gone.values():
        assert wall >= HOLD_SECONDS - 1e-9 and minutes >= HOLD_MINUTES - 1e-9


@playing
async def test_the_first_warning_of_a_level_pauses_it_once() -> None:
    app = level_app()
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await past_briefing(pilot)
        await run_minutes(pilot, screen, 6 * 60)
        game = screen.game
        assert game.paused and not game.sim.finished, "paused on the first warning"
        assert game.warnings, "the warning is on screen while paused"
        assert any("first warning" in message for _, message in notes)
        await run_minutes(pilot, screen, 60)
        assert not game.paused, "only once"


# ---------------------------------------------------- 11, 12, 18: retry, leaving, briefing


@playing
async def test_retry_opens_paused_on_the_briefing_and_its_keys_stay_there() -> None:
    """Item 11: no shift starts behind the player's back, and Enter on the briefing does not
    open a chef dialog; item 18: the briefing and the report name the seed being played."""
    app = level_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, BriefingScreen)
        assert "seed 42" in str(app.screen.query_one("Static").render())
        screen = await past_briefing(pilot)
        report = await finish(pilot)
        assert "seed 42" in text_of(report, "#headline")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen), "retry shows the briefing again"
        retried = app.screen_stack[-2]
        assert isinstance(retried, ShiftScreen) and retried is not screen
        assert retried.game.paused and retried.game.sim.now == 0
        await pilot.press("enter")
        assert app.screen is retried and not isinstance(app.screen, ChefDialog)
        assert retried.game.sim.action_log == []


@playing
async def test_escape_on_a_briefing_goes_back_to_the_title_without_starting() -> None:
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


@playing
async def test_q_asks_and_enter_saves_then_goes_back_to_the_title(home: Path) -> None:
    """Item 12: q never quits the app mid-shift; it pauses and asks. Escape resumes."""
    app = level_app("default_day", 7)
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        await pilot.press("space")
        assert not screen.game.paused
        await pilot.press("q")
        assert isinstance(app.screen, LeaveDialog) and screen.game.paused
        await pilot.press("escape")
        assert app.screen is screen and not screen.game.paused, "back to the shop, running"
        await pilot.press("q")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert [listed.save is not None for listed in listing(SAVES)] == [True]
    assert app.return_code is None, "still running until the player quits"


@playing
async def test_q_abandons_a_shift_or_stops_a_replay_without_saving(home: Path) -> None:
    app = level_app("default_day", 7)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.click("#abandon")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert listing(SAVES) == []
    sim = Simulation(load_scenario("default_day"), seed=7)
    sim.run()
    path = save_game(sim, REPLAYS)
    app = PizzaShopApp(game=Game.replay(listing(REPLAYS)[0].save), paused=True, live=False)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        dialog = app.screen
        assert isinstance(dialog, LeaveDialog) and not dialog.query("#save")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen) and path.exists()


# ------------------------------------------------------------------------ 9: report charts


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@playing
async def test_report_charts_have_a_scale_times_units_and_the_goals_threshold(
    size: tuple[int, int],
) -> None:
    app = level_app()
    async with app.run_test(size=size) as pilot:
        await past_briefing(pilot)
        report = await finish(pilot)
        charts = report.query_one(ShiftCharts)
        text = panel_text(charts)
        lines = text.split("\n")
        assert "orders delivered per hour" in text and "minutes" in text and "balance" in text
        p95 = next(i for i, line in enumerate(lines) if line.startswith("p95 order→door"))
        assert f"┄┄ goal ≤ {speed_bound():g} min (whole shift)" in lines[p95]
        assert lines[p95 + 1].startswith("  minutes, over the hour before each point")
        assert any("┄" in line for line in lines[p95 + 2 : p95 + 6]), "the threshold is drawn"
        assert lines[p95 + 2].split("┤")[0].strip().isdigit(), "a scale"
        times = lines[p95 + 7].split()
        assert len(times) >= 3 and all(t[:2].isdigit() and t[2] == ":" for t in times), times
        assert max(len(line) for line in lines) <= charts.scrollable_content_region.width


# ----------------------------------------------------------------------- 10, 15: the board


def contrast(a: Color, b: Color) -> float:
    def luminance(colour: Color) -> float:
        channels = [v / 255 for v in colour.get_truecolor()]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@playing
async def test_every_chef_state_reads_on_the_highlighted_row_in_both_themes() -> None:
    """Item 10: each state's colour keeps a contrast of at least 3:1 on the cursor row, focused
    or not, dark theme or light."""
    app = level_app("default_day", 7)
    async with app.run_test(size=SIZE) as pilot:
        board = shift(app).query_one(ShopBoard)
        console = app.console
        for theme in ("pizzashop", "pizzashop-light"):
            app.theme = theme
            for focused in (True, False):
                if focused:
                    board.focus()
                else:
                    app.screen.set_focus(None)
                await pilot.pause()
                board.refresh()
                for state in STATE_CLASS:
                    row = ChefRow("c1", "Mario", "pizza", 1, 5, state, False, "", 0, (), True)
                    text = board.render_row(row, 100)
                    at = text.plain.index(state)
                    style = text.get_style_at_offset(console, at)
                    fg, bg = style.color, style.bgcolor or board.rich_style.bgcolor
                    assert fg is not None and bg is not None
                    ratio = contrast(fg, bg)
                    assert ratio >= 3.0, f"{state} on the cursor row, {theme}, {focused}: {ratio}"


@playing
async def test_at_80x24_the_footer_keeps_save_and_leave_and_the_log_shows_seven_lines() -> None:
    """Item 15."""
    app = PizzaShopApp(load_scenario("default_day"), 7, paused=True, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = shift(app)
        await pilot.pause()
        footer = screen.query_one(ShopFooter)
        keys = {getattr(item, "action", None) for item in footer.children}
        assert {"save", "leave", "pause", "help"} <= keys
        assert screen.query_one(EventLog).scrollable_content_region.height >= 7
        assert screen.query_one(ShopBoard).scrollable_content_region.height >= 11


# ------------------------------------------------------------------------ 13: toasts


@playing
async def test_toasts_are_timed_and_never_cover_a_dialog_or_the_report() -> None:
    app = level_app("default_day", 7)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = shift(app)
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HireDialog)
        app.notify("behind the dialog")
        await pilot.pause()
        assert not dialog.query("Toast") and not app.screen.query("Toast")
        await pilot.press("escape")
        await pilot.pause()
        toasts = [str(toast.render()) for toast in screen.query("Toast")]
        assert any("behind the dialog" in toast for toast in toasts), "shown once it closed"
        assert all(note.timeout <= 10 for note in app._notifications)
        report = await finish(pilot)
        app.notify("Replay saved to somewhere")
        await pilot.pause()
        assert not report.query("Toast")
        assert "Replay saved to somewhere" in str(report.query_one("#notice").render())


# ------------------------------------------------------------------- 14: keyboard dialogs


@playing
async def test_the_hire_dialog_tabs_through_its_fields_to_cancel_before_hire() -> None:
    app = level_app("default_day", 7)
    async with app.run_test(size=SIZE) as pilot:
        sim = shift(app).game.sim
        chefs = len(sim.chefs)
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HireDialog)
        order = []
        for _ in range(4):
            focused = dialog.focused
            assert focused is not None
            order.append(focused.id)
            await pilot.press("tab")
        assert order == ["specialty", "name", "cancel", "ok"]
        await pilot.press("tab", "tab")  # from the specialty, by the name, to Cancel
        assert dialog.focused is not None and dialog.focused.id == "cancel"
        await pilot.press("enter")
        await pilot.pause()
        assert len(sim.chefs) == chefs, "Enter on Cancel hires no one"
        await pilot.press("h", "tab")  # to the name
        await pilot.press(*"Ada", "enter")
        await pilot.pause()
        assert len(sim.chefs) == chefs + 1 and "Ada" in [c.name for c in sim.chefs.values()]


@playing
async def test_a_focused_button_is_visible_without_colour() -> None:
    app = level_app("default_day", 7)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "tab", "tab")
        focused = app.screen.focused
        assert isinstance(focused, Button) and focused.rich_style.reverse


@playing
async def test_branches_keep_closing_apart_from_hiring_drivers() -> None:
    game = Game.start(load_scenario("blackout_day"), 3, mode=Mode.SANDBOX)
    app = PizzaShopApp(game=game, paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await past_briefing(pilot)
        await pilot.press("b")
        dialog = app.screen
        assert isinstance(dialog, BranchesDialog)
        closes = [b for b in dialog.query(Button) if (b.id or "").startswith("close")]
        hires = [b for b in dialog.query(Button) if (b.id or "").startswith("agents")]
        assert len(closes) == len(hires) == 2
        for row in dialog.query(".row"):
            ids = [button.id or "" for button in row.query(Button)]
            assert not any(i.startswith("close") for i in ids) or not any(
                i.startswith("agents") for i in ids
            ), ids
        assert all(str(b.label).startswith("Close ") and b.variant == "error" for b in closes)
        labels = [str(b.label) for b in dialog.query(Button)]
        assert max(labels.index(str(b.label)) for b in hires) < min(
            labels.index(str(b.label)) for b in closes
        ), "drivers first, then the branches, in sections of their own"


@playing
async def test_prep_opens_on_add_a_slot_and_a_new_slot_covers_the_hour_before_the_rush() -> None:
    app = level_app("prep_ahead", 3)
    async with app.run_test(size=SIZE) as pilot:
        screen = await past_briefing(pilot)
        sim = screen.game.sim
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PrepDialog)
        assert dialog.focused is not None and dialog.focused.id == "add"
        await pilot.press("enter")
        await pilot.pause()
        row = dialog.query(SlotRow).last()
        start, end, target = row.query(Input)
        assert dialog.focused is start
        assert (start.value, end.value) == ("11:00", "12:00")
        assert default_window(sim.scenario, 0) == (11.0, 12.0)
        assert int(target.value) == sim.scenario.components["base"].cap
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen)
        assert [(job.start, job.end) for job in sim.branches[0].prep][-1] == (11.0, 12.0)


@playing
async def test_failover_reads_on_or_off_in_words() -> None:
    app = level_app("blackout_day", 3)
    async with app.run_test(size=SIZE) as pilot:
        await past_briefing(pilot)
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, RoutingDialog)
        box = dialog.query_one("#failover", Checkbox)
        before = str(box.label)
        assert ("ON" in before) == box.value and ("OFF" in before) != box.value
        box.toggle()
        await pilot.pause()
        assert ("ON" in str(box.label)) == box.value


@playing
async def test_failover_toggled_with_space_is_applied_with_enter() -> None:
    """Space ticks the box and Enter applies the dialog: Enter on the box does not untick it."""
    app = level_app("blackout", 1010)
    async with app.run_test(size=SIZE) as pilot:
        screen = await past_briefing(pilot)
        assert not screen.game.sim.failover
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, RoutingDialog)
        box = dialog.query_one("#failover", Checkbox)
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.game.sim.failover


# ------------------------------------------------------------------------ 19: saves


def test_a_save_is_listed_at_the_minute_the_header_showed() -> None:
    assert shop_clock(11, 95.7) == "12:35"
    sim = Simulation(load_scenario("default_day"), seed=7)
    sim.run_until(95.7)
    assert sim.clock() == "12:35"
    path = save_game(sim)
    (listed,) = listing(SAVES)
    assert listed.path == path and "at 12:35 ·" in file_label(listed).plain


@playing
async def test_saves_and_replays_can_be_deleted_from_the_title_and_a_finished_one_is_a_replay(
    home: Path,
) -> None:
    sim = Simulation(load_scenario("default_day"), seed=7)
    sim.run_until(30)
    save_game(sim)
    sim.run()
    finished = save_game(sim)  # a finished game in the saves folder
    assert finished.parent == player_dir() / SAVES
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        entries = title(app).entries
        assert [e.kind for key, e in entries.items() if key.startswith("save:")] == ["save"]
        assert any(
            e.file and e.file.path == finished for e in entries.values() if e.kind == "replay"
        )
        await highlight(pilot, "save:0")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the focus is on "Keep it"
        await pilot.pause()
        assert len([listed for listed in listing(SAVES)]) == 2
        await pilot.press("d")
        dialog = app.screen
        await pilot.press("left")  # the arrows move between the buttons, as Tab does
        assert dialog.focused is dialog.query_one("#ok", Button)
        await pilot.press("right")
        assert dialog.focused is dialog.query_one("#cancel", Button)
        await pilot.press("left", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert [listed.path for listed in listing(SAVES)] == [finished]


# -------------------------------------------------------------------- 22, 23: words, keys


@playing
async def test_loss_causes_are_not_cut_at_120_columns() -> None:
    scenario = load_scenario("default_day")
    app = PizzaShopApp(scenario, 7, paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = shift(app).query_one(MetricsPanel)
        from pizzashop.ui.metric_rows import LOSS_LABELS, LossRow

        width = panel.scrollable_content_region.width
        for label in LOSS_LABELS.values():
            assert panel.render_row(LossRow(label, 3, 5), width).plain.startswith(label)
        await pilot.pause()


def test_one_customer_is_not_customers() -> None:
    assert singular_counts("1 customers gave up, 11 customers waited") == (
        "1 customer gave up, 11 customers waited"
    )


STOCK = {"Theme", "Screenshot", "Keys", "Quit", "Maximize", "Minimize"}


@pytest.mark.parametrize("hosted", [False, True])
@playing
async def test_the_palette_offers_the_games_own_commands_only(
    hosted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 23 and issue #9 item 6: no stock command, none that writes a screenshot."""
    if hosted:
        monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sandbox" in titles and "Lab" in titles and not STOCK & set(titles)
        await pilot.press("enter", "enter")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Leave the shift…" in titles and not STOCK & set(titles)
        assert not any("screenshot" in t.lower() for t in titles)


@playing
async def test_the_title_help_lists_the_title_keys() -> None:
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = dict(help_screen.keys)
        assert {"s", "v", "l", "d"} <= set(keys) and "h" not in keys


def test_every_goal_of_every_level_reads_in_words_in_the_header() -> None:
    """The header names a goal's figure as a player reads it ("p50 14 min"), never by the
    report's field name ("latency_p50")."""
    from pizzashop.sim.catalog import bundled_levels, bundled_scenarios

    paths = [*bundled_levels().values(), *bundled_scenarios().values()]
    seen = 0
    for path in paths:
        goals = load_scenario(str(path)).goals
        for tier in ("main", "bonus", "speed"):
            goal = goals and getattr(goals, tier)
            if goal is None:
                continue
            cell = goal_cell(GoalStanding(tier, goal, 1.0, GoalState.MET))
            assert "_" not in cell.label and "." not in cell.label, (path.stem, cell)
            if goal.metric.startswith("latency_"):
                assert cell.bound.endswith(" min"), (path.stem, cell)
            seen += 1
    assert seen > 20
