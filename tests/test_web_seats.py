"""The browser server's seats: a reload takes its own seat back in a full room, a stranger
never slips into a seat being handed over, and no way of leaving loses a place for good."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from pizzashop.hosting.seats import Seats, Ticket

T = TypeVar("T")


def run(coroutine: Awaitable[T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, 10)

    return asyncio.run(bounded())


def test_the_cap_holds_and_a_freed_seat_is_taken() -> None:
    async def play() -> None:
        seats = Seats(1)
        ada = await seats.take("ada", 1)
        assert ada is not None and seats.full
        assert await seats.take("bob", 1) is None
        seats.leave(ada)
        assert not seats.full and seats.in_use == 0
        assert await seats.take("bob", 1) is not None

    run(play())


def test_a_newer_game_of_the_same_key_takes_the_seat_over_and_no_stranger_slips_in() -> None:
    async def play() -> list[str]:
        seats = Seats(1)
        events: list[str] = []
        first = await seats.take("ada", 1)
        assert first is not None

        def stand_up() -> None:  # the old game takes a moment to end, then leaves
            events.append("asked to stand up")

            async def end(ticket: Ticket) -> None:
                await asyncio.sleep(0.05)
                events.append("stranger: " + str(await seats.take("bob", 0.01)))
                seats.leave(ticket)
                events.append(f"left, {seats.in_use} in use")

            asyncio.get_running_loop().create_task(end(first))

        seats.on_stand_up(first, stand_up)
        assert seats.has_room_for("ada") and not seats.has_room_for("bob")
        second = await seats.take("ada", 1)
        events.append(f"took over: {second is not None}, {seats.in_use} in use")
        assert second is not None
        seats.leave(first)  # a late second leave of the old game changes nothing
        assert seats.in_use == 1 and seats.holds("ada")
        seats.leave(second)
        assert seats.in_use == 0 and not seats.holds("ada")
        return events

    assert run(play()) == [
        "asked to stand up",
        "stranger: None",
        "left, 1 in use",
        "took over: True, 1 in use",
    ]


def test_only_the_newest_of_several_reloads_gets_the_seat() -> None:
    async def play() -> tuple[list[bool], int]:
        seats = Seats(2)
        old = await seats.take("ada", 1)
        assert old is not None
        waiting = [asyncio.ensure_future(seats.take("ada", 1)) for _ in range(3)]
        await asyncio.sleep(0.01)
        seats.leave(old)
        got = await asyncio.gather(*waiting)
        in_use = seats.in_use
        for ticket in got:
            if ticket is not None:
                seats.leave(ticket)
        return [ticket is not None for ticket in got], in_use + 10 * seats.in_use

    assert run(play()) == ([False, False, True], 1)


def test_no_way_of_leaving_loses_a_place() -> None:
    async def play() -> list[int]:
        seats = Seats(1)
        counts = []
        stuck = await seats.take("ada", 1)  # a game that will not stand up in time
        assert stuck is not None
        assert await seats.take("ada", 0.05) is None, "the reload gives up"
        counts.append(seats.in_use)
        gone = asyncio.ensure_future(seats.take("ada", 5))  # a reload whose page goes away
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        counts.append(seats.in_use)
        seats.leave(stuck)
        counts.append(seats.in_use)
        assert await seats.take("bob", 0.01) is not None, "the place came back"
        return counts

    assert run(play()) == [1, 1, 0]


def test_a_reload_that_comes_while_the_old_game_starts_is_not_kept_waiting() -> None:
    async def play() -> tuple[bool, list[str]]:
        seats = Seats(1)
        asked: list[str] = []
        starting = await seats.take("ada", 1)
        assert starting is not None
        reload = asyncio.ensure_future(seats.take("ada", 5))
        await asyncio.sleep(0.01)  # the old game has not said how to end it yet

        def stand_up() -> None:
            asked.append("stand up")
            seats.leave(starting)

        seats.on_stand_up(starting, stand_up)  # its game has started
        got = await asyncio.wait_for(reload, 1)
        return got is not None, asked

    assert run(play()) == (True, ["stand up"])
