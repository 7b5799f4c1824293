"""What the header and the metrics panel show, as plain rows read from the sim's public state.

Figures are the report's (GAME.md), read through `pizzashop.sim.live`: mid-shift, goodput is over
the orders already finished (in-flight ones are counted apart), at the end over orders placed;
latency is order to door and is always shown beside the losses, with where it went (mean minutes
in the queue, cooking, waiting for a driver, on the road) for delivered orders and the late ones.
The charts are over the last hour; the "so far" figures, which the goals use, over the whole
shift.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any, NamedTuple

from pizzashop.sim import KITCHEN_STRATEGIES, LossCause, Simulation, parts_of
from pizzashop.sim.files import one_line
from pizzashop.sim.live import GoalStanding, live_report
from pizzashop.ui.game import HeldWarning

SERIES_LENGTH = 72
REMAPS_SHOWN = 3


class StatusRow(NamedTuple):
    title: str
    clock: str
    speed: int
    paused: bool
    finished: bool
    doors_open: bool
    money: int
    on_time: int
    done: int
    """Orders finished (delivered or lost): mid-shift, goodput is over these."""
    in_flight: int
    late: int
    """Orders in flight that can no longer be on time."""
    lost: int
    goodput: str
    """Goodput as the header prints it, and the state of the goal on it (if any)."""
    goodput_state: str = ""
    tag: str = ""
    """SANDBOX or REPLAY: a mode the player must not mistake for a normal game."""
    rival: str = ""
    """The algorithm's strategy in a versus game, and its goodput so far."""
    rival_goodput: str = ""


class GoalCell(NamedTuple):
    """One goal in the header: `label value op bound`, marked by its state."""

    tier: str
    label: str
    value: str
    bound: str
    state: str


class GoalsRow(NamedTuple):
    goals: tuple[GoalCell, ...]
    note: str = ""


class Heading(NamedTuple):
    text: str
    note: str = ""


class Spark(NamedTuple):
    label: str
    value: str
    series: tuple[float, ...]
    peak: float | None = None
    """The top of the chart's scale (1.0 for a share: 0–100 %); None scales to the series."""


class Figure(NamedTuple):
    label: str
    value: str
    state: str = ""
    """A goal's state (`GoalState` value) that colours and marks the value; "" for none."""


class LatencyRow(NamedTuple):
    """Order-to-door percentiles over the whole shift so far; p95 marked by its goal."""

    p50: str
    p95: str
    p99: str
    state: str


class SplitRow(NamedTuple):
    """Mean minutes in each part of an order's path: a header row (the parts' names), or a row
    of figures for delivered orders ("all") or the late ones."""

    label: str
    values: tuple[str, ...]
    heading: bool = False


class LossRow(NamedTuple):
    cause: str
    count: int
    peak: int


class WarningRow(NamedTuple):
    kind: str
    text: str
    continued: bool = False
    cleared: bool = False


class RemapRow(NamedTuple):
    """A change in the chefs on duty, and the share of customers it moves."""

    clock: str
    branch: str
    before: int
    after: int


class RemapShare(NamedTuple):
    modulo: float
    ring: float
    actual: float | None


class Note(NamedTuple):
    text: str


class Blank(NamedTuple):
    pass


MetricRow = (
    Heading
    | Spark
    | Figure
    | LatencyRow
    | SplitRow
    | LossRow
    | WarningRow
    | RemapRow
    | RemapShare
    | Note
    | Blank
)


GOAL_NAMES = {
    "goodput": "goodput",
    "latency_p50": "p50",
    "latency_p95": "p95",
    "latency_p99": "p99",
    "profit": "profit",
    "costs.wages": "wages",
    "orders_lost_total": "lost",
    "bases_spoiled": "spoiled",
    "costs_total": "costs",
}
LOSS_LABELS = {
    "queue_full": "queue full",
    "gave_up": "gave up",
    "branch_dark": "branch dark",
    "no_route": "no route",
    "no_chef": "no chef",
    "stale_recipe": "stale recipe",
    "unserved_at_close": "at closing",
}
"""Loss causes as the screens print them (the report's JSON keeps the cause names)."""
LOSS_WIDTH = max(len(label) for label in LOSS_LABELS.values())
PART_LABELS = {"queue": "queue", "cooking": "cook", "driver": "driver", "road": "road"}
"""The parts of an order's time (`sim.PARTS`) as the metrics panel heads its columns."""


def split_rows(sim: Simulation, report: dict[str, Any]) -> list[SplitRow]:
    """Where delivered orders' time went, and late ones' ("–" before the first late one)."""
    parts = parts_of(sim.delivery.enabled)
    late = report["orders_late"]
    return [
        SplitRow("mean", tuple(PART_LABELS[part] for part in parts), heading=True),
        SplitRow("all", tuple(f"{report['latency_split'][part]:.0f}" for part in parts)),
        SplitRow(
            "late",
            tuple(f"{report['latency_split_late'][part]:.0f}" if late else "–" for part in parts),
        ),
    ]


def agreeing(value: float, bound: float | None, scale: float = 1.0, places: int = 0) -> str:
    """`value × scale` with `places` decimals, or more until it no longer prints as the bound
    does (unless it is the bound): a p95 of 29.99 against "under 30" prints 29.99, not 30."""
    shown = f"{value * scale:.{places}f}"
    while bound is not None and value != bound and places < 4:
        if shown != f"{bound * scale:.{places}f}":
            break
        places += 1
        shown = f"{value * scale:.{places}f}"
    return shown


def goal_cell(standing: GoalStanding) -> GoalCell:
    goal, metric, value = standing.goal, standing.goal.metric, standing.value
    bound = goal.min if goal.min is not None else goal.max
    assert bound is not None
    op = "≥" if goal.min is not None else "≤"
    if metric.startswith("orders_lost."):
        label = LOSS_LABELS.get(metric.split(".", 1)[1], metric)
    else:
        label = GOAL_NAMES.get(metric, metric)
    scale, unit = (100.0, "%") if metric == "goodput" else (1.0, "")
    shown = "–" if value is None else agreeing(value, bound, scale) + unit
    unit = " min" if metric.startswith("latency_") else unit
    return GoalCell(standing.tier, label, shown, f"{op} {bound * scale:g}{unit}", standing.state)


def goals_row(standings: list[GoalStanding], has_goals: bool, mode: str) -> GoalsRow:
    if not has_goals:
        note = "sandbox: every action, no goals" if mode == "sandbox" else "no goals here"
        return GoalsRow((), note)
    return GoalsRow(tuple(goal_cell(standing) for standing in standings))


def goal_state(standings: list[GoalStanding], metric: str) -> str:
    """The state of the goal on `metric` ("" if no goal uses it)."""
    return next((s.state.value for s in standings if s.goal.metric == metric), "")


def goodput_text(report: dict[str, Any], finished: bool, standings: list[GoalStanding]) -> str:
    """ "95% of 20 done" mid-shift (over finished orders), "91% of 120 placed" at the end."""
    goodput = report["goodput"]
    if goodput is None:
        return "–"
    bound = next((s.goal.min for s in standings if s.goal.metric == "goodput"), None)
    shown = agreeing(goodput, bound, 100.0)
    if finished:
        return f"{shown}% of {report['orders_placed']} placed"
    return f"{shown}% of {report['orders_done']} done"


def status_row(
    sim: Simulation,
    speed: int,
    paused: bool,
    report: dict[str, Any],
    standings: list[GoalStanding],
    tag: str = "",
    rival: Simulation | None = None,
) -> StatusRow:
    metrics = sim.metrics
    rival_text = ""
    if rival is not None:
        rival_report = live_report(rival)
        rival_text = goodput_text(rival_report, rival.finished, []).split(" of ")[0]
    return StatusRow(
        one_line(sim.scenario.title or sim.scenario.name),
        sim.clock(),
        speed,
        paused,
        sim.finished,
        sim.doors_open,
        round(sim.ledger.balance),
        metrics.on_time,
        report["orders_done"],
        metrics.in_flight,
        report["orders_late_in_flight"],
        metrics.lost,
        goodput_text(report, sim.finished, standings),
        goal_state(standings, "goodput"),
        tag,
        "" if rival is None else rival.initial_strategy or rival.scenario.routing.kitchen,
        rival_text,
    )


def metric_rows(
    sim: Simulation,
    width: int,
    report: dict[str, Any],
    standings: list[GoalStanding],
    warnings: Iterable[HeldWarning] = (),
) -> list[MetricRow]:
    """What is wrong first: the loss ledger and the warnings (wrapped to `width`, kept up a
    while after they clear); then the shift so far (latency beside the losses), the charts
    over the last hour and the remap meter. On a short terminal the top is what shows."""
    metrics = sim.metrics
    rows: list[MetricRow] = []
    rows.append(Heading("losses", str(metrics.lost)))
    peak = max(metrics.losses.values(), default=0)
    for cause in LossCause:
        if metrics.losses.get(cause):
            rows.append(LossRow(LOSS_LABELS[cause.value], metrics.losses[cause], peak))
    if not metrics.lost:
        rows.append(Note("no order lost yet"))
    shown = sorted(warnings, key=lambda w: (w.cleared is not None, w.raised))
    up = sum(w.cleared is None for w in shown)
    rows.append(Heading("warnings", f"{up} up" if up else ""))
    for warning in shown:
        when = sim.clock(warning.raised)
        if warning.cleared is not None:
            when += f"–{sim.clock(warning.cleared)}"
        text = f"{when} {warning.text}"
        for number, part in enumerate(textwrap.wrap(text, max(10, width - 2))):
            rows.append(WarningRow(warning.kind, part, number > 0, warning.cleared is not None))
    if not shown:
        rows.append(Note("all calm"))
    rows.append(Heading("so far", "order→door, min"))
    p95_goal = next((s for s in standings if s.goal.metric == "latency_p95"), None)
    if metrics.latencies:
        bound = p95_goal.goal.max if p95_goal is not None else None
        rows.append(
            LatencyRow(
                f"{report['latency_p50']:.0f}",
                agreeing(report["latency_p95"], bound),
                f"{report['latency_p99']:.0f}",
                goal_state(standings, "latency_p95"),
            )
        )
        rows.extend(split_rows(sim, report))
    else:
        rows.append(Note("nothing delivered yet"))
    if p95_goal is not None:
        rows.append(Note(f"p95 goal {goal_cell(p95_goal).bound}, whole shift"))
    rows.append(
        Figure(
            "on time",
            goodput_text(report, sim.finished, standings),
            goal_state(standings, "goodput"),
        )
    )
    late = report["orders_late_in_flight"]
    rows.append(Figure("in flight", f"{metrics.in_flight}" + (f" · {late} late" if late else "")))
    samples = metrics.samples[-SERIES_LENGTH:]
    last = samples[-1] if samples else None
    every = f"{sim.scenario.sample_minutes:g}"
    rows.append(Heading("last hour", f"a point every {every} min"))
    rows.append(
        Spark(
            "throughput",
            f"{last.throughput:.0f}/h" if last else "–",
            tuple(s.throughput for s in samples),
        )
    )
    rows.append(Spark("queue", str(last.queue) if last else "–", tuple(s.queue for s in samples)))
    rows.append(
        Spark(
            "p95",
            f"{last.p95:.0f} min" if last and last.p95 else "–",
            tuple(s.p95 for s in samples),
        )
    )
    rows.append(
        Spark(
            "chefs busy",
            f"{last.utilisation:.0%}" if last else "–",
            tuple(s.utilisation for s in samples),
            peak=1.0,
        )
    )
    hashing = sorted(
        {b.strategy for b in sim.branches if KITCHEN_STRATEGIES[b.strategy].hashes_customers}
    )
    if sim.remaps_matter() or sim.remaps:  # regulars know their chef, or customers are hashed
        rows.append(Blank())
        note = ", ".join(hashing) or "regulars, if hashed"
        rows.append(Heading("remap meter", note))
        for remap in sim.remaps[-REMAPS_SHOWN:]:
            rows.append(
                RemapRow(sim.clock(remap["time"]), remap["branch"], remap["before"], remap["after"])
            )
            rows.append(RemapShare(remap["modulo"], remap["ring"], remap["actual"]))
        if not sim.remaps:
            rows.append(Note("no chef has joined or left yet"))
    return rows
