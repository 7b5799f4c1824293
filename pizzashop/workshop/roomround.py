"""A round in an instructor's room: the seats, the start gate, pauses, game-day disruptions at one
sim minute for everyone, the end, and the ranking.

No sockets here: the server hands it what seats and the instructor send and delivers what it
sends back (`deliver(seat, message)`), so a test drives it with a fake clock. Every seat plays
the room's scenario and seed; the server keeps each seat's actions, so a participant who drops
and comes back gets the same game back, exactly, and a seat that is gone when the round ends is
finished headless from its actions, as its game would have finished it.

The same sim minute everywhere: seats report their minute a few times a second; a disruption is
set for T = the furthest a playing seat can have got (its last report, moved on by the time
since at its speed) plus a lead of a wall second at the fastest speed the room allows (at least
`MIN_LEAD_MINUTES`), rounded up to a whole minute. Every seat schedules it at exactly T; a seat
already past T applies it at once and says at which minute, and shows as out of step.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pizzashop.sim import Action, Simulation, build_report
from pizzashop.sim import actions as A
from pizzashop.sim.pace import MINUTES_PER_SECOND
from pizzashop.sim.shop import wall_clock
from pizzashop.workshop.leaderboard import clean_name
from pizzashop.workshop.room import Room, clean_line
from pizzashop.workshop.roomwire import (
    ActionTaken,
    Command,
    Done,
    Final,
    ProtocolError,
    SeatState,
    final_of,
    parse_action,
)

STALE_SECONDS = 3.0
"""A seat whose last report is older than this does not set T (it is stuck, or gone)."""
LEAD_SECONDS = 1.0
"""Wall time for a disruption to reach every seat, at the fastest speed the room allows."""
MIN_LEAD_MINUTES = 2.0
SPARK_MINUTES = 5.0
SPARK_POINTS = 48
"""A seat's goodput sparkline: a point every 5 sim minutes, the last 4 hours."""
MAX_ACTIONS = 5000
"""Actions kept per seat: past this the seat plays on, but cannot be restored or finished by the
server (it shows as disconnected if it drops)."""
MAX_SEATS = 500
MAX_INJECTIONS = 200
MOVES: dict[str, tuple[frozenset[str], str, str]] = {
    "start": (frozenset({"lobby"}), "playing", "the round is {phase} already"),
    "pause": (frozenset({"playing"}), "paused", "the round is {phase}: nothing to pause"),
    "resume": (frozenset({"paused"}), "playing", "the round is {phase}, not paused"),
    "end": (frozenset({"lobby", "playing", "paused"}), "ended", "the round is {phase} already"),
}
"""The round's phases: command -> (the phases it may follow, the phase it leads to, why not)."""


@dataclass
class Injection:
    id: int
    at: float
    action: Action
    text: str

    def message(self) -> dict[str, Any]:
        return {
            "type": "inject",
            "id": self.id,
            "at": self.at,
            "action": self.action.model_dump(mode="json"),
            "text": self.text,
        }


@dataclass
class Seat:
    """One participant's place in the room: what their game last reported, and its actions."""

    name: str
    token: str
    connected: bool = False
    joined: bool = False
    report: SeatState | None = None
    reported_at: float = 0.0
    actions: list[Action] = field(default_factory=list)
    restorable: bool = True
    applied: dict[int, float] = field(default_factory=dict)
    """Injection id -> the sim minute the seat applied it at."""
    result: Final | None = None
    spark: deque[float] = field(default_factory=lambda: deque(maxlen=SPARK_POINTS))
    _spark_minute: float = -SPARK_MINUTES

    @property
    def minute(self) -> float:
        return self.report.minute if self.report is not None else 0.0

    @property
    def goodput(self) -> float | None:
        """The report's goodput once finished; before, on-time over orders done (as live)."""
        if self.result is not None:
            return self.result.goodput
        report = self.report
        if report is None:
            return None
        done = report.delivered + sum(report.lost.values())
        return report.on_time / done if done else None


class Round:
    """The room's round: seats, phase (lobby, playing, paused, ended), disruptions, results."""

    def __init__(
        self,
        room: Room,
        deliver: Callable[[str, dict[str, Any]], None],
        record: Callable[[Seat, Final], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        name: str = "",
    ) -> None:
        self.room = room
        self.name = name or time.strftime("%Y-%m-%d %H:%M:%S")
        """The round's id on the leaderboard."""
        self.phase = "lobby" if room.gate else "playing"
        self.seats: dict[str, Seat] = {}
        self.injections: list[Injection] = []
        self.notice: str | None = None
        self._deliver = deliver
        self._record = record
        self._clock = clock
        self._tokens: dict[str, str] = {}

    # ------------------------------------------------------------------ seats

    def admit(self, player: str) -> tuple[str, str]:
        """A game is starting for `player`: (its seat's name, the token for its environment).

        A player who comes back while their seat is disconnected gets that seat again (a new
        token: the old game is gone); a second game under a name in use gets a seat of its own.
        """
        base = clean_name(player)
        name, number = base, 1
        while name in self.seats and self.seats[name].connected:
            number += 1
            name = clean_name(f"{base[:20]} {number}")
        if name not in self.seats and len(self.seats) >= MAX_SEATS:
            raise ProtocolError(f"the room has {MAX_SEATS} seats already")
        token = secrets.token_hex(16)
        seat = self.seats.get(name)
        if seat is None:
            seat = self.seats[name] = Seat(name, token)
        else:
            self._tokens.pop(seat.token, None)
            seat.token = token
        self._tokens[token] = name
        return name, token

    def seat_of(self, token: str) -> str | None:
        """The seat a game's token is for, unless that seat's game is connected already."""
        name = self._tokens.get(token)
        seat = self.seats.get(name or "")
        return None if seat is None or seat.connected else seat.name

    def join(self, name: str) -> None:
        """The seat's game is connected: it gets the welcome; the lobby, its new count."""
        seat = self.seats[name]
        seat.connected = seat.joined = True
        self._deliver(name, self.welcome(seat))
        self._lobby_count()

    def left(self, name: str) -> None:
        seat = self.seats.get(name)
        if seat is not None and seat.connected:
            seat.connected = False
            self._lobby_count()

    def welcome(self, seat: Seat) -> dict[str, Any]:
        """Everything a seat's game needs: the room, the phase, the disruptions it has still to
        apply, and — for a seat that comes back — its actions so far and its minute."""
        restore = None
        if seat.actions or seat.minute > 0 or seat.result is not None:
            restore = {
                "minute": max([seat.minute, *(action.at for action in seat.actions)]),
                "actions": [action.model_dump(mode="json") for action in seat.actions],
                "finished": seat.result is not None,
            }
        return {
            "type": "welcome",
            "seat": seat.name,
            "round": self.name,
            "room": self.room.public(),
            "phase": self.phase,
            "players": self.players(),
            "injections": [i.message() for i in self.injections if i.id not in seat.applied],
            "restore": restore,
            "notice": self.notice,
        }

    def players(self) -> int:
        return sum(seat.connected for seat in self.seats.values())

    def _lobby_count(self) -> None:
        if self.phase == "lobby":
            self._broadcast({"type": "lobby", "players": self.players()})

    def _broadcast(self, message: dict[str, Any]) -> None:
        for seat in self.seats.values():
            if seat.connected:
                self._deliver(seat.name, message)

    def seat_message(self, name: str, message: SeatState | ActionTaken | Done) -> None:
        """What a seat's game reports; only about itself (the connection is its seat's)."""
        seat = self.seats[name]
        if isinstance(message, SeatState):
            seat.report = message
            seat.reported_at = self._clock()
            goodput = seat.goodput
            if goodput is not None and message.minute >= seat._spark_minute + SPARK_MINUTES:
                seat.spark.append(goodput)
                seat._spark_minute = message.minute - message.minute % SPARK_MINUTES
        elif isinstance(message, ActionTaken):
            if len(seat.actions) >= MAX_ACTIONS:
                seat.restorable = False
            elif seat.restorable:
                seat.actions.append(message.action)
            if message.injection is not None and message.injection < len(self.injections):
                seat.applied.setdefault(message.injection, message.action.at)
        else:
            self._settle(seat, message.report)

    # ---------------------------------------------------------------- control

    def command(self, command: Command) -> dict[str, Any]:
        """The instructor's command: a reply with `ok`, and `error` (one line) when refused."""
        try:
            if command.command in MOVES:
                return self._move(command)
            if command.command == "status":
                return self._status(command)
            if command.command == "announce":
                return self._announce(command)
            return self._inject(command)
        except ProtocolError as error:
            return {"type": "reply", "ok": False, "error": str(error)}

    def _reply(self, **fields: Any) -> dict[str, Any]:
        return {"type": "reply", "ok": True, "phase": self.phase, **fields}

    def _status(self, command: Command) -> dict[str, Any]:
        return self._reply(
            title=self.room.title,
            round=self.name,
            level=self.room.scenario.name,
            seed=self.room.seed,
            speeds=list(self.room.speeds),
            notice=self.notice,
            players=self.players(),
            targets=self.targets(),
            seats=self.status(),
            ranking=self.ranking(),
            injections=[
                {"id": i.id, "at": i.at, "clock": self.clock(i.at), "text": i.text}
                for i in self.injections
            ],
        )

    def _move(self, command: Command) -> dict[str, Any]:
        """Start, pause, resume or end: from the phases it may follow, to its own, told to every
        seat at once."""
        before, after, refusal = MOVES[command.command]
        if self.phase not in before:
            raise ProtocolError(refusal.format(phase=self._phase_text()))
        self.phase = after
        self._broadcast({"type": command.command})
        return self._reply(players=self.players())

    def _announce(self, command: Command) -> dict[str, Any]:
        text = clean_line(command.text or "")
        if not text:
            raise ProtocolError("an announcement needs some text")
        self.notice = text
        self._broadcast({"type": "announce", "text": text})
        return self._reply(text=text, players=self.players())

    def _phase_text(self) -> str:
        return {"lobby": "in the lobby", "ended": "over"}.get(self.phase, self.phase)

    def _inject(self, command: Command) -> dict[str, Any]:
        if self.phase in ("lobby", "ended"):
            raise ProtocolError(f"the round is {self._phase_text()}: no game day now")
        if len(self.injections) >= MAX_INJECTIONS:
            raise ProtocolError(f"{MAX_INJECTIONS} disruptions in one round is the most")
        action = self.disruption(command)
        at = self.injection_minute()
        injection = Injection(len(self.injections), at, action.model_copy(update={"at": at}), "")
        injection.text = self.describe(injection.action)
        self.injections.append(injection)
        self._broadcast(injection.message())
        return self._reply(
            id=injection.id,
            at=at,
            clock=self.clock(at),
            text=injection.text,
            players=self.players(),
        )

    def targets(self) -> dict[str, list[str]]:
        """What a game day can hit in this room: its branches, areas and (starting) chefs."""
        scenario = self.room.scenario
        return {
            "branches": [branch.name for branch in scenario.branches],
            "areas": sorted({branch.area for branch in scenario.branches}),
            "chefs": [chef.name for branch in scenario.branches for chef in branch.chefs],
        }

    def disruption(self, command: Command) -> A.Disruption:
        """The disruption a command asks for, on a target the room's scenario has (a typo is
        refused here, not in every seat), validated as the simulation validates it."""
        targets = self.targets()
        branches, areas, chefs = targets["branches"], targets["areas"], targets["chefs"]
        fields: dict[str, Any] = {"kind": command.command, "minutes": command.minutes}
        target = command.target
        if command.command == "rush":
            fields["factor"] = command.factor
        elif target is None:
            raise ProtocolError(
                f"a{'n' if command.command == 'outage' else ''} {command.command} needs a target"
            )
        elif command.command == "leave":
            if target not in chefs:
                raise ProtocolError(f"no chef {target!r} (chefs: {', '.join(chefs)})")
            fields["chef"] = target
        elif target in branches:
            fields["branch"] = target
        elif target in areas:
            fields["area"] = target
        else:
            places = ", ".join([*branches, *(area for area in areas if area not in branches)])
            raise ProtocolError(f"no branch or area {target!r} (choose from {places})")
        action = parse_action({key: value for key, value in fields.items() if value is not None})
        if not isinstance(action, A.PowerOutage | A.Rush | A.ChefLeave):
            raise ProtocolError(f"{command.command} is not a disruption")
        return action

    def injection_minute(self) -> float:
        """T: the furthest a playing seat can be by now, plus the lead, up to a whole minute."""
        now = self._clock()
        furthest = 0.0
        for seat in self.seats.values():
            report = seat.report
            if not seat.connected or report is None or seat.result is not None:
                continue
            if now - seat.reported_at > STALE_SECONDS:
                continue
            minute = report.minute
            if not report.paused and self.phase == "playing":
                minute += (now - seat.reported_at) * report.speed * MINUTES_PER_SECOND
            furthest = max(furthest, minute)
        lead = max(MIN_LEAD_MINUTES, self.room.fastest * MINUTES_PER_SECOND * LEAD_SECONDS)
        return float(math.ceil(furthest + lead))

    def clock(self, minute: float) -> str:
        return wall_clock(minute, self.room.scenario.open_hour)

    def describe(self, action: Action) -> str:
        """The notice every seat shows at once, e.g. 'game day: the instructor cuts the power at
        Central at 13:05 for 20 min'."""
        at = self.clock(action.at)
        if isinstance(action, A.PowerOutage):
            where = action.branch or f"every branch in {action.area}"
            what = f"the instructor cuts the power at {where}"
        elif isinstance(action, A.Rush):
            what = f"a rush of orders ×{action.factor:g}"
        elif isinstance(action, A.ChefLeave):
            what = f"{action.chef} is called away"
        else:
            raise ProtocolError(f"{action.kind} is not a disruption")
        return f"game day: {what} at {at} for {action.minutes:g} min"

    # ------------------------------------------------------------------ views

    def state_of(self, seat: Seat) -> str:
        if seat.result is not None:
            return "finished"
        if not seat.connected:
            return "disconnected"
        if self.phase == "lobby":
            return "lobby"
        return "paused" if self.phase == "paused" else "playing"

    def status(self) -> list[dict[str, Any]]:
        """Every seat, as `room status` shows it (best goodput first)."""
        rows = []
        for seat in self.seats.values():
            report, result = seat.report, seat.result
            lost = dict(report.lost) if report is not None else {}
            if result is not None:
                lost = {cause: n for cause, n in result.orders_lost.items() if n}
            gameday = [
                {"id": i.id, "at": i.at, "used": seat.applied[i.id]}
                for i in self.injections
                if i.id in seat.applied
            ]
            minute = result.ended_at if result is not None else seat.minute
            rows.append(
                {
                    "player": seat.name,
                    "level": self.room.scenario.name,
                    "seed": self.room.seed,
                    "state": self.state_of(seat),
                    "sim_minute": round(minute, 2),
                    "clock": self.clock(minute),
                    "speed": report.speed if report is not None else 0,
                    "paused": bool(report and report.paused),
                    "goodput": None if seat.goodput is None else round(seat.goodput, 4),
                    "orders_placed": result.orders_placed if result else _placed(report),
                    "orders_lost": sum(lost.values()),
                    "lost": lost,
                    "money": round(report.money, 2) if report is not None else 0.0,
                    "score": result.score if result is not None else None,
                    "stars": result.stars if result is not None else None,
                    "routing": _routing(seat),
                    "actions": len(seat.actions),
                    "gameday": gameday,
                    "out_of_step": [entry for entry in gameday if entry["used"] != entry["at"]],
                    "spark": [round(value, 4) for value in seat.spark],
                }
            )
        rows.sort(key=lambda row: (-(row["goodput"] or 0.0), row["player"]))
        return rows

    def ranking(self) -> list[dict[str, Any]]:
        """Finished seats by goodput, then score (the leaderboard's order for a round)."""
        done = [(seat, seat.result) for seat in self.seats.values() if seat.result is not None]
        done.sort(key=lambda pair: (-pair[1].goodput, -pair[1].score, pair[0].name))
        return [
            {
                "rank": rank,
                "player": seat.name,
                "goodput": result.goodput,
                "score": result.score,
                "stars": result.stars,
                "orders_lost": result.orders_lost_total,
                "routing": _routing(seat),
            }
            for rank, (seat, result) in enumerate(done, 1)
        ]

    # --------------------------------------------------------------- the end

    def unfinished(self) -> list[Seat]:
        """Seats with a shift under way but no final figures (their game is gone, or slow)."""
        return [
            seat
            for seat in self.seats.values()
            if seat.result is None and (seat.report is not None or seat.actions)
        ]

    def replay_of(self, seat: Seat) -> Simulation | None:
        """The seat's shift as its game would finish it at `room end`: the actions it took and
        the disruptions it was sent, no others. Run it (off the event loop: it is a whole
        shift), then hand it to `finished`. None if it cannot be: finished already, or
        too many actions to have kept."""
        if seat.result is not None or not seat.restorable:
            return None
        minute = max([seat.minute, *(action.at for action in seat.actions)])
        sim = Simulation(self.room.scenario, seed=self.room.seed, room=True)
        pending = [
            i.action.model_copy(update={"at": max(i.at, minute)})
            for i in self.injections
            if i.id not in seat.applied
        ]
        sim.schedule([*seat.actions, *pending])
        return sim

    def finished(self, seat: Seat, sim: Simulation) -> None:
        """A seat's final figures, from the shift `replay_of` finished."""
        report = final_of(build_report(sim), sim.failover, len(sim.branches))
        self._settle(seat, Final.model_validate(report))

    def _settle(self, seat: Seat, result: Final) -> None:
        """The seat's result, kept and recorded once (a second report changes nothing)."""
        if seat.result is None:
            seat.result = result
            if self._record is not None:
                self._record(seat, result)


def _placed(report: SeatState | None) -> int:
    return report.placed if report is not None else 0


def _routing(seat: Seat) -> str:
    if seat.result is not None:
        return seat.result.routing
    return seat.report.routing if seat.report is not None else ""
