"""Exact queueing formulas: the theory the queueing lab shows beside the simulation.

Pure Python (`math` only) so the lab screen and the oracle tests share one trusted source. Rates
are per unit time in any unit, as long as arrivals (λ), service (μ) and patience (θ) agree; `c` is
the number of servers (chefs). Offered load a = λ/μ in Erlangs; utilisation ρ = λ/(cμ).

Large factorials and powers are never formed: Erlang B uses its textbook recursion and the
birth–death chains (M/M/c/K, Erlang A) are solved in log space, so c in the hundreds is fine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

TAIL_EPSILON = 1e-16
MAX_STATES = 1_000_000


class Stationary(NamedTuple):
    """Long-run figures of a birth–death queue; waits count every arrival that joins the line."""

    p_wait: float  # an arrival finds every server busy (PASTA)
    p_block: float  # an arrival is turned away (M/M/c/K only)
    p_abandon: float  # an arrival gives up before service (Erlang A only)
    mean_queue: float  # E[Nq], customers waiting
    mean_in_system: float  # E[N]
    mean_wait: float  # E[Wq] over arrivals that join (abandoners count their time in line)


def _check_rates(lam: float, mu: float, c: int) -> None:
    if not lam > 0:
        raise ValueError(f"arrival rate must be > 0, got {lam}")
    if not mu > 0:
        raise ValueError(f"service rate must be > 0, got {mu}")
    if isinstance(c, bool) or not isinstance(c, int) or c < 1:
        raise ValueError(f"servers must be an integer >= 1, got {c!r}")


def utilisation(lam: float, mu: float, c: int) -> float:
    """ρ = λ/(cμ): the share of time a server is busy in a stable M/M/c queue."""
    _check_rates(lam, mu, c)
    return lam / (c * mu)


def littles_law(throughput: float, time_in_system: float) -> float:
    """L = λW: mean number in a system from its throughput and mean time spent inside."""
    if throughput < 0 or time_in_system < 0:
        raise ValueError("throughput and time in system must be >= 0")
    return throughput * time_in_system


def erlang_b(c: int, load: float) -> float:
    """Erlang B: probability an arrival is blocked in M/M/c/c (no waiting room), load a = λ/μ.

    Recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)): each step is in [0, 1], so it never
    overflows, unlike aᶜ/c! over a sum of factorial terms.
    """
    if isinstance(c, bool) or not isinstance(c, int) or c < 0:
        raise ValueError(f"servers must be an integer >= 0, got {c!r}")
    if load < 0:
        raise ValueError(f"offered load must be >= 0, got {load}")
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(c: int, load: float) -> float:
    """Erlang C: probability an arrival has to wait in M/M/c, load a = λ/μ < c.

    From Erlang B: C = B / (1 − ρ(1 − B)) with ρ = a/c.
    """
    if isinstance(c, bool) or not isinstance(c, int) or c < 1:
        raise ValueError(f"servers must be an integer >= 1, got {c!r}")
    if load < 0:
        raise ValueError(f"offered load must be >= 0, got {load}")
    rho = load / c
    if rho >= 1:
        raise ValueError(f"M/M/c is unstable at utilisation {rho:.3f} >= 1")
    blocking = erlang_b(c, load)
    return blocking / (1.0 - rho * (1.0 - blocking))


def mmc(lam: float, mu: float, c: int) -> Stationary:
    """M/M/c with unlimited waiting room: Erlang C waits; raises ValueError when ρ ≥ 1."""
    rho = utilisation(lam, mu, c)
    if rho >= 1:
        raise ValueError(f"M/M/c is unstable at utilisation {rho:.3f} >= 1")
    p_wait = erlang_c(c, lam / mu)
    mean_wait = p_wait / (c * mu - lam)
    mean_queue = lam * mean_wait
    return Stationary(p_wait, 0.0, 0.0, mean_queue, mean_queue + lam / mu, mean_wait)


def birth_death(
    birth: Callable[[int], float], death: Callable[[int], float], last: int | None = None
) -> list[float]:
    """Stationary distribution π_0… of a birth–death chain, solved in log space.

    π_n ∝ Π_{k<n} birth(k)/death(k+1). With `last` the chain stops at that state (a finite
    buffer); otherwise it is cut once the terms shrink and the next one is below TAIL_EPSILON of
    the largest, which needs deaths that eventually outgrow births.
    """
    logs = [0.0]
    top = 0.0
    n = 0
    while last is None or n < last:
        up, down = birth(n), death(n + 1)
        if up <= 0:
            break
        step = math.log(up) - math.log(down)
        value = logs[-1] + step
        if last is None and step < 0 and value - top < math.log(TAIL_EPSILON):
            break
        logs.append(value)
        top = max(top, value)
        n += 1
        if n >= MAX_STATES:
            raise ValueError("birth–death chain does not settle: is the queue stable?")
    weights = [math.exp(value - top) for value in logs]
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def _summarise(
    pi: list[float], lam: float, c: int, p_block: float = 0.0, theta: float = 0.0
) -> Stationary:
    """Figures of a solved chain; waits are over the arrivals let in, λ(1 − p_block)."""
    p_wait = math.fsum(pi[c:])
    mean_queue = math.fsum((n - c) * p for n, p in enumerate(pi) if n > c)
    mean_in_system = math.fsum(n * p for n, p in enumerate(pi))
    p_abandon = theta * mean_queue / lam
    mean_wait = mean_queue / (lam * (1.0 - p_block))
    return Stationary(p_wait, p_block, p_abandon, mean_queue, mean_in_system, mean_wait)


def mmck(lam: float, mu: float, c: int, capacity: int) -> Stationary:
    """M/M/c/K: at most K = `capacity` customers inside (c cooking, K − c waiting).

    Stable for any ρ. `p_block` = π_K (PASTA); `p_wait` = P(N ≥ c) includes blocked arrivals,
    and `mean_wait` is over the customers let in (Little on λ(1 − π_K)).
    """
    _check_rates(lam, mu, c)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < c:
        raise ValueError(f"capacity K must be an integer >= c = {c}, got {capacity!r}")
    pi = birth_death(lambda n: lam, lambda n: min(n, c) * mu, last=capacity)
    return _summarise(pi, lam, c, p_block=pi[capacity])


def erlang_a(lam: float, mu: float, c: int, theta: float) -> Stationary:
    """Erlang A (M/M/c+M): customers give up after an exponential patience of mean 1/θ.

    Births λ, deaths min(n, c)·μ + max(n − c, 0)·θ; stable for any ρ since the line sheds load.
    P(abandon) = θ·E[Nq]/λ (abandonments per unit time over arrivals per unit time).
    """
    _check_rates(lam, mu, c)
    if not theta > 0:
        raise ValueError(f"abandonment rate must be > 0 (θ = 0 is Erlang C), got {theta}")
    pi = birth_death(lambda n: lam, lambda n: min(n, c) * mu + max(n - c, 0) * theta)
    return _summarise(pi, lam, c, theta=theta)
