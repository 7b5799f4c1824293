"""A participant's game in an instructor's room, through the Textual UI with Pilot, against the
room's real socket: the lobby, the room's level and seed, its speeds, the game day at the room's
minute, the room's pause, the end and the report — and the seat given back after a drop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from helpers import serving_room
from textual.widgets import Static

from pizzashop.hosting.room import RoomHost
from pizzashop.sim import ChefState
from pizzashop.sim import actions as A
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.lobby import LobbyScreen
from pizzashop.ui.screens.report import ReportScreen
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.seat import RoomSeat
from pizzashop.ui.widgets.status import HELD_TAG, StatusBar
from pizzashop.workshop.roomwire import Command

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("home")


def in_a_room(
    test: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    """Run the test body with a room (blackout, seed 11, speeds 1 2 4, a gate) serving."""

    def run() -> None:
        async def main() -> None:
            async with serving_room(gate=True, speeds=[1, 2, 4], unlock=["regulars"]) as host:
                await asyncio.wait_for(test(host), 90)

        asyncio.run(main())

    run.__name__, run.__doc__ = test.__name__, test.__doc__
    return run


def seat_app(host: RoomHost, player: str) -> tuple[PizzaShopApp, list[str]]:
    env = host.seat_environment(player)
    seat = RoomSeat(Path(env["PIZZASHOP_ROOM_SOCKET"]), env["PIZZASHOP_ROOM_TOKEN"])
    app = PizzaShopApp(live=False, seat=seat)
    notes: list[str] = []
    notify = app.notify

    def noting(message: str, **options: Any) -> None:
        notes.append(message)
        notify(message, **options)

    app.notify = noting  # type: ignore[method-assign]
    return app, notes


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def command(host: RoomHost, name: str, **fields: Any) -> dict[str, Any]:
    reply = host.round.command(Command(type="control", command=name, **fields))
    assert reply["ok"], reply
    return reply


@in_a_room
async def test_a_seat_waits_plays_the_rooms_day_and_is_ranked(host: RoomHost) -> None:
    app, notes = seat_app(host, "ada")
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, LobbyScreen) and "1 player" in text(
            app.screen, "#lobby-status"))  # fmt: skip
        lobby = app.screen
        assert "Waiting for the instructor — 1 player here" in text(lobby, "#lobby-status")
        assert "seed 11" in text(lobby, "#lobby-about") and "Blackout" in text(
            lobby, "#lobby-about")  # fmt: skip
        assert "regulars" in app.career.unlocked(), "the room opens it"
        other, _ = seat_app(host, "bob")
        async with other.run_test(size=SIZE):
            await until(lambda: "2 players" in text(lobby, "#lobby-status"))
        command(host, "start")
        await until(lambda: isinstance(app.screen, ShiftScreen))
        screen = app.screen
        assert isinstance(screen, ShiftScreen)
        game = screen.game
        assert game.sim.room and game.sim.seed == 11 and game.sim.now == 0
        assert game.sim.scenario == host.room.scenario
        assert screen.check_action("speed", (4,)) and not screen.check_action("speed", (8,))
        await pilot.press("4")
        assert game.speed == 1, "8× is not one of the room's speeds"
        await pilot.press("3")
        assert game.speed == 4
        screen.tick(1.0)
        await until(lambda: host.round.seats["ada"].minute >= 4.0)
        reply = command(host, "outage", target="Central", minutes=20)
        at = reply["at"]
        await until(lambda: any("cuts the power at Central" in note for note in notes))
        while game.sim.now <= at + 1:
            screen.tick(0.25)
        cuts = [e.time for e in game.sim.metrics.log if e.text == "power cut at Central"]
        assert cuts == [at], "the outage at exactly the room's minute"
        await until(lambda: host.round.seats["ada"].applied == {0: at})
        command(host, "pause")
        await until(lambda: game.held)
        now = game.sim.now
        screen.tick(1.0)
        await pilot.press("space")
        assert game.sim.now == now and not game.paused, "held: the player cannot resume"
        assert HELD_TAG in str(screen.query_one(StatusBar).render_line(0).text)
        command(host, "resume")
        await until(lambda: not game.held)
        command(host, "end")
        await until(lambda: isinstance(app.screen, ReportScreen))
        assert game.sim.finished
        await until(lambda: host.round.seats["ada"].result is not None)
        result = host.round.seats["ada"].result
        assert result is not None and [r["player"] for r in host.round.ranking()] == ["ada"]
        assert result.orders_placed == game.sim.metrics.placed
        assert not app.career.progress.levels, "a room's shift is the room's to record"


@in_a_room
async def test_a_participant_who_drops_gets_their_seat_back_exactly(host: RoomHost) -> None:
    command(host, "start")
    app, _ = seat_app(host, "cy")
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, BriefingScreen))
        await pilot.press("enter")  # a seat that comes in through an open gate is briefed
        await until(lambda: isinstance(app.screen, ShiftScreen))
        screen = app.screen
        assert isinstance(screen, ShiftScreen)
        game = screen.game
        screen.tick(0.25)
        screen.send(A.Upgrade(chef="Mario"))
        for _ in range(8):
            screen.tick(0.25)
        await until(
            lambda: (
                len(host.round.seats["cy"].actions) == 1
                and host.round.seats["cy"].minute == game.sim.now
            )
        )
        minute, log = game.sim.now, list(game.sim.metrics.log)
        mario = next(c for c in game.sim.chefs.values() if c.name == "Mario")
        level = mario.level
    await until(lambda: not host.round.seats["cy"].connected)
    again, notes = seat_app(host, "cy")
    async with again.run_test(size=SIZE):
        await until(lambda: isinstance(again.screen, ShiftScreen))
        back = again.screen
        assert isinstance(back, ShiftScreen)
        assert back.game.sim.now == minute and list(back.game.sim.metrics.log) == log
        chef = next(c for c in back.game.sim.chefs.values() if c.name == "Mario")
        assert chef.level == level > 1 and chef.state is not ChefState.ON_LEAVE
        assert any("Your seat is back" in note for note in notes)
