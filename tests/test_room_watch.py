"""`pizzashop room watch`, the projector's console, with Pilot against the room's real socket and
scripted seats: the seats live and sorted, the controls as keys, the final ranking."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from helpers import serving_room
from rich.console import Console
from textual.widgets import DataTable, Static

from pizzashop.hosting.room import RoomHost
from pizzashop.sim import Simulation, build_report
from pizzashop.ui.roomwatch import RoomWatchApp, WatchScreen
from pizzashop.ui.screens.dialogs.gameday import GameDayDialog
from pizzashop.workshop.roomwire import (
    SERVER_LINE_LIMIT,
    SOCKET_VARIABLE,
    TOKEN_VARIABLE,
    encode,
)

pytestmark = pytest.mark.usefixtures("home")


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def seat(host: RoomHost, player: str) -> asyncio.StreamWriter:
    env = host.seat_environment(player)
    _, writer = await asyncio.open_unix_connection(env[SOCKET_VARIABLE], limit=SERVER_LINE_LIMIT)
    writer.write(encode({"type": "hello", "role": "seat", "token": env[TOKEN_VARIABLE]}))
    return writer


def state(minute: float, on_time: int, lost: int) -> dict[str, Any]:
    counts = {"placed": 10, "delivered": on_time, "on_time": on_time, "lost": {"gave_up": lost}}
    return {"type": "state", "minute": minute, "speed": 2, "paused": False, "money": 5.0} | counts


def rows(app: RoomWatchApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_the_console_shows_every_seat_runs_the_round_and_ranks_it() -> None:
    async def main() -> None:
        async with serving_room(gate=True, speeds=[1, 2, 4]) as host:
            await asyncio.wait_for(console(host), 60)

    async def console(host: RoomHost) -> None:
        writers = {name: await seat(host, name) for name in ("ada", "bob", "cy")}
        app = RoomWatchApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: isinstance(app.screen, WatchScreen) and len(rows(app)) == 3)
            head = str(app.screen.query_one("#watch-head", Static).render())
            assert "blackout, seed 11" in head and "LOBBY" in head and "3 players" in head
            assert [row[2] for row in rows(app)] == ["lobby"] * 3
            await pilot.press("s")
            await until(lambda: host.round.phase == "playing")
            for writer, (on_time, lost) in zip(
                writers.values(), ((4, 4), (8, 0), (6, 2)), strict=True
            ):
                writer.write(encode(state(30, on_time, lost)))
            await until(lambda: [row[1] for row in rows(app)] == ["bob", "cy", "ada"])
            assert [row[5] for row in rows(app)] == ["100.0%", "75.0%", "50.0%"]
            assert rows(app)[2][9] == "gave up 4", "losses by cause"
            await pilot.press("g")
            await until(lambda: [row[1] for row in rows(app)] == ["ada", "bob", "cy"])
            await pilot.press("o")
            await until(lambda: isinstance(app.screen, GameDayDialog))
            await pilot.press("enter")
            await until(lambda: len(host.round.injections) == 1)
            assert host.round.injections[0].action.kind == "outage"
            await until(lambda: "cuts the power" in str(
                app.screen.query_one("#watch-gameday", Static).render()))  # fmt: skip
            await pilot.press("space")
            await until(lambda: host.round.phase == "paused")
            await pilot.press("space")
            await until(lambda: host.round.phase == "playing")
            await pilot.press("e")
            await pilot.press("tab", "enter")  # past "Keep it" to "End it"
            await until(lambda: host.round.phase == "ended")
            for writer in writers.values():
                writer.close()
            await until(lambda: not host.round.unfinished(), timeout=30)
            await until(lambda: app.screen.query_one("#watch-ranking").display)
            console = Console(width=120, record=True, file=io.StringIO())
            console.print(app.screen.query_one("#watch-final", Static).content)
            final = console.export_text()
            assert "Final ranking" in final
            expected = Simulation(host.room.scenario, seed=11, room=True)
            expected.schedule([host.round.injections[0].action])
            expected.run()
            goodput = json.loads(json.dumps(build_report(expected)))["goodput"]
            assert f"{goodput:.1%}" in final, "the seats, finished by the server"

    asyncio.run(main())
