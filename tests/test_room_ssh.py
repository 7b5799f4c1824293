"""An instructor's room end to end: `serve ssh --room`, real SSH clients (asyncssh) as the
participants and `pizzashop room …` as the instructor. Everyone waits in the lobby, starts
together on the room's level and seed, loses the power at the same sim minute, and is ranked
when the round ends — with the figures a headless run of the same day gives."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from helpers import eventually, invoke

from pizzashop.hosting.probe import HostedServer, Player
from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.sim import actions as A
from pizzashop.workshop.leaderboard import Leaderboard

T = TypeVar("T")
ROOM = '[room]\ntitle = "Class of 9:00"\nlevel = "blackout"\nseed = 42\ngate = true\n'
ROOM += "speeds = [1, 2, 4]\n"
PLAYERS = ("ada", "bob", "cy")
SIZE = (120, 40)


def run(coroutine: Awaitable[T], timeout: float = 180.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


async def room(*argv: str) -> str:
    """The instructor's command (its own event loop, in a thread); it must succeed."""
    result = await asyncio.to_thread(invoke, "room", *argv)
    assert result.code == 0, result.err
    return result.out


async def seats() -> dict[str, dict[str, Any]]:
    return {seat["player"]: seat for seat in json.loads(await room("status", "--json"))}


async def until_seats(check: Any, timeout: float = 60.0) -> dict[str, dict[str, Any]]:
    """Poll `room status --json` until `check(seats)` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check(found := await seats()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {found}"
        await asyncio.sleep(0.2)
    return found


def room_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, places: int, per_process: int = 1
) -> HostedServer:
    """`serve ssh --room` on the class's room file; the instructor's commands find its socket."""
    home = tmp_path / "server"
    home.mkdir()
    (tmp_path / "room.toml").write_text(ROOM)
    monkeypatch.setenv("PIZZASHOP_HOME", str(home))
    options = ("--room", str(tmp_path / "room.toml"), "--max-sessions", str(places))
    return HostedServer(home, *options, "--games-per-process", str(per_process))


@pytest.mark.parametrize("per_process", [1, 3], ids=["a process a seat", "a table of three"])
def test_a_round_in_a_room_over_ssh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_process: int
) -> None:
    home = tmp_path / "server"
    with room_server(tmp_path, monkeypatch, 5, per_process) as server:
        if per_process > 1:  # a game that comes before the template is spawned, not seated
            assert eventually(lambda: "game template ready" in server.log_text(), timeout=90)
        found, ranking, outage = run(class_of_three(server.port))
        assert "room 'Class of 9:00': blackout seed 42" in server.log_text()
        seated = server.log_text().count(", seated as game ")
    assert seated == (3 if per_process > 1 else 0)
    board = Leaderboard(home / "leaderboard.sqlite3")
    try:
        (round_name,) = {entry.round for entry in board.round_ranking(ranking[0]["round"])}
        entries = board.round_ranking(round_name)
    finally:
        board.close()
    assert [(e.name, e.goodput, e.score, e.routing) for e in entries] == [
        (row["player"], row["goodput"], row["score"], row["routing"]) for row in ranking
    ], "one entry per participant, in the room's order"
    assert {e.routing for e in entries} == {"shared · nearest"}
    # Nobody but ada acted: bob's and cy's day is the level's, with the outage at T, exactly.
    day = Simulation(load_scenario("blackout"), seed=42, room=True)
    day.schedule([A.PowerOutage(at=outage, branch="Central", minutes=30)])
    day.run()
    report = build_report(day)
    for name in ("bob", "cy"):
        figures = (found[name]["goodput"], found[name]["score"])
        assert figures == (report["goodput"], report["score"])
    assert found["ada"]["score"] != report["score"], "her hire changed her day"


def test_a_seat_forked_from_the_game_template_takes_its_place_in_the_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template is started before any room seat exists: each forked game must get the room's
    socket and its own token from its request, exactly as a spawned game does."""
    with room_server(tmp_path, monkeypatch, 3) as server:
        assert eventually(lambda: "game template ready" in server.log_text(), timeout=90)

        async def join() -> dict[str, dict[str, Any]]:
            async with Player(server.port, "ada", SIZE) as ada, Player(server.port, "bob", SIZE):
                await ada.wait_for("Waiting for the instructor — 2 players here", timeout=60)
                return await until_seats(lambda s: len(s) == 2)

        found = run(join())
        started = server.started()
    assert {name: how for name, (_, how) in started.items()} == {"ada": "forked", "bob": "forked"}
    assert {(s["state"], s["level"]) for s in found.values()} == {("lobby", "blackout")}


async def class_of_three(port: int) -> tuple[dict, list[dict], float]:
    async with (
        Player(port, "ada", SIZE) as ada,
        Player(port, "bob", SIZE) as bob,
        Player(port, "cy", SIZE) as cy,
    ):
        players = {"ada": ada, "bob": bob, "cy": cy}
        for player in players.values():
            await player.wait_for("players here", timeout=60)
        await cy.wait_for("Waiting for the instructor — 3 players here")
        found = await until_seats(lambda s: len(s) == 3)
        assert {(s["state"], s["level"], s["seed"]) for s in found.values()} == {
            ("lobby", "blackout", 42)
        }
        for player in players.values():  # the lobby shows the room's level and seed
            await player.wait_for("seed 42")
            await player.wait_for("Blackout")
        marks = {name: len(p.output) for name, p in players.items()}
        assert (await room("start")) == "the round has started (3 seats)\n"
        for name, player in players.items():
            await player.wait_for("ROOM", since=marks[name])
        await until_seats(lambda s: all(x["state"] == "playing" for x in s.values()))
        bob.type(b"2")  # 2×: ahead of the others, so the game day's minute is his + a lead
        await hire(ada)
        await until_seats(lambda s: s["bob"]["speed"] == 2)
        marks = {name: len(p.output) for name, p in players.items()}
        said = await room("outage", "Central", "--minutes", "30")
        assert said.startswith("game day: the instructor cuts the power at Central at ")
        outage = float(said.split("(sim minute ")[1].split(")")[0])
        for name, player in players.items():
            await player.wait_for("game day: the instructor cuts the power", since=marks[name])
        found = await until_seats(
            lambda s: all(len(x["gameday"]) == 1 for x in s.values()), timeout=90
        )
        for seat in found.values():
            assert seat["gameday"] == [{"id": 0, "at": outage, "used": outage}]
            assert seat["out_of_step"] == []
        for name, player in players.items():
            await player.wait_for("power cut at Central", since=marks[name])
        marks = {name: len(p.output) for name, p in players.items()}
        assert (await room("end")).startswith("the round is over")
        for name, player in players.items():
            await player.wait_for("End of shift", since=marks[name], timeout=60)
        found = await until_seats(lambda s: all(x["state"] == "finished" for x in s.values()))
        status = json.loads((await asyncio.to_thread(invoke, "room", "status", "--json")).out)
        assert {s["player"] for s in status} == set(PLAYERS)
        table = await room("status")
        assert "ranking (goodput, then score):" in table
    reply_rows = await ranking_rows()
    expected = sorted(found.values(), key=lambda s: (-s["goodput"], -s["score"], s["player"]))
    assert [row["player"] for row in reply_rows] == [s["player"] for s in expected]
    return found, reply_rows, outage


async def hire(player: Player) -> None:
    """Hire a chef at Central through the dialog: h, Tab to the name (left blank), Enter. On a
    loaded machine a key can land before the dialog has its focus: then close it and again."""
    for _ in range(5):
        mark = len(player.output)
        player.type(b"h")
        await player.wait_for("Hire a chef", since=mark)
        player.type(b"\t\r")
        try:
            await until_seats(lambda s: s[player.name]["actions"] >= 1, timeout=10)
            return
        except AssertionError:
            player.type(b"\x1b")  # the dialog (or its list) closes; a second one, the other
            await asyncio.sleep(0.5)
            player.type(b"\x1b")
    raise AssertionError("no hire in five tries")


async def ranking_rows() -> list[dict[str, Any]]:
    from pizzashop.workshop.roomclient import ask_once

    reply = await ask_once("status")
    return [row | {"round": reply["round"]} for row in reply["ranking"]]
