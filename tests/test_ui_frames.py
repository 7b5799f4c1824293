"""What a running game costs between the player's keys: frames only when the clock's minute can
change, none while paused, nothing repainted under a dialog, a footer rebuilt only when its keys
change. (The figures are bench/ui_frame.py's; these tests hold the behaviour that gives them.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_ui_campaign import highlight, title
from test_ui_play import SIZE, new_app, panel_text, playing, shift
from textual.widgets._footer import FooterKey

from pizzashop.player.library import save_game
from pizzashop.sim import Simulation, load_scenario
from pizzashop.ui import frames
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.frames import FRAME_RATE, MAX_LATE, SLACK, FrameClock
from pizzashop.ui.game import Game
from pizzashop.ui.screens.help import HelpScreen
from pizzashop.ui.widgets.event_log import EventLog
from pizzashop.ui.widgets.footer import Footer
from pizzashop.ui.widgets.status import StatusBar

pytestmark = pytest.mark.usefixtures("home")


class Timers:
    """A stand-in for the app's timers: records each one; `fire` runs the pending one."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.pending: list[tuple[Callable[[], None], list[bool]]] = []

    def set_timer(self, delay: float, callback: Callable[[], None], name: str = "") -> Any:
        self.delays.append(delay)
        stopped = [False]
        self.pending.append((callback, stopped))

        class Handle:
            def stop(self) -> None:
                stopped[0] = True

        return Handle()

    def fire(self) -> None:
        live = [(callback, stopped) for callback, stopped in self.pending if not stopped[0]]
        assert len(live) == 1, f"{len(live)} timers pending, not one"
        self.pending.clear()
        live[0][0]()


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 100.0
        monkeypatch.setattr(frames, "monotonic", lambda: self.now)


def started(
    next_change: Callable[[], float | None], played: list[float]
) -> tuple[FrameClock, Timers]:
    timers = Timers()
    clock = FrameClock(played.append, next_change)

    class Screen:
        app = timers

    clock.start(Screen())  # type: ignore[arg-type]
    return clock, timers


def test_game_says_when_its_clock_shows_the_next_minute() -> None:
    game = Game(Simulation(load_scenario("default_day")), speed=4)
    game.sim.advance(10.25)
    assert game.next_change() == pytest.approx(0.75 / 4), "three quarters of a minute at 4×"
    game.speed = 1
    assert game.next_change() == pytest.approx(0.75)
    game.paused = True
    assert game.next_change() is None, "nothing changes while paused"
    game.paused = False
    game.sim.run()
    assert game.next_change() is None, "nor once the shift is over"


def test_frames_come_when_something_can_change_and_never_while_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock, played = Clock(monkeypatch), []
    change: list[float | None] = [0.5]
    frames_clock, timers = started(lambda: change[0], played)
    assert timers.delays == [0.5 + SLACK], "the first frame when the next minute begins"
    clock.now += 0.5 + SLACK
    timers.fire()
    assert played == [pytest.approx(0.5 + SLACK)], "the frame plays the wall time since the last"
    change[0] = None  # paused
    clock.now += 1.0
    timers.fire()
    assert timers.pending == [], "paused: no frame is waiting"
    change[0] = 0.001  # the lab, hours a second
    frames_clock.restart()
    assert timers.delays[-1] == pytest.approx(1 / FRAME_RATE), "never more than FRAME_RATE"


def test_a_late_frame_never_jumps_far_ahead_and_catching_up_plays_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock, played = Clock(monkeypatch), []
    frames_clock, timers = started(lambda: 1.0, played)
    clock.now += 30.0  # a suspended terminal
    timers.fire()
    assert played == [pytest.approx(1.0 + SLACK + MAX_LATE)]
    clock.now += 0.4
    frames_clock.catch_up()  # the player changes the speed mid-frame
    assert played[-1] == pytest.approx(0.4)
    timers.fire()  # exactly one frame is waiting: the one scheduled after catching up
    assert len(played) == 3


@playing
async def test_under_the_help_the_shift_runs_unpainted_and_repaints_when_it_shows() -> None:
    app = new_app("regulars")
    app.warned.add("regulars")  # its first warning would pause it: not this test's point
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # past the briefing
        screen = shift(app)
        screen.game.paused = False
        status, log = screen.query_one(StatusBar), screen.query_one(EventLog)
        before, lines = panel_text(status), len(log.rows)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        for _ in range(90):  # a frame each sim minute, as the frame clock would run them
            screen.tick(1.0)
        assert screen.game.sim.now == pytest.approx(90.0), "the shop kept running"
        assert panel_text(status) == before, "nothing behind the help was repainted"
        assert len(log.rows) == lines
        assert screen.hint is not None, "the codex has something to say about the day"
        assert not str(log.border_subtitle).startswith("c: about"), "but not behind the help"
        await pilot.press("escape")
        await pilot.pause()
        assert str(log.border_subtitle).startswith("c: about"), "it says it now"
        assert "12:30" in panel_text(status), "shown again: the clock is the sim's"
        assert len(log.rows) > lines, "and the log lines written meanwhile are there"
        logged = [(entry.time, entry.text) for entry in log.rows]
        assert logged == [(e.time, e.text) for e in screen.game.sim.metrics.log]


@playing
async def test_a_warning_under_the_help_still_pauses_a_campaign_level() -> None:
    app = PizzaShopApp(load_scenario("lunch_rush"), paused=False, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # past the briefing
        screen = shift(app)
        await pilot.press("question_mark")
        while not screen.game.sim.warnings and not screen.game.sim.finished:
            screen.tick(0.5)
        assert screen.game.sim.warnings, "lunch rush warns before it loses an order"
        assert screen.game.paused, "the first warning paused the shift behind the help"


@playing
async def test_the_footer_is_rebuilt_only_when_its_keys_change(home: Any) -> None:
    save_game(Simulation(load_scenario("default_day")))
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        footer = title(app).query_one(Footer)

        def keys() -> dict[str, FooterKey]:
            return {key.action: key for key in footer.query(FooterKey)}

        await highlight(pilot, "level:opening_day")
        await pilot.pause()
        shown = keys()
        await highlight(pilot, "level:lunch_rush")
        await highlight(pilot, "scenario:default_day")
        await pilot.pause()
        assert keys() == shown, "the same keys: the same widgets, not rebuilt"
        assert "delete" not in shown, "nothing to delete on a scenario"
        await highlight(pilot, "save:0")
        await pilot.pause()
        assert "delete" in keys(), "a save can be deleted: the footer says so"
