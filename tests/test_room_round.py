"""The round of an instructor's room, without sockets: seats, the gate, the game day's minute,
the end, the ranking, and a seat finished from its actions exactly as its game would."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pizzashop.sim import Simulation, build_report
from pizzashop.sim import actions as A
from pizzashop.workshop.room import parse_room
from pizzashop.workshop.roomround import MAX_ACTIONS, Round, Seat
from pizzashop.workshop.roomwire import (
    ActionTaken,
    Command,
    Done,
    Final,
    ProtocolError,
    SeatState,
    final_of,
    parse_command,
    parse_seat_message,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Room:
    """A round with a fake clock, recording what it delivers and records."""

    def __init__(self, gate: bool = True, speeds: list[int] | None = None) -> None:
        data = {"room": {"level": "blackout", "seed": 5, "gate": gate, "unlock": ["regulars"]}}
        if speeds is not None:
            data["room"]["speeds"] = speeds
        self.room = parse_room(data, "room.toml")
        self.clock = Clock()
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.recorded: list[tuple[str, Final]] = []
        self.round = Round(
            self.room, lambda seat, message: self.sent.append((seat, message)),
            lambda seat, result: self.recorded.append((seat.name, result)), self.clock, "r1",
        )  # fmt: skip

    def seat(self, player: str) -> str:
        name, token = self.round.admit(player)
        assert self.round.seat_of(token) == name
        self.round.join(name)
        return name

    def to(self, seat: str) -> list[dict[str, Any]]:
        return [message for name, message in self.sent if name == seat]

    def command(self, command: str, **fields: Any) -> dict[str, Any]:
        return self.round.command(Command(type="control", command=command, **fields))

    def report(self, seat: str, minute: float, speed: int = 1, paused: bool = False) -> None:
        self.round.seat_message(seat, state(minute, speed, paused))


def state(minute: float, speed: int = 1, paused: bool = False, **fields: Any) -> SeatState:
    counts = {"placed": 10, "delivered": 6, "on_time": 5, "lost": {"gave_up": 2}, "money": 90.0}
    return SeatState(type="state", minute=minute, speed=speed, paused=paused, **(counts | fields))


def final(goodput: float, score: int, lost: int = 3, failover: bool = False) -> Done:
    sim = Simulation(Room().room.scenario)
    report = json.loads(json.dumps(final_of(build_report(sim), failover, len(sim.branches))))
    report |= {"goodput": goodput, "score": score, "orders_lost_total": lost}
    return Done(type="done", report=Final.model_validate(report))


def test_a_seat_is_welcomed_with_the_room_and_the_lobby_counts_who_is_here() -> None:
    room = Room()
    ada = room.seat("ada")
    welcome, count = room.to(ada)
    assert count == {"type": "lobby", "players": 1}
    assert welcome["type"] == "welcome" and welcome["phase"] == "lobby"
    assert welcome["room"]["seed"] == 5 and welcome["room"]["scenario"]["name"] == "blackout"
    assert welcome["room"]["unlocked"] == ["regulars"] and welcome["restore"] is None
    bob = room.seat("bob")
    assert room.to(ada)[-1] == {"type": "lobby", "players": 2}
    room.round.left(bob)
    assert room.to(ada)[-1] == {"type": "lobby", "players": 1}
    assert [row["state"] for row in room.round.status()] == ["lobby", "disconnected"]


def test_a_token_is_one_seat_only() -> None:
    """A game speaks for the seat whose token it has, once; a made-up token is no seat."""
    room = Room()
    name, token = room.round.admit("ada")
    assert room.round.seat_of("f" * 32) is None
    room.round.join(name)
    assert room.round.seat_of(token) is None, "that seat's game is connected already"
    second, other = room.round.admit("ada")
    assert second == "ada 2" and other != token, "a second game under a name in use"
    room.round.left(name)
    again, fresh = room.round.admit("ada")
    assert again == "ada" and room.round.seat_of(token) is None and room.round.seat_of(fresh)


def test_the_gate_pause_resume_and_end_in_order_and_refused_out_of_it() -> None:
    room = Room()
    ada = room.seat("ada")
    for command in ("pause", "resume", "outage"):
        reply = room.command(command, target="Central", minutes=5)
        assert not reply["ok"] and "lobby" in reply["error"]
    assert room.command("start")["ok"]
    assert room.to(ada)[-1] == {"type": "start"}
    assert not room.command("start")["ok"]
    assert room.command("pause")["ok"] and room.round.phase == "paused"
    assert room.to(ada)[-1] == {"type": "pause"}
    assert not room.command("pause")["ok"]
    assert room.command("resume")["ok"] and room.to(ada)[-1] == {"type": "resume"}
    assert room.command("end")["ok"] and room.to(ada)[-1] == {"type": "end"}
    for command in ("end", "start", "rush"):
        assert not room.command(command, factor=2, minutes=5)["ok"]
    assert not Room(gate=False).command("start")["ok"], "no gate: the round plays already"


def test_the_game_day_minute_is_past_the_furthest_seat_by_a_lead_at_the_fastest_speed() -> None:
    room = Room(gate=False, speeds=[1, 2, 4])
    ada, bob, cy, dee = (room.seat(name) for name in ("ada", "bob", "cy", "dee"))
    room.report(ada, 30.2, speed=4)
    room.report(bob, 50.0, speed=2, paused=True)
    room.report(cy, 10.0)
    room.report(dee, 300.0, speed=4)
    room.clock.now += 5.0  # dee's report is now stale: a stuck game does not set the minute
    room.report(ada, 30.2, speed=4)
    room.report(bob, 50.0, speed=2, paused=True)
    room.report(cy, 10.0)
    room.clock.now += 0.5
    reply = room.command("outage", target="Central", minutes=20)
    # ada: 30.2 + 0.5 s × 4 = 32.2; bob paused at 50; the lead is 1 s at 4× = 4 minutes.
    assert reply["ok"] and reply["at"] == 54.0 and reply["clock"] == "11:54"
    assert reply["text"] == "game day: the instructor cuts the power at Central at 11:54 for 20 min"
    message = room.to(cy)[-1]
    assert message["type"] == "inject" and message["at"] == 54.0 and message["id"] == 0
    assert message["action"] == {
        "at": 54.0, "kind": "outage", "branch": "Central", "area": None, "minutes": 20.0,
    }  # fmt: skip
    room.round.seat_message(cy, state(1, speed=1))
    assert room.command("rush", factor=3, minutes=30)["at"] == 54.0, "still ahead of everyone"
    quiet = Room(gate=False, speeds=[1])
    quiet.seat("ada")
    assert quiet.command("rush", factor=2, minutes=9)["at"] == 2.0, "at least two minutes ahead"


@pytest.mark.parametrize(
    ("command", "fields", "problem"),
    [
        ("outage", {"target": "Moon", "minutes": 5}, "no branch or area 'Moon'"),
        ("outage", {"minutes": 5}, "needs a target"),
        ("leave", {"target": "Zed", "minutes": 5}, "no chef 'Zed'"),
        ("rush", {"factor": 0.5, "minutes": 5}, "factor"),
        ("rush", {"factor": 2, "minutes": 500}, "minutes"),
        ("announce", {"text": " \x1b\x07\n "}, "needs some text"),
    ],
)
def test_a_bad_game_day_is_refused_in_one_line(command: str, fields: dict, problem: str) -> None:
    room = Room(gate=False)
    room.seat("ada")
    reply = room.command(command, **fields)
    assert not reply["ok"] and problem in reply["error"] and "\n" not in reply["error"]
    assert room.round.injections == []


def test_an_area_outage_and_a_leave_become_the_simulations_disruptions() -> None:
    room = Room(gate=False)
    ada = room.seat("ada")
    assert room.command("outage", target="north", minutes=10)["ok"]
    assert room.command("leave", target="Mario", minutes=15)["ok"]
    actions = [A.ACTION_ADAPTER.validate_python(m["action"]) for m in room.to(ada)[1:]]
    assert actions == [
        A.PowerOutage(at=8.0, area="north", minutes=10),
        A.ChefLeave(at=8.0, chef="Mario", minutes=15),
    ]
    assert room.command("announce", text="  back at\n15:00 ")["text"] == "back at 15:00"
    assert room.to(ada)[-1] == {"type": "announce", "text": "back at 15:00"}


def test_a_seat_applying_a_disruption_late_shows_out_of_step() -> None:
    room = Room(gate=False)
    ada, bob = room.seat("ada"), room.seat("bob")
    at = room.command("rush", factor=2, minutes=10)["at"]
    for seat, used in ((ada, at), (bob, at + 3)):
        taken = A.Rush(at=used, factor=2, minutes=10)
        message = ActionTaken(type="action", action=taken, ok=True, injection=0)
        room.round.seat_message(seat, message)
    rows = {row["player"]: row for row in room.round.status()}
    assert rows["ada"]["out_of_step"] == [] and rows["ada"]["gameday"][0]["used"] == at
    assert rows["bob"]["out_of_step"] == [{"id": 0, "at": at, "used": at + 3}]


def test_the_ranking_is_by_goodput_then_score_and_each_result_is_recorded_once() -> None:
    room = Room(gate=False)
    seats = {name: room.seat(name) for name in ("ada", "bob", "cy", "dee")}
    room.round.seat_message(seats["ada"], final(0.8, 700))
    room.round.seat_message(seats["bob"], final(0.9, 500, failover=True))
    room.round.seat_message(seats["cy"], final(0.8, 900))
    room.round.seat_message(seats["cy"], final(0.1, 1))
    ranking = room.round.ranking()
    assert [(row["rank"], row["player"]) for row in ranking] == [(1, "bob"), (2, "cy"), (3, "ada")]
    assert [row["routing"] for row in ranking] == [
        "shared · nearest + failover", "shared · nearest", "shared · nearest",
    ], "what each ended with: two branches, so the branch routing too"  # fmt: skip
    assert [name for name, _ in room.recorded] == ["ada", "bob", "cy"], "once each"
    states = {row["player"]: row["state"] for row in room.round.status()}
    assert states == {"ada": "finished", "bob": "finished", "cy": "finished", "dee": "playing"}


def test_a_seat_whose_game_is_gone_is_finished_as_its_game_would_have() -> None:
    """Its actions and the game day, replayed: the same report a game that stayed to the end
    produces, to the byte."""
    room = Room(gate=False)
    ada = room.seat("ada")
    at = room.command("outage", target="Central", minutes=30)["at"]
    game = Simulation(room.room.scenario, seed=5, room=True)
    game.schedule([A.PowerOutage(at=at, branch="Central", minutes=30)])
    game.advance(17.5)
    game.apply(A.Hire(branch="North", specialty="pizza"))
    game.advance(40)
    game.apply(A.RouteBranches(strategy="fastest", failover=True))
    game.advance(3.25)
    for action, outcome in game.action_log:
        number = 0 if action.kind == "outage" else None
        taken = ActionTaken(type="action", action=action, ok=outcome.ok, injection=number)
        room.round.seat_message(ada, taken)
    room.round.seat_message(ada, state(game.now))
    later = room.command("rush", factor=2, minutes=20)["at"]
    game.schedule([A.Rush(at=later, factor=2, minutes=20)])
    room.round.left(ada)
    room.command("end")
    game.run()
    (seat,) = room.round.unfinished()
    sim = room.round.replay_of(seat)
    assert sim is not None
    sim.run()
    assert json.dumps(build_report(sim)) == json.dumps(build_report(game))
    room.round.finished(seat, sim)
    assert room.recorded[0][1].goodput == build_report(game)["goodput"]
    assert room.round.unfinished() == [] and room.round.replay_of(seat) is None


def test_a_seat_that_comes_back_gets_its_actions_minute_and_pending_game_day() -> None:
    room = Room(gate=False)
    ada = room.seat("ada")
    first = room.command("outage", target="Central", minutes=5)["at"]
    second = room.command("outage", target="North", minutes=5)["at"]
    taken = A.PowerOutage(at=first, branch="Central", minutes=5)
    room.round.seat_message(ada, ActionTaken(type="action", action=taken, ok=True, injection=0))
    room.round.seat_message(ada, state(first + 1))
    room.round.left(ada)
    name, _ = room.round.admit("ada")
    room.round.join(name)
    welcome = room.to(ada)[-1]
    assert welcome["restore"]["minute"] == first + 1 and len(welcome["restore"]["actions"]) == 1
    assert [i["at"] for i in welcome["injections"]] == [second], "only what it has still to do"


def test_actions_kept_per_seat_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pizzashop.workshop.roomround.MAX_ACTIONS", 3)
    room = Room(gate=False)
    ada = room.seat("ada")
    for _ in range(5):
        hire = ActionTaken(type="action", action=A.Hire(at=1), ok=False)
        room.round.seat_message(ada, hire)
    seat: Seat = room.round.seats[ada]
    assert len(seat.actions) == 3 and not seat.restorable
    room.round.left(ada)
    assert room.round.replay_of(seat) is None
    assert MAX_ACTIONS >= 1000


@pytest.mark.parametrize(
    "message",
    [
        {"type": "state", "minute": -1, "speed": 1, "paused": False, "placed": 0, "delivered": 0,
         "on_time": 0, "money": 0},
        {"type": "state", "minute": 1, "speed": 1, "paused": False, "placed": 0, "delivered": 0,
         "on_time": 0, "money": float("nan")},
        {"type": "state", "minute": 1, "speed": 1, "paused": False, "placed": 0, "delivered": 0,
         "on_time": 0, "money": 0, "lost": {"stolen": 3}},
        {"type": "action", "action": {"kind": "teleport"}, "ok": True},
        {"type": "done", "report": {"goodput": 2}},
        {"type": "welcome"},
        {"type": "state", "seat": "bob"},
    ],
)  # fmt: skip
def test_a_seat_message_that_is_not_one_is_a_protocol_error(message: dict) -> None:
    with pytest.raises(ProtocolError):
        parse_seat_message(message)


def test_a_command_that_is_not_one_is_a_protocol_error() -> None:
    for bad in ({"type": "control", "command": "rm -rf"}, {"type": "control"},
                {"type": "control", "command": "status", "sudo": True}):  # fmt: skip
        with pytest.raises(ProtocolError):
            parse_command(bad)
