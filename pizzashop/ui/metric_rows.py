"""What the header and the metrics panel show, as plain rows read from the sim's public state.

Figures use the definitions of the report (GAME.md): goodput is on-time deliveries over orders
placed, latency is order to door and is always shown beside the losses.
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

from pizzashop.sim import KITCHEN_STRATEGIES, LossCause, Simulation, percentiles
from pizzashop.sim.files import one_line

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
    placed: int
    lost: int
    in_flight: int
    tag: str = ""
    """SANDBOX or REPLAY: a mode the player must not mistake for a normal game."""
    rival: str = ""
    """The algorithm's strategy in a versus game, and its goodput so far."""
    rival_on_time: int = 0
    rival_placed: int = 0


class Heading(NamedTuple):
    text: str
    note: str = ""


class Spark(NamedTuple):
    label: str
    value: str
    series: tuple[float, ...]


class Figure(NamedTuple):
    label: str
    value: str


class LossRow(NamedTuple):
    cause: str
    count: int
    peak: int


class WarningRow(NamedTuple):
    kind: str
    text: str
    continued: bool = False


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


MetricRow = Heading | Spark | Figure | LossRow | WarningRow | RemapRow | RemapShare | Note | Blank


def status_row(
    sim: Simulation, speed: int, paused: bool, tag: str = "", rival: Simulation | None = None
) -> StatusRow:
    metrics = sim.metrics
    rival_metrics = rival.metrics if rival is not None else None
    return StatusRow(
        one_line(sim.scenario.title or sim.scenario.name),
        sim.clock(),
        speed,
        paused,
        sim.finished,
        sim.doors_open,
        round(sim.ledger.balance),
        metrics.on_time,
        metrics.placed,
        metrics.lost,
        metrics.in_flight,
        tag,
        "" if rival is None else rival.initial_strategy or rival.scenario.routing.kitchen,
        0 if rival_metrics is None else rival_metrics.on_time,
        0 if rival_metrics is None else rival_metrics.placed,
    )


def goodput_text(on_time: int, placed: int) -> str:
    return f"{on_time / placed:.0%}" if placed else "–"


def metric_rows(sim: Simulation, width: int) -> list[MetricRow]:
    """Live charts, latency beside losses, the loss ledger, warnings (wrapped to `width`) and
    the remap meter."""
    metrics = sim.metrics
    samples = metrics.samples[-SERIES_LENGTH:]
    last = samples[-1] if samples else None
    rows: list[MetricRow] = [Heading("live", f"samples every {sim.scenario.sample_minutes:g} min")]
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
            "p95 latency",
            f"{last.p95:.0f} min" if last and last.p95 else "–",
            tuple(s.p95 for s in samples),
        )
    )
    rows.append(
        Spark(
            "chefs busy",
            f"{last.utilisation:.0%}" if last else "–",
            tuple(s.utilisation for s in samples),
        )
    )
    if metrics.latencies:
        p50, p95, p99 = percentiles(metrics.latencies, (50.0, 95.0, 99.0))
        rows.append(Figure("latency", f"p50/95/99 {p50:.0f}/{p95:.0f}/{p99:.0f}m"))
    else:
        rows.append(Figure("latency", "nothing delivered yet"))
    rows.append(Figure("on time", f"{metrics.on_time} of {metrics.placed} placed"))
    rows.append(Blank())
    rows.append(Heading("losses", str(metrics.lost)))
    peak = max(metrics.losses.values(), default=0)
    for cause in LossCause:
        if metrics.losses.get(cause):
            rows.append(LossRow(cause.value, metrics.losses[cause], peak))
    if not metrics.lost:
        rows.append(Note("no order lost yet"))
    rows.append(Blank())
    rows.append(Heading("warnings", str(len(sim.warnings)) if sim.warnings else ""))
    for (kind, _), text in sorted(sim.warnings.items()):
        for number, part in enumerate(textwrap.wrap(text, max(10, width - 2))):
            rows.append(WarningRow(kind, part, number > 0))
    if not sim.warnings:
        rows.append(Note("all calm"))
    hashing = sorted(
        {b.strategy for b in sim.branches if KITCHEN_STRATEGIES[b.strategy].hashes_customers}
    )
    if hashing or sim.remaps:
        rows.append(Blank())
        rows.append(Heading("remap meter", ", ".join(hashing) or "if customers were hashed"))
        for remap in sim.remaps[-REMAPS_SHOWN:]:
            rows.append(
                RemapRow(sim.clock(remap["time"]), remap["branch"], remap["before"], remap["after"])
            )
            rows.append(RemapShare(remap["modulo"], remap["ring"], remap["actual"]))
        if not sim.remaps:
            rows.append(Note("no chef has joined or left yet"))
    return rows
