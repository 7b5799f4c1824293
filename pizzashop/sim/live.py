"""A shift in progress, measured as the report measures a finished one, and its goals' standing.

The figures are the report's (`build_report`), with two differences mid-shift: goodput so far
is on-time deliveries over orders already *finished* (delivered or lost), because an order still
on its way is neither on time nor late yet (counting it as not on time made a calm shop read
"goodput 68 %" mid-shift); and wages and rent run up since the ledger last settled them count in
the costs and the profit. At the end nothing is in flight or unsettled, and the figures are the
report's own.

Each goal is judged with the report's own `goal_met` and `metric_value`, and marked met, at risk
(met, but close to its bound, or a figure that can still fail it) or missed (as things stand;
final for counts that only grow, such as lost orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pizzashop.sim.report import build_report, goal_met, metric_value
from pizzashop.sim.scenario import Goal

if TYPE_CHECKING:
    from pizzashop.sim.engine import Simulation

GOODPUT_MARGIN = 0.03
"""A goodput within this of its minimum is at risk."""
BOUND_MARGIN = 0.1
"""Another figure within this share of its bound is at risk."""
GROWING = ("orders_lost_total", "orders_lost.", "bases_spoiled", "costs.", "costs_total")
"""Metrics that only grow during a shift: once over their maximum, missed for good."""
TIERS = ("main", "bonus", "speed")


class GoalState(StrEnum):
    MET = "met"
    AT_RISK = "at risk"
    MISSED = "missed"
    PENDING = "nothing to judge yet"


@dataclass(frozen=True)
class GoalStanding:
    tier: str
    goal: Goal
    value: float | None
    state: GoalState


def live_report(sim: Simulation) -> dict[str, Any]:
    """The report as of now; mid-shift, goodput is over finished orders only (None before the
    first), and `orders_done` and `orders_late_in_flight` say what is behind it."""
    report = build_report(sim)
    metrics = sim.metrics
    done = metrics.delivered + metrics.lost
    late = sum(
        sim.now - order.placed > sim.scenario.on_time_minutes for order in sim.orders.values()
    )
    report["orders_done"] = done
    report["orders_late_in_flight"] = late
    if not sim.finished:
        _accrued(sim, report)
        report["goodput"] = metrics.on_time / done if done else None
        if not metrics.delivered:
            report["latency_p95"] = None
    return report


def _accrued(sim: Simulation, report: dict[str, Any]) -> None:
    """Count the wages and rent run up since they were last settled (the ledger settles them
    every hour): a budget on costs must not read an hour behind."""
    now = sim.now
    accruals = [chef.pay for chef in sim.chefs.values()]
    accruals += [cost for branch in sim.branches for cost in (branch.rent, branch.agent_pay)]
    for accrual in accruals:
        owed = accrual.rate * (now - accrual.since) / 60.0
        if owed:
            report["costs"][accrual.cause] = round(report["costs"][accrual.cause] + owed, 2)
            report["costs_total"] = round(report["costs_total"] + owed, 2)
            report["profit"] = round(report["profit"] - owed, 2)


def goal_standings(sim: Simulation, report: dict[str, Any]) -> list[GoalStanding]:
    """Each target of the scenario's goals as it stands in `report`: main, then each target the
    main goal also needs (tier "also", e.g. a wage budget), bonus and speed. Each is judged on
    its own figure; the main goal is won only when it and all its `also` targets are met."""
    goals = sim.scenario.goals
    if goals is None:
        return []
    standings = []
    for tier in TIERS:
        goal = getattr(goals, tier)
        if goal is None:
            continue
        targets = [(tier, goal.model_copy(update={"also": []}))]
        targets += [("also", extra) for extra in goal.also]
        for name, target in targets:
            value = metric_value(report, target.metric)
            state = _state(target, value, report, sim.finished)
            standings.append(GoalStanding(name, target, value, state))
    return standings


def _state(goal: Goal, value: float | None, report: dict[str, Any], finished: bool) -> GoalState:
    if value is None:
        return GoalState.MISSED if finished else GoalState.PENDING
    met = goal_met(goal, report)
    if finished:
        return GoalState.MET if met else GoalState.MISSED
    if goal.max is not None:
        if not met:
            return GoalState.MISSED
        growing = goal.metric.startswith(GROWING)
        room = max(1.0, goal.max * BOUND_MARGIN) if growing else abs(goal.max) * BOUND_MARGIN
        return GoalState.AT_RISK if goal.max - value < room else GoalState.MET
    assert goal.min is not None
    if goal.metric == "goodput":
        if not met:
            return GoalState.MISSED
        done = report["orders_done"]
        worst = value * done / (done + report["orders_late_in_flight"])
        close = value - goal.min < GOODPUT_MARGIN or worst < goal.min
        return GoalState.AT_RISK if close else GoalState.MET
    # Money and other figures that move both ways: below the bound is only at risk until the end.
    if not met:
        return GoalState.AT_RISK
    return GoalState.AT_RISK if value - goal.min < abs(goal.min) * BOUND_MARGIN else GoalState.MET
