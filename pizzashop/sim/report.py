"""The end-of-shift report: the same definitions as the live view (GAME.md), plus score and stars.

Order-to-door latency is the headline; `latency_split` says where the delivered orders' time went
on average (minutes in the queue, cooking, waiting for a driver, on the road: `orders.PARTS`),
and `latency_split_late` the same for the late ones. `chef_utilisation` is busy chef-minutes over
on-duty chef-minutes while the doors were open. `worst_moments` are the quarter hours with the
most orders lost or late, each with its commonest loss cause and the part of lateness that grew.

Score, documented for players and graders:
    score = round(1000 × goodput + profit / 10)
Goodput (on-time deliveries over orders placed) dominates; profit breaks ties between shops that
serve equally well. Stars: the main goal wins the level (1 star); the bonus and speed goals add
one each, and count only when the main goal is met.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pizzashop.sim.ledger import COSTS
from pizzashop.sim.meters import meter
from pizzashop.sim.metrics import percentiles
from pizzashop.sim.orders import LossCause
from pizzashop.sim.scenario import Goal

if TYPE_CHECKING:
    from pizzashop.sim.actions import Action, Outcome
    from pizzashop.sim.engine import Simulation


def _r(value: float, places: int = 4) -> float:
    return round(value, places) + 0.0


def build_report(sim: Simulation) -> dict[str, Any]:
    """Every headline figure of a shift, as plain JSON-ready values in a fixed order."""
    metrics, ledger = sim.metrics, sim.ledger
    placed = metrics.placed
    p50, p95, p99 = percentiles(metrics.latencies, (50.0, 95.0, 99.0))
    causes = ledger.causes()
    costs = -math.fsum(causes.get(cause, 0.0) for cause in COSTS)
    revenue = causes.get("revenue", 0.0)
    refunds = -causes.get("refunds", 0.0)
    profit = ledger.exact_balance() - ledger.start
    goodput = metrics.on_time / placed if placed else 0.0
    busy, on_duty = sim.chef_minutes()  # integrated over the shift, not sampled
    waits = metrics.waits
    report: dict[str, Any] = {
        "scenario": sim.scenario.name,
        "seed": sim.seed,
        "kitchen_strategy": ",".join(sorted({b.strategy for b in sim.branches})),
        "branch_strategy": sim.branch_strategy,
        "orders_placed": placed,
        "orders_delivered": metrics.delivered,
        "orders_on_time": metrics.on_time,
        "orders_lost": {cause.value: metrics.losses.get(cause, 0) for cause in LossCause},
        "orders_lost_total": metrics.lost,
        "orders_in_flight": metrics.in_flight,
        "goodput": _r(goodput),
        "throughput_per_hour": _r(metrics.delivered / sim.scenario.shift_hours),
        "latency_p50": _r(p50),
        "latency_p95": _r(p95),
        "latency_p99": _r(p99),
        "orders_late": metrics.delivered - metrics.on_time,
        "latency_split": {part: _r(m) for part, m in metrics.split.means().items()},
        "latency_split_late": {part: _r(m) for part, m in metrics.split_late.means().items()},
        "mean_wait": _r(math.fsum(waits) / len(waits) if waits else 0.0),
        "chef_utilisation": _r(busy / on_duty if on_duty else 0.0),
        "revenue": _r(revenue, 2),
        "refunds": _r(refunds, 2),
        "costs": {cause: _r(-causes.get(cause, 0.0), 2) for cause in COSTS},
        "costs_total": _r(costs, 2),
        "profit": _r(profit, 2),
        "cost_per_1000_on_time": _r(costs / metrics.on_time * 1000, 2) if metrics.on_time else None,
        "bases_prepped": sum(s.prepped for b in sim.branches for s in b.stock.values()),
        "bases_used": sum(s.used for b in sim.branches for s in b.stock.values()),
        "bases_spoiled": sum(s.spoiled for b in sim.branches for s in b.stock.values()),
        "remaps": len(sim.remaps),
        "worst_moments": [m._asdict() for m in metrics.worst_moments()],
        "ended_at": _r(sim.now, 2),
        "actions": len(sim.action_log),
        "refused": [
            _refusal(sim, action, outcome) for action, outcome in sim.action_log if not outcome.ok
        ],
    }
    shown = meter(sim)
    report["meter"] = None if shown is None else shown.as_json()
    report["score"] = round(1000 * goodput + profit / 10)
    goals = sim.scenario.goals
    if goals is not None:
        met = {
            tier: goal is not None and goal_met(goal, report)
            for tier, goal in (("main", goals.main), ("bonus", goals.bonus), ("speed", goals.speed))
        }
        report["goals"] = met
        report["won"] = met["main"]
        report["stars"] = (met["main"] + met["bonus"] + met["speed"]) if met["main"] else 0
    return report


def _refusal(sim: Simulation, action: Action, outcome: Outcome) -> dict[str, Any]:
    """A refused action as the report lists it: when (sim minutes and clock), what and why."""
    return {
        "at": _r(action.at, 2),
        "clock": sim.clock(action.at),
        "kind": action.kind,
        "reason": outcome.reason,
    }


def goal_met(goal: Goal, report: dict[str, Any]) -> bool:
    """The goal's metric is within its bound, and so is every target it lists in `also`."""
    value = metric_value(report, goal.metric)
    if value is None:
        return False
    if goal.min is not None and value < goal.min:
        return False
    if goal.max is not None and value > goal.max:
        return False
    return all(goal_met(extra, report) for extra in goal.also)


def metric_value(report: dict[str, Any], metric: str) -> float | None:
    """A report figure by dotted name, e.g. `goodput` or `orders_lost.queue_full`."""
    value: Any = report
    for part in metric.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, int | float) else None
