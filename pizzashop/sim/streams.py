"""Seeded random streams, one per purpose, and samplers written on `random()` alone.

Each purpose (arrivals, order contents, patience, service, leave, outages, routing …) gets its own
`random.Random` seeded with a string derived from the scenario seed, so drawing more from one
stream (say, a random router) never shifts another (the orders). Samplers use only `random()`,
whose output is stable across Python versions, unlike `expovariate` and friends.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


class Streams:
    """A lazily created `random.Random` per purpose name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __getitem__(self, purpose: str) -> random.Random:
        stream = self._streams.get(purpose)
        if stream is None:
            stream = random.Random(f"pizzashop:{self.seed}:{purpose}")
            self._streams[purpose] = stream
        return stream


def exponential(u: float, mean: float) -> float:
    """Inverse CDF of the exponential distribution at quantile `u` in [0, 1)."""
    return -mean * math.log(1.0 - u)


def lognormal(u: float, mean: float, cv: float) -> float:
    """Inverse CDF of a lognormal with the given mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    mu = math.log(mean) - sigma2 / 2.0
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    return math.exp(mu + math.sqrt(sigma2) * _STANDARD_NORMAL.inv_cdf(u))


def quantile(dist: str, u: float, mean: float, cv: float) -> float:
    """Service or patience time at quantile `u` for a named distribution."""
    if dist == "exponential":  # `exponential(u, mean)`, inlined: this runs for every item cooked
        return -mean * math.log(1.0 - u)
    if dist == "lognormal":
        return lognormal(u, mean, cv)
    return mean


def weighted_index(u: float, cumulative: list[float]) -> int:
    """Index picked by `u` in [0, 1) from cumulative weights (last entry is the total)."""
    target = u * cumulative[-1]
    for index, edge in enumerate(cumulative):
        if target < edge:
            return index
    return len(cumulative) - 1
