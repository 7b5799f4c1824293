"""What the queueing lab's panels show, as plain rows: the run's clock, the parameters, and the
measured figures beside the theory with the notes that explain them."""

from __future__ import annotations

import textwrap
from itertools import accumulate
from typing import NamedTuple

from pizzashop.sim import Simulation
from pizzashop.ui.lab import LAB_HOURS, PARAMETERS, Meter, Settings, distribution, theory
from pizzashop.ui.metric_rows import Blank, Heading, Note, Spark

SERIES_LENGTH = 72
SHARES_SHOWN = 16
UNSTABLE = "unstable: ρ ≥ 1"
SETTINGS_NOTE = (
    "↑↓ pick a parameter, − + change it: the run starts again. λ steps by load ρ, finely near "
    "1 where the wait climbs steeply. Arrivals and cooking times "
    "are exponential (μ is a chef's mean rate); the chefs share one line."
)
TRY = (
    "Push λ towards cμ: the wait climbs steeply as ρ nears 1, long before the chefs look swamped.",
    "The same capacity two ways: 2 chefs at μ 20 or 4 chefs at μ 10 (cμ = 40 either way). Which "
    "keeps orders longer in line, and which longer in the kitchen altogether?",
    "r runs the same kitchen on the next seed: how far apart are two runs?",
)
NOTES = (
    "Erlang C: P(wait) is the chance every chef is busy when an order arrives; the mean wait "
    "is P(wait) / (cμ − λ).",
    "Little's law: L = λW in any stable queue, so the measured L and λ·W agree closely.",
    "The run starts with an empty kitchen, so early figures sit below the steady state. "
    "Speed up (4) and watch them settle.",
)


class LabClock(NamedTuple):
    elapsed: str
    speed: int
    paused: bool
    finished: bool
    seed: int
    placed: int


class Setting(NamedTuple):
    label: str
    value: str
    note: str
    selected: bool


class Share(NamedTuple):
    """How often n orders were in the kitchen, measured and in theory (bars of one scale)."""

    n: str
    measured: float | None
    theory: float | None
    peak: float


class Compare(NamedTuple):
    label: str
    measured: str
    theory: str
    header: bool = False
    bad: bool = False


LabRow = LabClock | Setting | Compare | Share | Heading | Note | Blank | Spark


def clock_row(sim: Simulation, speed: int, paused: bool) -> LabClock:
    minutes = int(sim.now)
    elapsed = f"{minutes // 60}:{minutes % 60:02d} of {LAB_HOURS:g} h"
    return LabClock(elapsed, speed, paused, sim.finished, sim.seed, sim.metrics.placed)


def setting_rows(settings: Settings, selected: int, width: int) -> list[LabRow]:
    notes = {"arrivals": "", "chefs": "", "speed": f"{settings.cook_minutes:.1f} min"}
    rows: list[LabRow] = [Heading("M/M/c kitchen")]
    for index, parameter in enumerate(PARAMETERS):
        value = f"{settings.value(parameter.name):g}{parameter.unit}"
        rows.append(Setting(parameter.label, value, notes[parameter.name], index == selected))
    rho = settings.utilisation
    rows.append(Setting("ρ = λ/(cμ)", f"{rho:.2f}", "unstable" if rho >= 1 else "", False))
    rows.append(Blank())
    rows += [Note(part) for part in textwrap.wrap(SETTINGS_NOTE, max(10, width))]
    rows += [Blank(), Heading("Try")]
    for note in TRY:
        rows += [
            Note(part)
            for part in textwrap.wrap(
                note, max(10, width), initial_indent="· ", subsequent_indent="  "
            )
        ]
    return rows


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} min"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def result_rows(settings: Settings, meter: Meter, width: int) -> list[LabRow]:
    """Measured beside theory, the queue over the run, and the notes wrapped to `width`."""
    sim = meter.sim
    measured = meter.read()
    exact = theory(settings)
    rows: list[LabRow] = [Compare("", "measured", "theory", header=True)]
    formats = (
        ("mean wait Wq", _minutes),
        ("P(wait)", _share),
        ("utilisation ρ", _share),
        ("in kitchen L", _number),
        ("λ·W (Little)", _number),
    )
    for index, (label, show) in enumerate(formats):
        unstable = exact is None and index == 0
        expected = show(exact[index]) if exact is not None else UNSTABLE if unstable else ""
        rows.append(Compare(label, show(measured[index]), expected, bad=unstable))
    rows.append(Note(f"{sim.metrics.placed:,} orders placed, {meter.cooked:,} reached a chef"))
    samples = sim.metrics.samples[-SERIES_LENGTH:]
    last = samples[-1].queue if samples else 0
    rows.append(Blank())
    rows.append(Spark("queue", str(last), tuple(s.queue for s in samples)))
    rows.append(Blank())
    rows += share_rows(settings, meter)
    rows.append(Blank())
    for note in NOTES:
        rows += [Note(part) for part in textwrap.wrap(note, max(10, width))]
    return rows


def share_rows(settings: Settings, meter: Meter) -> list[LabRow]:
    """The distribution of orders in the kitchen, measured beside theory: one row per n until
    the theory holds 99% of the time, then one row for the rest ("n+")."""
    exact = distribution(settings)
    shown = SHARES_SHOWN
    if exact is not None:
        totals = list(accumulate(exact))
        shown = min(shown, next((n for n, total in enumerate(totals) if total >= 0.99), shown) + 1)
    measured = [meter.in_kitchen(n) for n in range(shown)]
    theory = [exact[n] if exact is not None and n < len(exact) else None for n in range(shown)]
    measured.append(None if measured[0] is None else 1 - sum(m or 0.0 for m in measured))
    theory.append(None if exact is None else max(0.0, 1 - sum(t or 0.0 for t in theory)))
    peak = max((value for value in (*measured, *theory) if value is not None), default=0.0)
    rows: list[LabRow] = [Heading("n in kitchen", "share of time: sim │ theory")]
    for n, (seen, expected) in enumerate(zip(measured, theory, strict=True)):
        rows.append(Share(f"{n}+" if n == shown else str(n), seen, expected, peak))
    return rows
