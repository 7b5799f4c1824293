"""Headless grading: one entry (an action file and/or a router) over a level's seeds.

Everyone graded on a level faces the same seeds, so their orders, leave days and outages match
to the second and the numbers compare fairly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pizzashop.sim import Scenario, Simulation, build_report
from pizzashop.sim.actions import Action
from pizzashop.workshop.strategies import fresh_run

EXTRA_SEEDS = 4


def grading_seeds(scenario: Scenario) -> list[int]:
    """The level's own seed and the next few: fixed, so a room is graded on the same days."""
    return [scenario.seed + offset for offset in range(EXTRA_SEEDS + 1)]


def grade(
    scenario: Scenario,
    actions: list[Action],
    strategy: str | None,
    seeds: list[int] | None = None,
) -> dict[str, Any]:
    """Run the entry on every seed; the summary is what the leaderboard and instructors read."""
    runs = []
    for seed in seeds or grading_seeds(scenario):
        fresh_run(strategy)
        sim = Simulation(scenario, seed=seed, kitchen_strategy=strategy)
        sim.schedule(actions)
        sim.run()
        report = build_report(sim)
        runs.append(
            {
                key: report.get(key)
                for key in (
                    "seed",
                    "goodput",
                    "score",
                    "won",
                    "stars",
                    "orders_placed",
                    "orders_on_time",
                    "orders_lost_total",
                    "latency_p95",
                    "profit",
                    "refused",
                )
            }
        )
    count = len(runs)
    summary: dict[str, Any] = {
        "level": scenario.name,
        "strategy": strategy,
        "seeds": [run["seed"] for run in runs],
        "mean_goodput": round(sum(run["goodput"] for run in runs) / count, 4),
        "mean_score": round(sum(run["score"] for run in runs) / count, 2),
        "runs": runs,
    }
    if scenario.goals is not None:
        summary["wins"] = sum(bool(run["won"]) for run in runs)
        summary["min_stars"] = min(int(run["stars"]) for run in runs)
    return summary


def describe_entry(actions_path: Path | None, strategy: str | None) -> str:
    parts = [f"actions {actions_path.name}" if actions_path else "", strategy or ""]
    return ", ".join(part for part in parts if part) or "no actions"
