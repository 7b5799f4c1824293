"""Baselines: the same day played two other ways, doing nothing and the level's naive approach.

Common random numbers make the comparison exact: on one seed every way of playing faces the
same orders, leaves and outages, so the difference is what the player did. A level's naive
approach is its naive proof (`assets/levels/proofs/ID.naive.toml`); a scenario that is not a
bundled level has only the "nothing" baseline. The figures keep the report's own definitions.
"""

from __future__ import annotations

from typing import Any

from pizzashop.sim.actions import Action
from pizzashop.sim.campaign import proof
from pizzashop.sim.catalog import bundled_levels, load_scenario
from pizzashop.sim.engine import Simulation
from pizzashop.sim.report import build_report
from pizzashop.sim.scenario import Scenario

FIGURES = (
    "goodput",
    "orders_placed",
    "orders_delivered",
    "orders_on_time",
    "orders_lost",
    "orders_lost_total",
    "latency_p50",
    "latency_p95",
    "costs_total",
    "profit",
    "score",
    "won",
    "stars",
)


def baselines(scenario: Scenario, seed: int | None = None) -> dict[str, dict[str, Any]]:
    """`{"nothing": {...}, "naive": {...}}` for the scenario on the seed (its own by default)."""
    found = {"nothing": _play(scenario, seed, [])}
    naive = naive_actions(scenario)
    if naive is not None:
        found["naive"] = _play(scenario, seed, naive)
    return found


def naive_actions(scenario: Scenario) -> list[Action] | None:
    """The naive proof of the bundled level this scenario is, or None (it is not a level)."""
    path = bundled_levels().get(scenario.name)
    if path is None or load_scenario(path) != scenario:
        return None
    return proof(scenario.name, "naive")


def _play(scenario: Scenario, seed: int | None, actions: list[Action]) -> dict[str, Any]:
    sim = Simulation(scenario, seed=seed)
    sim.schedule(actions)
    sim.run()
    report = build_report(sim)
    return {key: report[key] for key in FIGURES if key in report}
