"""The queueing lab's model: an M/M/c kitchen built from the bundled `mmc_lab` scenario, what the
simulation measured so far, and what queueing theory (Erlang C, Little's law) says it should be.

Measured figures are read from the sim's public metrics, incrementally (a long run holds tens of
thousands of orders); theory comes from `pizzashop.sim.queueing`, the same formulas the oracle
tests trust. Rates are shown per hour; the formulas get them per minute, the sim's unit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from pizzashop.sim import Scenario, Simulation, load_scenario
from pizzashop.sim.queueing import birth_death, mmc

LAB_SCENARIO = "mmc_lab"
LAB_HOURS = 1000.0
"""Long enough (tens of thousands of orders) for the averages to settle close to the theory."""
LAB_SPEEDS = (1, 10, 60, 600)
"""Sim minutes per wall second for keys 1–4: watch single orders, or let thousands go by."""


class Parameter(NamedTuple):
    name: str
    label: str
    unit: str
    step: int
    low: int
    high: int


LOADS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99,
         1.0, 1.05, 1.1, 1.2, 1.5, 2.0)  # fmt: skip
"""The loads ρ that − and + step the arrival rate through: fine near 1, where the wait climbs
steeply (0.8 → 0.9 doubles it, 0.9 → 0.99 multiplies it by ten), coarse far from it."""

PARAMETERS = (
    Parameter("arrivals", "arrivals λ", "/h", 6, 1, 600),
    Parameter("chefs", "chefs c", "", 1, 1, 12),
    Parameter("speed", "chef speed μ", "/h", 1, 1, 60),
)


@dataclass(frozen=True)
class Settings:
    """λ orders an hour, c chefs, each cooking μ orders an hour on average (exponential)."""

    arrivals: float = 24
    chefs: int = 3
    speed: int = 10

    def value(self, name: str) -> float:
        return float(getattr(self, name))

    def changed(self, name: str, steps: int) -> Settings:
        """One parameter moved by `steps` steps, kept within its range. The arrival rate steps
        from one load on LOADS to the next (λ = ρ·cμ, to a tenth of an order an hour)."""
        parameter = next(p for p in PARAMETERS if p.name == name)
        value = self.value(name)
        if name == "arrivals":
            for _ in range(abs(steps)):
                value = self._next_rate(value, 1 if steps > 0 else -1)
        else:
            value += steps * parameter.step
        value = min(parameter.high, max(parameter.low, value))
        return replace(self, **{name: value if name == "arrivals" else int(value)})

    def _next_rate(self, rate: float, direction: int) -> float:
        capacity = self.chefs * self.speed
        load = rate / capacity
        if direction > 0:
            later = [rho for rho in LOADS if rho > load + 1e-9]
            rho = later[0] if later else load + 0.5
        else:
            earlier = [rho for rho in LOADS if rho < load - 1e-9]
            rho = earlier[-1] if earlier else load / 2
        return round(rho * capacity, 1)

    @property
    def utilisation(self) -> float:
        """ρ = λ/(cμ); the kitchen is unstable (the line grows without end) when ρ ≥ 1."""
        return self.arrivals / (self.chefs * self.speed)

    @property
    def cook_minutes(self) -> float:
        return 60.0 / self.speed


def lab_scenario(settings: Settings) -> Scenario:
    """The bundled M/M/3 lab with these rates and chefs, run for LAB_HOURS."""
    data = load_scenario(LAB_SCENARIO).model_dump()
    data["demand"]["rate_per_hour"] = float(settings.arrivals)
    (item,) = data["menu"].values()
    item["cook_minutes"] = settings.cook_minutes
    data["branches"][0]["chefs"] = [{"name": f"Chef {n + 1}"} for n in range(settings.chefs)]
    data["shift_hours"] = LAB_HOURS
    return Scenario.model_validate(data)


class Figures(NamedTuple):
    """The lab's five figures, in minutes and orders; None where there is nothing to say yet."""

    mean_wait: float | None
    p_wait: float | None
    utilisation: float | None
    in_system: float | None
    little: float | None
    """λ·W: arrivals per minute times the mean time an order spends in the kitchen."""


def theory(settings: Settings) -> Figures | None:
    """Erlang C's exact steady state, or None when ρ ≥ 1 (no steady state exists)."""
    if settings.utilisation >= 1:
        return None
    lam, mu = settings.arrivals / 60.0, settings.speed / 60.0
    exact = mmc(lam, mu, settings.chefs)
    rho = settings.utilisation
    return Figures(exact.mean_wait, exact.p_wait, rho, exact.mean_in_system, exact.mean_in_system)


def distribution(settings: Settings) -> list[float] | None:
    """P(n orders in the kitchen) for n = 0, 1, … in the steady state; None when ρ ≥ 1."""
    if settings.utilisation >= 1:
        return None
    lam, mu, c = settings.arrivals / 60.0, settings.speed / 60.0, settings.chefs
    return birth_death(lambda n: lam, lambda n: min(n, c) * mu)


@dataclass
class Meter:
    """Running sums over the sim's public metrics, read a little more each frame."""

    sim: Simulation
    _waits: int = field(default=0, init=False)
    _wait_total: float = field(default=0.0, init=False)
    _waited: int = field(default=0, init=False)
    _done: int = field(default=0, init=False)
    _done_total: float = field(default=0.0, init=False)
    _samples: int = field(default=0, init=False)
    _busy_total: float = field(default=0.0, init=False)
    _in_kitchen: Counter[int] = field(default_factory=Counter, init=False)

    def read(self) -> Figures:
        metrics, now = self.sim.metrics, self.sim.now
        for wait in metrics.waits[self._waits :]:
            self._wait_total += wait
            self._waited += wait > 0
        self._waits = len(metrics.waits)
        for latency in metrics.latencies[self._done :]:
            self._done_total += latency
        self._done = len(metrics.latencies)
        for sample in metrics.samples[self._samples :]:
            self._busy_total += sample.utilisation
            self._in_kitchen[sample.in_flight] += 1
        self._samples = len(metrics.samples)
        area = metrics.in_flight_area + metrics.in_flight * (now - metrics.in_flight_since)
        mean_wait = self._wait_total / self._waits if self._waits else None
        mean_time = self._done_total / self._done if self._done else None
        return Figures(
            mean_wait,
            self._waited / self._waits if self._waits else None,
            self._busy_total / self._samples if self._samples else None,
            area / now if now > 0 else None,
            metrics.placed / now * mean_time if now > 0 and mean_time is not None else None,
        )

    def in_kitchen(self, n: int) -> float | None:
        """The share of samples (taken at fixed times) that found `n` orders in the kitchen."""
        return self._in_kitchen[n] / self._samples if self._samples else None

    @property
    def cooked(self) -> int:
        """Orders that reached a chef (the ones the mean wait and P(wait) are over)."""
        return self._waits
