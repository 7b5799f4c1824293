"""Why was that order late? The screen alone says it (issue #11, the simulation's half, seen).

Played with Pilot at 80×24 and 120×40: the log follows every order and names where a late one's
time went; the metrics panel and the report split order-to-door time the same way; the worst
moments count lateness; chefs busy agrees with the board; every coin moves with a log line; the
remap meter and its hint appear only where hashing is in play.
"""

from __future__ import annotations

import pytest
from helpers import STRESS, chefs, collect, lab
from test_first_hour_sim import busy_between
from test_ui_campaign import finish, past_briefing, text_of
from test_ui_first_hour import level_app, run_minutes, shift
from test_ui_play import panel_text, playing
from textual.pilot import Pilot
from textual.widgets import Select

from pizzashop.player.library import save_game
from pizzashop.player.saves import load_save
from pizzashop.sim import LogEntry, build_report
from pizzashop.sim.live import live_report
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs import LogFilterDialog
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.widgets.event_log import EVERYDAY, EventLog
from pizzashop.ui.widgets.metrics import MetricsPanel
from pizzashop.ui.widgets.status import StatusBar

pytestmark = pytest.mark.usefixtures("home")

SIZES = [(80, 24), (120, 40)]


async def play_to(pilot: Pilot[None], screen: ShiftScreen, minute: float) -> None:
    """Run the shop to `minute` at 8×, resuming after the pause a level's first warning makes,
    then pause (which shows every log line still waiting for the next showing)."""
    while screen.game.sim.now < minute - 1e-9 and not screen.game.sim.finished:
        await run_minutes(pilot, screen, minute - screen.game.sim.now)
    if not screen.game.paused:
        await pilot.press("space")
    await pilot.pause()


def log_lines(screen: ShiftScreen) -> list[str]:
    """The log as the player sees it: one line per row, cut to the panel's width."""
    log = screen.query_one(EventLog)
    width = log.scrollable_content_region.width
    lines = []
    for row in log.rows:
        text = log.render_row(row, width)
        text.truncate(width, overflow="ellipsis")
        lines.append(text.plain)
    return lines


def visible_log(screen: ShiftScreen) -> list[str]:
    log = screen.query_one(EventLog)
    top, height = round(log.scroll_y), log.scrollable_content_region.height
    return log_lines(screen)[top : top + height]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@playing
async def test_a_late_order_s_line_says_where_its_time_went(size: tuple[int, int]) -> None:
    """Delivery crunch: orders wait at the door for drivers. Each late delivery has its line,
    and at either size the line shows, uncut, how late it was and the part that grew."""
    app = level_app("delivery_crunch", 1111)
    async with app.run_test(size=size) as pilot:
        screen = await past_briefing(pilot)
        await play_to(pilot, screen, 200)
        sim = screen.game.sim
        late = [e for e in sim.metrics.log if e.kind == "late"]
        assert late
        lines = log_lines(screen)
        for entry in late:
            line = next(line for line in lines if f"order #{entry.order} late" in line)
            assert "min: " in line and "waiting for a driver" in line, line
        visible = visible_log(screen)
        assert visible[-1] == lines[-1]  # the log follows the newest line


@playing
async def test_the_log_filter_shows_the_late_orders_alone() -> None:
    app = level_app("delivery_crunch", 1111)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await past_briefing(pilot)
        await play_to(pilot, screen, 200)
        await pilot.press("f")
        dialog = app.screen
        assert isinstance(dialog, LogFilterDialog)
        assert {"placed", "cooking", "delivered", "late", "money"} <= set(dialog.kinds)
        dialog.query_one("#kind", Select).value = "late"
        await pilot.click("#ok")
        await pilot.pause()
        log = screen.query_one(EventLog)
        rows = [row for row in log.rows if isinstance(row, LogEntry)]
        assert rows and {row.kind for row in rows} == {"late"}
        assert log.border_title == "log · late · all branches"


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@playing
async def test_the_metrics_panel_splits_order_to_door_time(size: tuple[int, int]) -> None:
    """Mean minutes in the queue, cooking, waiting for a driver and on the road, for delivered
    orders and the late ones, as the report defines them; in view at 80×24 too."""
    app = level_app("delivery_crunch", 1111)
    async with app.run_test(size=size) as pilot:
        screen = await past_briefing(pilot)
        await play_to(pilot, screen, 200)
        report = live_report(screen.game.sim)
        panel = screen.query_one(MetricsPanel)
        text = panel_text(panel).split("\n")
        head = next(i for i, line in enumerate(text) if line.startswith("mean "))
        assert text[head].split() == ["mean", "queue", "cook", "driver", "road"]
        for label, key in (("all", "latency_split"), ("late", "latency_split_late")):
            row = text[head + (1 if label == "all" else 2)].split()
            expected = [f"{report[key][part]:.0f}" for part in ("queue", "cooking", "driver")]
            assert row[:4] == [label, *expected], row
        assert head + 2 < panel.scrollable_content_region.height  # no scrolling to find it


@playing
async def test_a_shop_without_drivers_splits_into_queue_and_cooking() -> None:
    shop = lab(demand={"rate_per_hour": 9})
    app = PizzaShopApp(shop, 3, paused=True, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = shift(app)
        await run_minutes(pilot, screen, 120)
        text = panel_text(screen.query_one(MetricsPanel))
        assert "mean   queue cook\n" in text + "\n" and "driver" not in text
        late = [line for line in log_lines(screen) if " late, " in line]
        assert late and all("road" not in line for line in late)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@playing
async def test_the_report_splits_latency_and_its_worst_moments_are_late_ones(
    size: tuple[int, int],
) -> None:
    """Delivery crunch played without a driver more: hardly a loss, most orders late. The
    report must not say "No bad moments": its worst quarter hours are late ones, waiting for a
    driver, and its figures say where the time went."""
    app = level_app("delivery_crunch", 1111)
    async with app.run_test(size=size) as pilot:
        await past_briefing(pilot)
        report_screen = await finish(pilot)
        report = build_report(report_screen.game.sim)
        figures = text_of(report_screen, "#figures")
        split = report["latency_split"]
        assert f"where it went   queue {split['queue']:.0f} · cooking" in figures
        assert f"late orders     {report['orders_late']}: queue" in figures
        assert "of their time on duty" in figures
        moments = text_of(report_screen, "#moments")
        assert "No bad moments" not in moments
        assert moments.count("late, mostly waiting for a driver") == 3


@playing
async def test_a_quiet_day_has_no_bad_moments() -> None:
    app = level_app("opening_day", 101)
    async with app.run_test(size=(120, 40)) as pilot:
        await past_briefing(pilot)
        report_screen = await finish(pilot)
        report = build_report(report_screen.game.sim)
        assert report["orders_lost_total"] == report["orders_late"] == 0
        assert text_of(report_screen, "#moments").strip() == (
            "No bad moments: no order was lost or late."
        )


# ------------------------------------------------------------------------ 5: chefs busy


@playing
async def test_chefs_busy_is_the_last_window_s_busy_time_not_a_glance() -> None:
    """The panel's "chefs busy" is the busy share of on-duty chef time over the last window,
    worked out here from every item's 10 minutes at the oven, whatever the chefs happen to be
    doing at the instant of the sample."""
    shop = lab(demand={"rate_per_hour": 14}, branch={"chefs": chefs("A", "B", "C")})
    app = PizzaShopApp(shop, 3, paused=True, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = shift(app)
        sim = screen.game.sim
        done = collect(sim)
        await run_minutes(pilot, screen, 92)
        last = sim.metrics.samples[-1]
        assert last.time == 90.0  # the chefs were busy half the window, idle at its end
        orders = [*done, *sim.orders.values()]
        cooked = [(t.started, t.started + 10.0) for o in orders for t in o.tasks if t.started >= 0]
        share = busy_between(cooked, last.time - 5.0, last.time) / (3 * 5.0)
        glance = sum(c.state.value == "cooking" for c in sim.chefs.values()) / 3
        busy = next(
            line
            for line in panel_text(screen.query_one(MetricsPanel)).split("\n")
            if line.startswith("chefs busy")
        )
        assert busy.split()[2] == f"{share:.0%}", (busy, share, glance)


# ------------------------------------------------------------------- 21: every coin logged


@playing
async def test_money_spent_while_paused_shows_in_the_log_at_once() -> None:
    """Hiring while paused: the header's money falls, and the log says why, before any sim time
    passes."""
    app = level_app("chefs_day_off", 404)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await past_briefing(pilot)
        await run_minutes(pilot, screen, 30)
        if not screen.game.paused:
            await pilot.press("space")
        now = screen.game.sim.now
        await pilot.press("h")
        await pilot.click("#ok")
        await pilot.pause()
        assert screen.game.sim.now == now
        balance = round(screen.game.sim.ledger.balance)
        header = panel_text(screen.query_one(StatusBar)).split("\n")[0]
        assert f"money {balance:,}" in header
        money = [line for line in visible_log(screen) if "money" in line.split()[:2]]
        fee = f"{screen.game.sim.scenario.staff.hire_cost:,g}"  # the level's agency fee
    assert money and money[-1].endswith(f"−{fee} hiring → {balance:,}"), money


# -------------------------------------------------------------- 7: remaps only where in play


@playing
async def test_a_backup_on_chefs_day_off_remaps_nobody() -> None:
    """Level 4 has no regulars and no hashing router: hiring a backup and marking them logs no
    remap, shows no remap meter and offers no consistent-hashing hint."""
    app = level_app("chefs_day_off", 404)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await past_briefing(pilot)
        before = [c.name for c in screen.game.sim.chefs.values()]
        await pilot.press("h")
        await pilot.click("#ok")
        await play_to(pilot, screen, 200)
        after = [c.name for c in screen.game.sim.chefs.values()]
        assert after[: len(before)] == before and len(after) == len(before) + 1, (before, after)
        assert not [e for e in screen.game.sim.metrics.log if e.kind == "remap"]
        assert "REMAP METER" not in panel_text(screen.query_one(MetricsPanel))
        assert "consistent_hashing" not in pilot.app.offered  # type: ignore[attr-defined]


@playing
async def test_regulars_who_know_their_chef_meter_the_remaps() -> None:
    app = level_app("regulars")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await past_briefing(pilot)
        await pilot.press("h")
        await pilot.click("#ok")
        await run_minutes(pilot, screen, 5)
        text = panel_text(screen.query_one(MetricsPanel))
        assert "REMAP METER  regulars, if hashed" in text and "moved:" in text
        assert any(" remap " in f" {line} " for line in log_lines(screen))


# ------------------------------------------------------- many lines at once still follow


@playing
async def test_running_the_log_shows_everyday_lines_once_a_second_and_the_rest_at_once() -> None:
    """At 8× many frames bring an order's line, and each showing repaints the whole log: the
    orders' and the money's lines are shown together once a wall second; a warning, an action
    or an outage shows at once, with everything waiting; pausing shows everything."""
    app = level_app("regulars")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await past_briefing(pilot)
        sim, log = screen.game.sim, screen.query_one(EventLog)
        await pilot.press("4")
        showings, shown, busy_frames, logged = 0, len(log.rows), 0, sim.metrics.log_total
        for _ in range(150):  # ten wall seconds in frames of the timer's size
            screen.game.paused = False
            screen.tick(1 / 15)
            busy_frames += sim.metrics.log_total != logged
            logged = sim.metrics.log_total
            showings += len(log.rows) != shown
            shown = len(log.rows)
            on_screen = set(log.rows)
            assert all(e in on_screen for e in sim.metrics.log if e.kind not in EVERYDAY)
        urgent = sum(e.kind not in EVERYDAY for e in sim.metrics.log)
        assert showings <= 10 + urgent < busy_frames / 2, (showings, urgent, busy_frames)
        await pilot.press("space")
        assert screen.game.paused and list(log.rows) == list(sim.metrics.log)


@playing
async def test_a_frame_with_many_new_lines_still_shows_the_newest() -> None:
    """One long frame (a slow machine at 8×, the step after a pause) brings a screenful of
    lines at once, before the log has a scrollbar: the panel still shows the newest."""
    app = level_app("lunch_rush", 42)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await past_briefing(pilot)
        await pilot.press("4")
        screen.tick(60 / 8)
        await pilot.pause()
        lines = log_lines(screen)
        assert len(lines) > screen.query_one(EventLog).scrollable_content_region.height
        assert visible_log(screen)[-1] == lines[-1]


@playing
async def test_a_continued_game_s_log_shows_its_newest_lines() -> None:
    """A saved game continues with its whole log at once; the panel follows the newest line."""
    app = level_app("lunch_rush", 42)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await past_briefing(pilot)
        await play_to(pilot, screen, 150)
        path = save_game(screen.game.sim)
    resumed = PizzaShopApp(game=Game.resume(load_save(path)), paused=True, live=False)
    async with resumed.run_test(size=(80, 24)) as pilot:
        screen = await past_briefing(pilot)
        lines = log_lines(screen)
        assert len(lines) > 20 and any(" placed " in line for line in lines)
        assert visible_log(screen)[-1] == lines[-1]


@playing
async def test_filtering_on_warnings_finds_those_the_order_lines_pushed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A busy day's order lines roll the bounded log over; a filter on the shop's own kinds
    still lists every warning, read from where they are kept apart."""
    monkeypatch.setattr("pizzashop.sim.metrics.LOG_LIMIT", 80)
    app = PizzaShopApp(STRESS, 0, paused=True, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = shift(app)
        await play_to(pilot, screen, 200)
        metrics = screen.game.sim.metrics
        warnings = [e for e in metrics.shop_log if e.kind == "warning"]
        assert len(warnings) > len([e for e in metrics.log if e.kind == "warning"])
        await pilot.press("f")
        dialog = app.screen
        assert isinstance(dialog, LogFilterDialog) and "warning" in dialog.kinds
        dialog.query_one("#kind", Select).value = "warning"
        await pilot.click("#ok")
        await pilot.pause()
        assert list(screen.query_one(EventLog).rows) == warnings
