"""Determinism: a scenario, a seed and a list of timed actions fix the whole shift.

Same inputs give byte-identical reports (in one process and across processes), a live game replays
byte for byte from its action log, and the orders themselves never depend on what the player does
(common random numbers), so strategies are compared on identical customers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from helpers import (
    STRESS,
    OrderPrint,
    action_lists,
    action_strategy,
    fingerprint,
    run,
    scenario,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pizzashop.sim import (
    KITCHEN_STRATEGIES,
    Scenario,
    Simulation,
    build_report,
    bundled_scenarios,
    load_scenario,
)
from pizzashop.sim import actions as A

REPO = Path(__file__).resolve().parent.parent

# A mix of accepted and refused actions (unknown chef, bad strategy, level cap after 4 upgrades).
ACTIONS: list[A.Action] = [
    A.Hire(at=30, specialty="pizza"),
    A.Upgrade(at=45, chef="Mario"),
    A.Upgrade(at=45, chef="Nobody"),
    A.RouteKitchen(at=60, strategy="bogus"),
    A.RouteKitchen(at=61.5, strategy="least_loaded"),
    *[A.Upgrade(at=90 + i, chef="c1") for i in range(5)],
    A.PushMenu(at=120, item="pizza", price=15),
    A.Fire(at=200, chef="c4"),
]


def report_bytes(sim: Simulation) -> str:
    return json.dumps(build_report(sim))


def outcomes(sim: Simulation) -> list[tuple[dict, bool, str]]:
    return [(a.model_dump(), o.ok, o.reason) for a, o in sim.action_log]


@pytest.mark.parametrize("name", list(bundled_scenarios()))
def test_same_inputs_give_identical_report_bytes(name: str) -> None:
    first, _ = run(load_scenario(name), seed=42, actions=ACTIONS)
    second, _ = run(load_scenario(name), seed=42, actions=ACTIONS)
    assert report_bytes(first) == report_bytes(second)
    assert list(first.metrics.log) == list(second.metrics.log)
    assert outcomes(first) == outcomes(second)


def test_the_fixed_actions_mix_accepted_and_refused() -> None:
    """The action list above really exercises both paths, so the tests using it mean something."""
    sim, _ = run(load_scenario("default_day"), seed=42, actions=ACTIONS)
    results = [o.ok for _, o in sim.action_log]
    assert len(results) == len(ACTIONS)
    assert True in results and False in results


def _cli_report(tmp_path: Path, hash_seed: str) -> bytes:
    actions = tmp_path / "actions.json"
    actions.write_text(json.dumps([a.model_dump() for a in ACTIONS]), encoding="utf-8")
    script = Path(sys.executable).with_name("pizzashop")  # the installed `pizzashop` command
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "pizzashop"]
    command = [*cli, "run", "default_day", "--json"]
    command += ["--seed", "3", "--actions", str(actions)]
    # A different hash seed per process: set or dict-of-str iteration order must not leak out.
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(command, capture_output=True, check=True, cwd=REPO, env=env)
    return done.stdout


def test_cli_json_is_byte_identical_across_processes(tmp_path: Path) -> None:
    first = _cli_report(tmp_path, "1")
    second = _cli_report(tmp_path, "2")
    assert first == second
    report = json.loads(first)
    assert report["seed"] == 3 and report["actions"] == len(ACTIONS)


@pytest.mark.parametrize("name", list(bundled_scenarios()))
def test_different_seeds_give_different_shifts(name: str) -> None:
    reports, orders = [], []
    for seed in (1, 2, 3):
        sim, done = run(load_scenario(name), seed=seed)
        reports.append(build_report(sim))
        orders.append({fingerprint(order) for order in done})
    for i in range(3):
        for j in range(i + 1, 3):
            assert orders[i] != orders[j]
            assert {k: v for k, v in reports[i].items() if k != "seed"} != {
                k: v for k, v in reports[j].items() if k != "seed"
            }


# ------------------------------------------------------------------------------- replay


def replay(live: Simulation) -> Simulation:
    """A fresh sim fed the live game's action log as timed actions."""
    again = Simulation(live.scenario, seed=live.seed)
    again.schedule([action for action, _ in live.action_log])
    again.run()
    return again


def assert_same_shift(live: Simulation, again: Simulation) -> None:
    assert report_bytes(again) == report_bytes(live)
    assert list(again.metrics.log) == list(live.metrics.log)
    assert again.metrics.log_total == live.metrics.log_total
    assert outcomes(again) == outcomes(live)


def test_replay_of_a_live_shift() -> None:
    """Uneven steps, actions between them (some refused, some at the instant of an engine event),
    then a skip to the end: the log replays to the same report and the same event log."""
    live = Simulation(load_scenario("blackout_day"), seed=9)
    plan: list[tuple[float, list[A.Action]]] = [
        (0.0, [A.Hire(branch="North", specialty="pizza")]),
        (7.25, [A.Upgrade(chef="Mario"), A.Upgrade(chef="Ghost")]),
        (52.75, [A.RouteBranches(strategy="fastest", failover=True)]),
        (60.0, [A.CloseBranch(branch="Nowhere"), A.HireAgents(branch="Central", count=2)]),
        (0.5, [A.RouteKitchen(strategy="round_robin", branch="Central")]),
        (3.0, []),
        (99.5, [A.PushMenu(item="pizza", cook_minutes=12), A.Fire(chef="Marco")]),
        (120.0, [A.MarkBackup(chef="Chiara"), A.RouteKitchen(strategy="ring")]),
    ]
    for minutes, actions in plan:
        live.advance(minutes)
        for action in actions:
            live.apply(action)
    live.run()
    assert [a.at for a, _ in live.action_log][:3] == [0.0, 7.25, 7.25]
    assert {o.ok for _, o in live.action_log} == {True, False}
    assert_same_shift(live, replay(live))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    name=st.sampled_from(["default_day", "blackout_day", "stress"]),
    seed=st.integers(0, 2**20),
    data=st.data(),
)
def test_replay_matches_live_play(name: str, seed: int, data: st.DataObject) -> None:
    scenario = STRESS if name == "stress" else load_scenario(name)
    live = Simulation(scenario, seed=seed)
    step = st.one_of(st.floats(0.01, 45.0), st.integers(0, 45).map(float))
    plan = data.draw(
        st.lists(st.tuples(step, st.lists(action_strategy(0), max_size=3)), max_size=25),
        label="plan",
    )
    for minutes, actions in plan:
        if live.now + minutes > live.shift_end:
            break  # past the end is covered by test_replay_after_live_play_past_the_end
        live.advance(minutes)
        for action in actions:
            live.apply(action)
    live.run()
    assert_same_shift(live, replay(live))


def test_replay_after_live_play_past_the_end() -> None:
    """An advance that overshoots the end must not move the clock past the last event."""
    live = Simulation(load_scenario("default_day"))
    live.advance(30.0)
    live.apply(A.Hire(specialty="pizza"))
    while not live.finished:
        live.advance(37.0)
    assert_same_shift(live, replay(live))


def test_replay_with_an_action_after_the_end() -> None:
    """An action after the end is refused and not recorded, so the replay still matches."""
    live = Simulation(load_scenario("default_day"))
    live.run()
    outcome = live.apply(A.Hire(specialty="pizza"))
    assert not outcome.ok
    assert_same_shift(live, replay(live))


# ----------------------------------------------------------- common random numbers


def orders_of(
    scenario: Scenario, strategy: str | None = None, actions: Iterable[A.Action] = ()
) -> set[OrderPrint]:
    """The fingerprints of every order of a shift (seed 4)."""
    sim, done = run(scenario, seed=4, strategy=strategy, actions=actions)
    assert len(done) == sim.metrics.placed > 0
    return {fingerprint(order) for order in done}


CRN_SCENARIOS = {
    "default_day": load_scenario("default_day"),
    "blackout_day": load_scenario("blackout_day"),
    "stress": STRESS,
}


@pytest.mark.parametrize("name", list(CRN_SCENARIOS))
def test_every_kitchen_strategy_faces_identical_orders(name: str) -> None:
    scenario = CRN_SCENARIOS[name]
    baseline = orders_of(scenario, "shared")
    for strategy in KITCHEN_STRATEGIES:
        assert orders_of(scenario, strategy) == baseline, strategy


def test_outcomes_differ_while_orders_do_not() -> None:
    """The strategies really change what happens (else the test above proves nothing)."""
    scenario = scenario_with_pressure()
    results = {}
    for strategy in ("shared", "random", "ring"):
        sim, done = run(scenario, seed=4, strategy=strategy)
        results[strategy] = ({fingerprint(o) for o in done}, build_report(sim)["latency_p95"])
    prints = {frozenset(p) for p, _ in results.values()}
    assert len(prints) == 1
    assert len({p95 for _, p95 in results.values()}) == 3


def scenario_with_pressure() -> Scenario:
    """default_day with a busier lunch, so routing choices show in the latencies."""
    return scenario("default_day", demand={"rate_per_hour": [12, 26, 24, 10]}, shift_hours=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(list(CRN_SCENARIOS)), actions=action_lists(400.0))
def test_player_actions_never_change_the_orders(name: str, actions: list[A.Action]) -> None:
    scenario = CRN_SCENARIOS[name]
    assert orders_of(scenario, actions=actions) == orders_of(scenario)
