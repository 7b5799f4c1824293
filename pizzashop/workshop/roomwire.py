"""The room's protocol: one JSON object per line over the server's Unix socket.

Three kinds of peer speak it. A *seat* (a participant's game) says hello with the token the
server put in its environment, then reports its state a few times a second, each action it
applies and its final figures; the server sends it the room, the gate, pauses, game-day
disruptions (each with the sim minute to apply it at), notices and the end. A *control* client
(`pizzashop room …`, `room watch`) sends one command at a time and reads one reply.

Everything a peer sends is untrusted: a line is at most `CLIENT_LINE_LIMIT` bytes, a connection
sends at most `RATE` lines a second (bursts of `BURST`), and each message is validated here
before anyone reads a field of it. Replies are ASCII JSON, so no byte of a peer's text reaches a
terminal unescaped.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from pizzashop.sim import Action, LossCause
from pizzashop.sim.actions import MAX_MINUTES

SOCKET_NAME = "room.sock"
"""In the server's data directory, owner-only."""
SOCKET_VARIABLE = "PIZZASHOP_ROOM_SOCKET"
TOKEN_VARIABLE = "PIZZASHOP_ROOM_TOKEN"
"""A seat's environment: where the room is, and the token that makes it this seat."""
CLIENT_LINE_LIMIT = 16 * 1024
SERVER_LINE_LIMIT = 4 * 1024 * 1024
"""A welcome carries the scenario and, for a seat that reconnects, its actions so far."""
RATE = 40.0
BURST = 200.0
TOKEN_LIMIT = 128
MAX_COUNT = 10**9
PHASES = ("lobby", "playing", "paused", "ended")
SEAT_STATES = ("lobby", "playing", "paused", "finished", "disconnected")
CAUSES = tuple(cause.value for cause in LossCause)


class ProtocolError(Exception):
    """A line that is too long, not JSON, or not a message this side accepts."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of ASCII JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """A line as a JSON object with a `type`, or a ProtocolError."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        raise ProtocolError("not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("not a message")
    return data


async def read_message(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, None at the end of the stream; a line over the reader's limit is a
    ProtocolError (the reader was opened with the limit this side accepts)."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise ProtocolError("a line cut short") from None
        return None
    except asyncio.LimitOverrunError:
        raise ProtocolError("a line too long") from None
    return decode(line)


class RateLimit:
    """A token bucket: `rate` messages a second on average, `burst` at once."""

    def __init__(
        self, rate: float = RATE, burst: float = BURST, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens = burst
        self._last = clock()

    def allow(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


# ------------------------------------------------------------------- messages from peers


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Minute = Annotated[float, Field(ge=0, le=MAX_MINUTES)]


class Hello(_Message):
    type: Literal["hello"]
    role: Literal["seat", "control"]
    token: str | None = Field(None, min_length=1, max_length=TOKEN_LIMIT)


class SeatState(_Message):
    """A seat's shift as it stands: sent a few times a second."""

    type: Literal["state"]
    minute: Minute
    speed: int = Field(ge=0, le=64)
    paused: bool
    finished: bool = False
    placed: Count
    delivered: Count
    on_time: Count
    lost: dict[Literal[CAUSES], Count] = Field(default_factory=dict)  # type: ignore[valid-type]
    money: float = Field(ge=-1e15, le=1e15)
    routing: str = Field("", max_length=64)


class ActionTaken(_Message):
    """An action the seat's simulation applied (its own, or a game day's with `injection`)."""

    type: Literal["action"]
    action: Action
    ok: bool
    injection: int | None = Field(None, ge=0, le=MAX_COUNT)


class Final(_Message):
    """The figures of a finished shift, as the report has them."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    goodput: float = Field(ge=0, le=1)
    score: int = Field(ge=-(10**15), le=10**15)
    stars: int = Field(0, ge=0, le=3)
    won: bool = False
    orders_placed: Count
    orders_on_time: Count
    orders_lost: dict[Literal[CAUSES], Count]  # type: ignore[valid-type]
    orders_lost_total: Count
    profit: float = Field(ge=-1e15, le=1e15)
    latency_p95: float = Field(ge=0, le=MAX_MINUTES)
    kitchen_strategy: str = Field(max_length=200)
    branch_strategy: str = Field(max_length=64)
    failover: bool = False
    branches: int = Field(1, ge=1, le=1000)
    ended_at: Minute

    @property
    def routing(self) -> str:
        return routing_text(self.kitchen_strategy, self.branch_strategy, self.failover,
                            self.branches)  # fmt: skip


class Done(_Message):
    type: Literal["done"]
    report: Final


SeatMessage = Annotated[SeatState | ActionTaken | Done, Field(discriminator="type")]
SEAT_MESSAGE: TypeAdapter[SeatState | ActionTaken | Done] = TypeAdapter(SeatMessage)


class Command(_Message):
    """`pizzashop room COMMAND`: a round's control, a game day's disruption, or a notice.

    `target` is the branch or area of an outage, or the chef of a leave."""

    type: Literal["control"]
    command: Literal[
        "status", "start", "pause", "resume", "end", "outage", "rush", "leave", "announce"
    ]
    target: str | None = Field(None, min_length=1, max_length=64)
    factor: float | None = None
    minutes: float | None = None
    text: str | None = Field(None, max_length=1000)


def routing_text(kitchen: str, branch: str, failover: bool, branches: int) -> str:
    """How a seat routes, in a few words: the kitchens' strategy, and with several branches the
    branch routing and failover (a blackout's lesson)."""
    if branches < 2:
        return kitchen
    return f"{kitchen} · {branch}{' + failover' if failover else ''}"


def final_of(report: dict[str, Any], failover: bool, branches: int) -> dict[str, Any]:
    """A finished shift's report as a seat sends it (with what routing it ended with)."""
    return report | {"failover": failover, "branches": branches}


def parse_seat_message(data: dict[str, Any]) -> SeatState | ActionTaken | Done:
    try:
        return SEAT_MESSAGE.validate_python(data)
    except ValidationError as error:
        raise ProtocolError(_first(error)) from None


def parse_hello(data: dict[str, Any]) -> Hello:
    try:
        return Hello.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(_first(error)) from None


def parse_command(data: dict[str, Any]) -> Command:
    try:
        return Command.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(_first(error)) from None


ACTION: TypeAdapter[Action] = TypeAdapter(Action)


def parse_action(data: dict[str, Any]) -> Action:
    try:
        return ACTION.validate_python(data)
    except ValidationError as error:
        raise ProtocolError(_first(error)) from None


def _first(error: ValidationError) -> str:
    """The first problem, as `field: message`, bounded (it may quote the peer's input)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "message"
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"[:200]
