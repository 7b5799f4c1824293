"""The browser server's places: one seat per browser and player name, so a reload takes its own
seat back — even with every place taken — instead of queueing behind the game it replaces.

A page that reloads opens its new game connection while the old game is still ending; a cap
that counted games would refuse it and lock the player out of their own place. A seat is
counted once from the first game of its key until its last has ended and no newer game of the
same key waits for it: a newer game ends the older one and inherits its place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from pizzashop.hosting.limits import Slots


@dataclass
class _Seat:
    claims: int = 0
    """Games of this key so far: the newest one is the one that may sit."""
    waiting: int = 0
    """Games of this key waiting for the seat."""
    sitting: int | None = None
    """The claim of the game in the seat, if any."""
    vacant: asyncio.Event = field(default_factory=asyncio.Event)
    stand_up: Callable[[], None] | None = None
    """Asks the game in the seat to end (it then calls `Seats.leave`)."""


@dataclass(frozen=True)
class Ticket:
    """A game's hold on its seat."""

    key: Hashable
    claim: int


class Seats:
    """At most `capacity` seats; each key (a browser and a name) has at most one game in its own."""

    def __init__(self, capacity: int) -> None:
        self.slots = Slots(capacity)
        self._seats: dict[Hashable, _Seat] = {}

    @property
    def capacity(self) -> int:
        return self.slots.capacity

    @property
    def in_use(self) -> int:
        return self.slots.in_use

    @property
    def full(self) -> bool:
        return self.slots.in_use >= self.slots.capacity

    def holds(self, key: Hashable) -> bool:
        """Does `key` hold a seat (a game playing, ending or about to start)?"""
        return key in self._seats

    def has_room_for(self, key: Hashable) -> bool:
        return self.holds(key) or not self.full

    async def take(self, key: Hashable, stand_up_within: float) -> Ticket | None:
        """A seat for a new game of `key`: its own if it holds one (the game in it is asked to
        end, and has `stand_up_within` seconds to), else a free one; None when there is none,
        or when a still newer game of the same key came along meanwhile."""
        seat = self._seats.get(key)
        if seat is None:
            if not self.slots.acquire():
                return None
            seat = self._seats[key] = _Seat()
            seat.vacant.set()
        seat.claims += 1
        claim = seat.claims
        seat.waiting += 1
        try:
            if seat.sitting is not None and seat.stand_up is not None:
                seat.stand_up()
            await asyncio.wait_for(seat.vacant.wait(), stand_up_within)
        except TimeoutError:
            pass
        except BaseException:  # the player left while waiting: the seat is not theirs
            seat.waiting -= 1
            self._free_if_empty(key, seat)
            raise
        seat.waiting -= 1
        if seat.claims == claim and seat.sitting is None:
            seat.sitting = claim
            seat.vacant.clear()
            return Ticket(key, claim)
        self._free_if_empty(key, seat)
        return None

    def on_stand_up(self, ticket: Ticket, stand_up: Callable[[], None]) -> None:
        """How to end the game holding `ticket` when a newer game of its key wants the seat
        (at once, if one came while this one was starting)."""
        seat = self._seats.get(ticket.key)
        if seat is not None and seat.sitting == ticket.claim:
            seat.stand_up = stand_up
            if seat.waiting:
                stand_up()

    def leave(self, ticket: Ticket) -> None:
        """The game holding `ticket` has ended: its seat goes to a newer game of its key that is
        waiting for it, or back to the pool."""
        seat = self._seats.get(ticket.key)
        if seat is None or seat.sitting != ticket.claim:
            return
        seat.sitting = None
        seat.stand_up = None
        seat.vacant.set()
        self._free_if_empty(ticket.key, seat)

    def _free_if_empty(self, key: Hashable, seat: _Seat) -> None:
        if seat.sitting is None and seat.waiting == 0 and self._seats.get(key) is seat:
            del self._seats[key]
            self.slots.release()
