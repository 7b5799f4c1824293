"""Game-day disruptions (an instructor's room): an outage, a rush and a chef's leave are actions
of the simulation, applied at a sim minute, recorded and replayed like any other action — and
refused anywhere but in a room."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from helpers import STRESS, collect, fingerprint, invoke, lab, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pizzashop.player.saves import load_save, new_game, restore, write_save
from pizzashop.sim import Order, Simulation, build_report, load_scenario
from pizzashop.sim import actions as A

RATE = 0.1
"""The lab's demand: 6 orders an hour."""


def shift(scenario=None, room: bool = True, actions=(), seed: int | None = None):
    sim = Simulation(scenario or lab(), seed=seed, room=room)
    done = collect(sim)
    sim.schedule(list(actions))
    sim.run()
    return sim, sorted(done, key=lambda order: order.id)


def hazard(t: float, rushes: list[tuple[float, float, float]]) -> float:
    """The lab's cumulative arrival rate up to `t`, with (start, stop, factor) rushes, which
    multiply where they overlap."""
    edges = sorted({0.0, t, *(e for start, stop, _ in rushes for e in (start, stop) if e < t)})
    total = 0.0
    for low, high in pairwise(edges):
        rate = RATE
        for start, stop, factor in rushes:
            rate *= factor if start <= low < stop else 1.0
        total += rate * (high - low)
    return total


def contents(order: Order) -> tuple:
    """Who ordered what, leaving out when."""
    number, customer, area, items, _, patience, quantiles = fingerprint(order)
    return number, customer, area, items, patience, quantiles


def test_a_rush_brings_the_same_customers_sooner() -> None:
    """Common random numbers: each arrival keeps its draw. Before the rush nothing moves; from
    it on each order comes when the rushed rate has used up the same hazard."""
    calm_sim, calm = shift()
    rush_sim, rushed = shift(actions=[A.Rush(at=60, factor=4, minutes=60)])
    assert rush_sim.metrics.placed > calm_sim.metrics.placed + 10
    assert [contents(o) for o in rushed[: len(calm)]] == [contents(o) for o in calm]
    before = [o.placed for o in calm if o.placed < 60]
    assert before and [o.placed for o in rushed[: len(before)]] == before
    for same, (was, now) in enumerate(zip(calm, rushed, strict=False)):
        assert hazard(now.placed, [(60, 120, 4)]) == pytest.approx(hazard(was.placed, []), abs=1e-9)
        assert now.placed <= was.placed, f"order {same} came later in a rush"
    in_rush = sum(60 <= o.placed < 120 for o in rushed)
    assert in_rush > 2 * sum(60 <= o.placed < 120 for o in calm)


def test_rushes_that_overlap_multiply() -> None:
    rushes = [A.Rush(at=30, factor=2, minutes=60), A.Rush(at=60, factor=3, minutes=60)]
    _, calm = shift()
    _, rushed = shift(actions=rushes)
    windows = [(30, 90, 2), (60, 120, 3)]
    for was, now in zip(calm, rushed, strict=False):
        assert hazard(now.placed, windows) == pytest.approx(hazard(was.placed, []), abs=1e-9)


def test_a_rush_after_closing_is_refused_and_changes_nothing() -> None:
    sim = Simulation(lab(), room=True)
    sim.run_until(sim.shift_end + 1)
    before = snapshot(sim)
    outcome = sim.apply(A.Rush(factor=3, minutes=30))
    assert not outcome.ok and "doors are closed" in outcome.reason
    assert snapshot(sim) == before


def test_a_disruption_applied_live_is_the_same_as_scheduled_and_replays_exactly() -> None:
    """A seat hears of an injection at some odd minute and schedules it at T; another applies
    it the instant it reaches T; the replay of either log is the same day."""
    plan = [
        A.Rush(at=45, factor=3, minutes=40),
        A.PowerOutage(at=100, branch="Central", minutes=25),
        A.ChefLeave(at=150, chef="Mario", minutes=20),
    ]
    scheduled = Simulation(lab(), room=True)
    scheduled.advance(12.34)
    scheduled.schedule(plan)
    scheduled.run()
    live = Simulation(lab(), room=True)
    for action in plan:
        live.run_until(action.at)
        assert live.apply(action).ok
    live.run()
    report = json.dumps(build_report(scheduled))
    assert json.dumps(build_report(live)) == report
    assert list(live.metrics.log) == list(scheduled.metrics.log)
    again = Simulation(lab(), room=True)
    again.schedule([action for action, _ in live.action_log])
    again.run()
    assert json.dumps(build_report(again)) == report
    assert list(again.metrics.log) == list(live.metrics.log)


def dark_spans(sim: Simulation, branch: str = "Central") -> list[tuple[float, float]]:
    """(cut, back) times of the branch's power from the log."""
    spans: list[tuple[float, float]] = []
    cut = None
    for entry in sim.metrics.log:
        if entry.kind == "power" and entry.branch == branch:
            if entry.text.startswith("power cut"):
                cut = entry.time
            else:
                assert cut is not None
                spans.append((cut, entry.time))
                cut = None
    return spans


@pytest.mark.parametrize(
    ("scripted", "cut", "dark"),
    [
        ((60, 60), (90, 10), [(60, 120)]),  # a cut inside the scripted outage changes nothing
        ((60, 60), (50, 30), [(50, 120)]),  # ending inside it does not end it early
        ((60, 20), (70, 30), [(60, 100)]),  # the scripted one ending inside the cut: still dark
        ((60, 20), (100, 10), [(60, 80), (100, 110)]),
    ],
)
def test_a_game_day_outage_lies_over_the_scenarios_own(
    scripted: tuple[float, float], cut: tuple[float, float], dark: list[tuple[float, float]]
) -> None:
    """A disruption only makes the day harder: it never brings the power back early."""
    outage = {"kind": "outage", "at": scripted[0], "duration": scripted[1], "branch": "Central"}
    sim, _ = shift(
        lab(timeline=[outage]), actions=[A.PowerOutage(at=cut[0], branch="Central", minutes=cut[1])]
    )
    assert dark_spans(sim) == dark
    two = [A.PowerOutage(at=10, branch="Central", minutes=30)] * 2
    sim, _ = shift(actions=[*two, A.PowerOutage(at=20, branch="Central", minutes=5)])
    assert dark_spans(sim) == [(10, 40)]


def test_an_outage_of_an_area_darkens_its_branches_and_a_bad_target_is_refused() -> None:
    sim = Simulation(STRESS, room=True)
    sim.advance(20)
    assert sim.apply(A.PowerOutage(area="north", minutes=15)).ok
    lit = {branch.name: branch.lit for branch in sim.branches}
    assert lit == {"Central": True, "North": False, "South": True}
    before = snapshot(sim)
    for target in ({"area": "moon"}, {"branch": "Nowhere"}):
        outcome = sim.apply(A.PowerOutage(minutes=5, **target))
        assert not outcome.ok and ("moon" in outcome.reason or "Nowhere" in outcome.reason)
    assert snapshot(sim) == before
    gameday = [entry.text for entry in sim.metrics.log if entry.kind == "gameday"]
    assert gameday[0] == "game day: the power is cut at North for 15 min"
    assert gameday[1].startswith("game day: no outage: ")


def test_a_game_day_leave_calls_in_the_backup() -> None:
    covered = lab(branch={"chefs": [{"name": "Mario"}, {"name": "Anna", "backup": True}]})
    sim, _ = shift(covered, actions=[A.ChefLeave(at=30, chef="Mario", minutes=60)])
    staff = [(e.time, e.text) for e in sim.metrics.log if e.kind == "staff"]
    assert any(text.startswith("Mario is on leave until 12:") for _, text in staff)
    call_in = covered.staff.call_in_minutes
    arrived = [time for time, text in staff if text == "backup Anna arrived"]
    left = next(time for time, text in staff if text.startswith("Mario is on leave"))
    assert arrived == [pytest.approx(left + call_in)]
    assert (90.0, "Mario is back") in staff
    sim, _ = shift(covered, actions=[A.ChefLeave(at=30, chef="Nobody", minutes=60)])
    assert not sim.action_log[0][1].ok


def test_disruptions_are_refused_outside_a_room_and_bypass_allowed_actions_in_one() -> None:
    """A headless run or grade cannot put a rush into a player's file; a room's seat gets the
    disruption whatever actions its level allows the player."""
    strict = lab(allowed_actions=["hire"])
    plan = [A.Rush(at=30, factor=5, minutes=60), A.PowerOutage(at=40, branch="Central", minutes=9)]
    alone, _ = shift(strict, room=False, actions=plan)
    assert [outcome.ok for _, outcome in alone.action_log] == [False, False]
    assert "only an instructor's room" in alone.action_log[0][1].reason
    untouched, _ = shift(strict, room=False)
    assert build_report(alone)["orders_placed"] == build_report(untouched)["orders_placed"]
    assert not dark_spans(alone)
    room, _ = shift(strict, actions=plan)
    assert [outcome.ok for _, outcome in room.action_log] == [True, True]
    upgrade, _ = shift(strict, actions=[A.Upgrade(at=1, chef="Mario")])
    assert "not allowed" in upgrade.action_log[0][1].reason, "players' actions stay checked"


def test_an_action_file_with_a_disruption_is_refused_in_one_line(tmp_path: Path) -> None:
    """run, grade and validate: nobody grades a rush into their own entry."""
    path = tmp_path / "sneaky.toml"
    path.write_text(
        '[[actions]]\nkind = "hire"\nat = 3\n[[actions]]\nkind = "rush"\nat = 30\n'
        "factor = 10\nminutes = 200\n"
    )
    for argv in (("run", "lunch_rush", "--actions"), ("grade", "lunch_rush", "--actions"),
                 ("validate",)):  # fmt: skip
        result = invoke(*argv, str(path))
        assert result.code == 2 and result.out == "" and result.err.count("\n") == 1
        assert "action 1 is a rush, a game-day disruption" in result.err


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "rush", "factor": 0.5, "minutes": 30},
        {"kind": "rush", "factor": 11, "minutes": 30},
        {"kind": "rush", "factor": 2, "minutes": 0},
        {"kind": "outage", "minutes": 30},
        {"kind": "outage", "branch": "Central", "area": "centre", "minutes": 30},
        {"kind": "leave", "chef": "Mario", "minutes": 241},
    ],
)
def test_a_disruption_can_only_make_the_day_harder_and_is_bounded(bad: dict) -> None:
    with pytest.raises(ValidationError):
        A.ACTION_ADAPTER.validate_python(bad)


def test_a_room_game_saves_and_replays_its_disruptions(tmp_path: Path) -> None:
    live = Simulation(load_scenario("blackout_day"), seed=3, room=True)
    live.schedule(
        [A.PowerOutage(at=30, area="centre", minutes=30), A.Rush(at=50, factor=2, minutes=30)]
    )
    live.advance(55)
    live.apply(A.Hire(branch="North", specialty="pizza"))
    path = tmp_path / "seat.json"
    write_save(path, live)
    resumed = restore(load_save(path))
    assert resumed.room and resumed.now == live.now
    for sim in (live, resumed):
        sim.run()
    assert json.dumps(build_report(resumed)) == json.dumps(build_report(live))
    write_save(path, live)
    replay = new_game(load_save(path))
    replay.run()
    assert json.dumps(build_report(replay)) == json.dumps(build_report(live))
    assert sum(entry.kind == "gameday" for entry in replay.metrics.log) == 2


DISRUPTION = st.one_of(
    st.builds(
        A.Rush,
        at=st.floats(0, 200),
        factor=st.floats(1, 10),
        minutes=st.floats(0.5, 240),
    ),
    st.builds(
        A.PowerOutage,
        at=st.floats(0, 240),
        branch=st.sampled_from(["Central", "North", "South"]),
        minutes=st.floats(0.5, 120),
    ),
    st.builds(
        A.ChefLeave,
        at=st.floats(0, 240),
        chef=st.sampled_from(["Mario", "Sofia", "Giulia", "c2"]),
        minutes=st.floats(0.5, 240),
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=st.lists(DISRUPTION, max_size=6), seed=st.integers(0, 2**20))
def test_disruptions_never_change_who_orders_what(plan: list[A.Action], seed: int) -> None:
    """Whatever the game day, the orders are the calm day's (their contents, in order), every
    placed order is accounted for, and the day replays exactly."""
    _, calm = shift(STRESS, seed=seed)
    sim, done = shift(STRESS, seed=seed, actions=plan)
    common = min(len(calm), len(done))
    assert [contents(o) for o in done[:common]] == [contents(o) for o in calm[:common]]
    metrics = sim.metrics
    assert metrics.placed == metrics.delivered + metrics.lost and not metrics.in_flight
    again, _ = shift(STRESS, seed=seed, actions=[action for action, _ in sim.action_log])
    assert json.dumps(build_report(again)) == json.dumps(build_report(sim))
