"""The room's socket (`serve ssh --room`), driven by scripted seats and the real command line:
owner-only, one seat per token, bounded input, commands in one line, and a round whose seats
are finished and recorded when it ends."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from helpers import invoke, room_file, serving_room

from pizzashop.hosting.room import RoomHost
from pizzashop.sim import InputError, Simulation, build_report
from pizzashop.sim import actions as A
from pizzashop.workshop.leaderboard import Leaderboard
from pizzashop.workshop.roomwire import (
    CLIENT_LINE_LIMIT,
    SERVER_LINE_LIMIT,
    SOCKET_VARIABLE,
    TOKEN_VARIABLE,
    encode,
    read_message,
)

T = TypeVar("T")
LOG = logging.getLogger("test-room")


class Seat:
    """A scripted game on the room's socket."""

    def __init__(self, env: dict[str, str]) -> None:
        self.path, self.token = env[SOCKET_VARIABLE], env[TOKEN_VARIABLE]
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter

    async def __aenter__(self) -> Seat:
        self.reader, self.writer = await asyncio.open_unix_connection(
            self.path, limit=SERVER_LINE_LIMIT
        )
        self.send({"type": "hello", "role": "seat", "token": self.token})
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.writer.close()

    def send(self, message: dict[str, Any]) -> None:
        self.writer.write(encode(message))

    async def next(self, kind: str | None = None) -> dict[str, Any]:
        """The next message (of `kind`), within a few seconds."""
        while True:
            message = await asyncio.wait_for(read_message(self.reader), 10)
            assert message is not None, "the server closed the connection"
            if kind is None or message["type"] == kind:
                return message

    async def closed(self) -> bool:
        """Whether the server closes this connection (reading what it still sends)."""
        try:
            while await asyncio.wait_for(self.reader.read(65536), 10):
                pass
        except ConnectionError:
            pass
        return True


def hosted(test: Callable[[RoomHost], Awaitable[T]], **settings: Any) -> T:
    async def main() -> T:
        async with serving_room(**settings) as host:
            return await asyncio.wait_for(test(host), 60)

    return asyncio.run(main())


async def cli(*argv: str):
    """The command line, as the instructor runs it (its own event loop, in a thread)."""
    return await asyncio.to_thread(invoke, "room", *argv)


def test_the_socket_is_owner_only_and_a_stale_one_is_replaced(home: Path) -> None:
    home.mkdir()
    (home / "room.sock").write_text("left over by a server killed with -9")

    async def check(host: RoomHost) -> None:
        assert stat.S_IMODE(host.path.stat().st_mode) == 0o600
        second = RoomHost(room_file(), LOG, max_seats=4)
        with pytest.raises(InputError, match="running already"):
            await second.start()

    hosted(check)
    assert not (home / "room.sock").exists(), "removed when the server stops"


def test_a_connection_from_another_user_is_closed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(host: RoomHost) -> None:
        env = host.seat_environment("ada")
        monkeypatch.setattr("pizzashop.hosting.room.os.getuid", lambda: 4242)
        async with Seat(env) as seat:
            assert await seat.closed()
        assert host.round.players() == 0

    hosted(check)


@pytest.mark.parametrize(
    "first",
    [
        b'{"type": "hello", "role": "seat", "token": "not-a-seat"}\n',
        b'{"type": "hello", "role": "seat"}\n',
        b"not json at all\n",
        b'{"type": "state", "minute": 3}\n',
        b"x" * (CLIENT_LINE_LIMIT + 10) + b"\n",
        b'["a list"]\n',
    ],
)
def test_a_connection_that_is_not_a_seat_or_the_instructor_is_closed(
    home: Path, first: bytes
) -> None:
    async def check(host: RoomHost) -> None:
        reader, writer = await asyncio.open_unix_connection(str(host.path))
        writer.write(first)
        assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
        assert (await cli("status", "--json")).code == 0, "the room still answers"

    hosted(check)


def test_a_seat_speaks_for_itself_once_and_one_that_floods_is_cut_off(home: Path) -> None:
    async def check(host: RoomHost) -> None:
        ada, bob = host.seat_environment("ada"), host.seat_environment("bob")
        async with Seat(ada) as first, Seat(bob) as other:
            await first.next("welcome")
            await other.next("welcome")
            async with Seat(ada) as twin:
                assert await twin.closed(), "a second game with the same token is refused"
            state = {"type": "state", "minute": 5, "speed": 1, "paused": False, "placed": 3,
                     "delivered": 1, "on_time": 1, "money": 12.5}  # fmt: skip
            for _ in range(400):
                first.send(state)
            assert await first.closed()
            other.send(state | {"minute": 7})
            await asyncio.sleep(0.2)
            seats = {s["player"]: s for s in json.loads((await cli("status", "--json")).out)}
            assert seats["bob"]["sim_minute"] == 7 and seats["bob"]["state"] == "playing"
            assert seats["ada"]["state"] == "disconnected"

    hosted(check)


def test_the_instructors_commands_reach_every_seat(home: Path) -> None:
    async def check(host: RoomHost) -> None:
        envs = [host.seat_environment(name) for name in ("ada", "bob")]
        async with Seat(envs[0]) as ada, Seat(envs[1]) as bob:
            for seat in (ada, bob):
                assert (await seat.next("welcome"))["phase"] == "lobby"
            status = await cli("status", "--json")
            seats = json.loads(status.out)
            assert [(s["player"], s["state"], s["level"], s["seed"]) for s in seats] == [
                ("ada", "lobby", "blackout", 11), ("bob", "lobby", "blackout", 11),
            ]  # fmt: skip
            assert {"sim_minute", "goodput", "orders_lost"} <= set(seats[0])
            started = await cli("start")
            assert (started.code, started.out) == (0, "the round has started (2 seats)\n")
            for seat in (ada, bob):
                await seat.next("start")
            outage = await cli("outage", "north", "--minutes", "15")
            assert outage.code == 0
            assert outage.out.startswith("game day: the instructor cuts the power at every branch")
            injected = [await seat.next("inject") for seat in (ada, bob)]
            assert injected[0] == injected[1] and injected[0]["action"]["area"] == "north"
            told = await cli("announce", "back", "at", "15:00")
            assert told.out == "announced: back at 15:00 (2 seats)\n"
            assert (await ada.next("announce"))["text"] == "back at 15:00"
            table = (await cli("status")).out
            assert "blackout, seed 11 — playing" in table and "ada" in table
            assert "game day: the instructor cuts the power" in table
            for argv, problem in (
                (("outage", "Moon", "--minutes", "5"), "no branch or area 'Moon'"),
                (("start",), "the round is playing already"),
                (("resume",), "not paused"),
                (("rush", "--factor", "2", "--minutes", "0"), "out of range"),
            ):
                refused = await cli(*argv)
                assert refused.code == 2 and refused.out == "" and problem in refused.err
                assert refused.err.count("\n") == 1

    hosted(check, gate=True)


def test_no_room_is_one_line_and_status_2(home: Path) -> None:
    for argv in (("status",), ("start",), ("watch",), ("announce", "hi")):
        result = invoke("room", *argv)
        assert result.code == 2 and result.out == ""
        assert result.err.startswith(f"pizzashop: error: room {argv[0]}: no room is running here")
        assert result.err.count("\n") == 1


def test_the_end_finishes_seats_that_are_gone_and_records_one_entry_each(home: Path) -> None:
    """A seat that reported its actions and left is finished by the server from them — the
    same figures its game would have reported — and goes on the leaderboard with the others."""

    async def check(host: RoomHost) -> list:
        ada, bob = host.seat_environment("ada"), host.seat_environment("bob")
        scenario = host.room.scenario
        async with Seat(bob) as seat:
            await seat.next("welcome")
        async with Seat(ada) as seat:
            await seat.next("welcome")
            hire = A.Hire(at=3.5, branch="North", specialty="pizza")
            seat.send({"type": "action", "action": hire.model_dump(mode="json"), "ok": True})
            seat.send({"type": "state", "minute": 4, "speed": 2, "paused": False, "placed": 1,
                       "delivered": 0, "on_time": 0, "money": 1})  # fmt: skip
            await asyncio.sleep(0.2)
        outage = json.loads((await cli("status", "--json")).out)
        assert {s["player"]: s["state"] for s in outage} == {
            "ada": "disconnected", "bob": "disconnected",
        }  # fmt: skip
        assert (await cli("outage", "Central", "--minutes", "30")).code == 0
        assert (await cli("end")).code == 0
        for _ in range(200):
            if not host.round.unfinished():
                break
            await asyncio.sleep(0.05)
        expected = Simulation(scenario, seed=11, room=True)
        at = host.round.injections[0].at
        expected.schedule([hire, A.PowerOutage(at=at, branch="Central", minutes=30)])
        expected.run()
        report = build_report(expected)
        board = Leaderboard()
        try:
            ranking = board.round_ranking(host.round.name)
        finally:
            board.close()
        assert [(e.name, e.goodput, e.score) for e in ranking if e.name == "ada"] == [
            ("ada", report["goodput"], report["score"])
        ]
        return ranking

    ranking = hosted(check, gate=False)
    assert [entry.name for entry in ranking] == ["ada"], "bob never played: no result"
    assert ranking[0].level == "blackout" and ranking[0].seed == 11
