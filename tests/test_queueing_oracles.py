"""Queueing theory as oracles: the engine against exact M/M/c results, and the formulas themselves.

Each engine check runs R replications of the `mmc_lab` shop on fixed, distinct seeds, about 20k
orders each after a warm-up, and asserts |mean − exact| ≤ 5·s/√R, where the replication means are
the R samples and s is their standard deviation. Scenarios are time-scaled (30 orders a minute,
cooking in fractions of a minute) so a run has few clock ticks per order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import fmean, stdev
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pizzashop.sim import LossCause, Order, Scenario, Simulation, load_scenario
from pizzashop.sim.queueing import (
    Stationary,
    birth_death,
    erlang_a,
    erlang_b,
    erlang_c,
    littles_law,
    mmc,
    mmck,
    utilisation,
)

REPLICATIONS = 8
ORDERS = 20_000
WARMUP_ORDERS = 1_000
PER_MINUTE = 30.0
SIGMAS = 5.0


# ------------------------------------------------------------------ the formulas on their own


def erlang_b_direct(c: int, load: float) -> float:
    """The textbook (aᶜ/c!) / Σ aᵏ/k!, fine for small c."""
    terms = [load**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / math.fsum(terms)


def test_erlang_c_with_one_server_is_the_utilisation() -> None:
    for rho in (0.05, 0.3, 0.5, 0.8, 0.99):
        assert erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
        assert mmc(rho, 1.0, 1).p_wait == pytest.approx(rho, rel=1e-12)


def test_mm1_closed_forms() -> None:
    lam, mu = 3.0, 4.0
    rho = lam / mu
    result = mmc(lam, mu, 1)
    assert result.mean_wait == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert result.mean_in_system == pytest.approx(rho / (1 - rho), rel=1e-12)
    assert result.mean_queue == pytest.approx(rho * rho / (1 - rho), rel=1e-12)


def test_textbook_values() -> None:
    # M/M/2 at ρ = 1/2: C = 2ρ²/(1 + ρ) = 1/3 and Wq = C/(cμ − λ) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)
    assert mmc(1.0, 1.0, 2).mean_wait == pytest.approx(1 / 3, rel=1e-12)
    # Erlang B tables: E(10 lines, 5 Erlangs) = 0.01838, E(1, a) = a/(1 + a).
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-6)
    assert erlang_b(1, 3.0) == pytest.approx(0.75, rel=1e-12)
    assert erlang_b(0, 3.0) == 1.0


@given(st.integers(min_value=0, max_value=40), st.floats(min_value=0.01, max_value=60.0))
def test_erlang_b_recursion_matches_the_direct_formula(c: int, load: float) -> None:
    assert erlang_b(c, load) == pytest.approx(erlang_b_direct(c, load), rel=1e-9, abs=1e-300)


def test_erlang_b_stays_finite_for_large_kitchens() -> None:
    blocking = erlang_b(2000, 1900.0)
    assert 0.0 < blocking < 0.1
    assert mmck(1900.0, 1.0, 2000, 2000).p_block == pytest.approx(blocking, rel=1e-9)
    assert 0.0 < erlang_c(2000, 1900.0) < 1.0


@pytest.mark.parametrize(("c", "load"), [(1, 0.7), (3, 2.4), (5, 1.0), (8, 7.5)])
def test_mmck_without_waiting_room_is_erlang_b(c: int, load: float) -> None:
    result = mmck(load, 1.0, c, c)
    assert result.p_block == pytest.approx(erlang_b(c, load), rel=1e-12)
    assert result.mean_queue == 0.0


def test_mm1k_closed_form() -> None:
    lam, mu, capacity = 2.0, 2.5, 6
    rho = lam / mu
    expected = (1 - rho) * rho**capacity / (1 - rho ** (capacity + 1))
    assert mmck(lam, mu, 1, capacity).p_block == pytest.approx(expected, rel=1e-12)


def test_mmck_approaches_erlang_c_as_the_room_grows() -> None:
    lam, mu, c = 2.4, 1.0, 3
    exact = mmc(lam, mu, c)
    gaps = [abs(mmck(lam, mu, c, c + room).mean_wait - exact.mean_wait) for room in (5, 20, 80)]
    assert gaps[0] > gaps[1] > gaps[2]
    large = mmck(lam, mu, c, 400)
    # Blocking keeps its precision far below 1 − ε: π_K = π_c·ρ^(K−c), π_c = C·(1 − ρ).
    rho = lam / (c * mu)
    tail = exact.p_wait * (1 - rho) * rho ** (400 - c)
    assert 0.0 < large.p_block < 1e-30
    assert large.p_block == pytest.approx(tail, rel=1e-9)
    assert large.p_wait == pytest.approx(exact.p_wait, rel=1e-9)
    assert large.mean_wait == pytest.approx(exact.mean_wait, rel=1e-9)
    assert large.mean_in_system == pytest.approx(exact.mean_in_system, rel=1e-9)


def test_mmck_is_stable_above_full_load() -> None:
    result = mmck(5.0, 1.0, 2, 50)
    # Overloaded: the room is nearly always full, so almost (1 − cμ/λ) of arrivals are refused.
    assert result.p_block == pytest.approx(1 - 2 / 5, rel=1e-6)


def test_erlang_a_with_patience_equal_to_service_is_an_infinite_server_queue() -> None:
    # θ = μ: every customer leaves at rate μ, so N is Poisson(a) like M/M/∞.
    lam, mu, c = 2.4, 1.0, 3
    load = lam / mu
    poisson = [math.exp(-load) * load**n / math.factorial(n) for n in range(80)]
    result = erlang_a(lam, mu, c, mu)
    assert result.p_wait == pytest.approx(math.fsum(poisson[c:]), rel=1e-9)
    assert result.mean_in_system == pytest.approx(load, rel=1e-9)
    excess = math.fsum((n - c) * p for n, p in enumerate(poisson) if n > c)
    assert result.p_abandon == pytest.approx(excess / load, rel=1e-9)


def test_erlang_a_approaches_erlang_c_as_patience_grows() -> None:
    lam, mu, c = 2.4, 1.0, 3
    exact = mmc(lam, mu, c)
    patient = erlang_a(lam, mu, c, 1e-6)
    assert patient.p_wait == pytest.approx(exact.p_wait, rel=1e-4)
    assert patient.mean_wait == pytest.approx(exact.mean_wait, rel=1e-4)
    assert patient.p_abandon < 1e-5


def test_erlang_a_flow_balance() -> None:
    # Served plus abandoned is every arrival: λ(1 − P(ab)) = μ·E[min(N, c)].
    lam, mu, c, theta = 7.0, 1.0, 4, 0.5
    pi = birth_death(lambda n: lam, lambda n: min(n, c) * mu + max(n - c, 0) * theta)
    busy = math.fsum(min(n, c) * p for n, p in enumerate(pi))
    result = erlang_a(lam, mu, c, theta)
    assert math.fsum(pi) == pytest.approx(1.0, rel=1e-12)
    assert pi[-1] < 1e-15
    assert lam * (1 - result.p_abandon) == pytest.approx(mu * busy, rel=1e-9)
    assert result.mean_in_system == pytest.approx(busy + result.mean_queue, rel=1e-9)


def test_utilisation_and_littles_law() -> None:
    assert utilisation(24.0, 10.0, 3) == pytest.approx(0.8)
    assert littles_law(2.5, 4.0) == pytest.approx(10.0)
    result = mmc(2.4, 1.0, 3)
    assert littles_law(2.4, result.mean_wait) == pytest.approx(result.mean_queue, rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mmc(3.0, 1.0, 3),  # ρ = 1
        lambda: mmc(4.0, 1.0, 3),  # ρ > 1
        lambda: erlang_c(2, 2.0),
        lambda: mmc(0.0, 1.0, 1),
        lambda: mmc(1.0, -1.0, 2),
        lambda: mmc(1.0, 1.0, 0),
        lambda: mmc(1.0, 1.0, 2.0),
        lambda: erlang_b(-1, 1.0),
        lambda: erlang_b(2, -0.5),
        lambda: mmck(1.0, 1.0, 3, 2),
        lambda: erlang_a(1.0, 1.0, 2, 0.0),
        lambda: littles_law(-1.0, 2.0),
    ],
)
def test_invalid_arguments_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()


# ------------------------------------------------------------------------ the engine as M/M/c


class Replication(NamedTuple):
    """What one run of the lab shop measured over the orders placed after the warm-up."""

    orders: int  # orders placed after the warm-up
    p_wait: float  # share of orders that did not start cooking on arrival
    p_block: float  # share turned away at a full queue
    p_abandon: float  # share that gave up waiting
    mean_wait: float  # arrival to cooking start (or to giving up), orders let in
    mean_sojourn: float  # arrival to done, orders let in
    mean_in_system: float  # time average of orders in flight, from the engine's integral
    total_area: float  # the engine's integral of orders in flight over the whole run
    total_sojourn: float  # Σ (done − placed) over every order of the run
    unsettled: int  # orders placed but never reported done


class Record(NamedTuple):
    placed: float
    started: float
    done_at: float
    cause: LossCause | None


class Collector:
    """`on_order_done` hook: records the orders placed after the warm-up, sums every sojourn."""

    def __init__(self, warmup: float) -> None:
        self.warmup = warmup
        self.kept: list[Record] = []
        self.count = 0
        self.sojourn = 0.0

    def __call__(self, order: Order) -> None:
        self.count += 1
        self.sojourn += order.done_at - order.placed
        if order.placed >= self.warmup:
            self.kept.append(Record(order.placed, order.started, order.done_at, order.cause))


def lab(
    *, cook: float, chefs: int, queue_capacity: int | None = None, patience: float | None = None
) -> Scenario:
    """The bundled M/M/3 lab, time-scaled to PER_MINUTE arrivals and long enough for ORDERS."""
    data = load_scenario("mmc_lab").model_dump()
    data["demand"]["rate_per_hour"] = PER_MINUTE * 60
    if patience is not None:
        data["demand"]["patience"] = {"mean_minutes": patience, "dist": "exponential"}
    data["menu"]["job"]["cook_minutes"] = cook
    data["branches"][0]["chefs"] = [{"name": f"Chef {i}"} for i in range(chefs)]
    data["branches"][0]["queue_capacity"] = queue_capacity
    data["shift_hours"] = (WARMUP_ORDERS + ORDERS) / PER_MINUTE / 60
    return Scenario.model_validate(data)


def _area(sim: Simulation) -> float:
    """The orders-in-flight integral up to now, including the stretch since the last change."""
    metrics = sim.metrics
    return metrics.in_flight_area + metrics.in_flight * (sim.now - metrics.in_flight_since)


def replicate(scenario: Scenario, seed: int) -> Replication:
    warmup = WARMUP_ORDERS / PER_MINUTE
    sim = Simulation(scenario, seed=seed)
    collect = Collector(warmup)
    sim.on_order_done = collect
    sim.run_until(warmup)
    before = _area(sim)
    sim.run_until(sim.shift_end)
    window_area = _area(sim) - before
    sim.run()
    orders = collect.kept
    joined = [order for order in orders if order.cause is not LossCause.QUEUE_FULL]
    waits = [(o.started if o.started >= 0 else o.done_at) - o.placed for o in joined]
    return Replication(
        orders=len(orders),
        p_wait=fmean(order.started != order.placed for order in orders),
        p_block=fmean(order.cause is LossCause.QUEUE_FULL for order in orders),
        p_abandon=fmean(order.cause is LossCause.GAVE_UP for order in orders),
        mean_wait=fmean(waits),
        mean_sojourn=fmean(order.done_at - order.placed for order in joined),
        mean_in_system=window_area / (sim.shift_end - warmup),
        total_area=sim.metrics.in_flight_area,
        total_sojourn=collect.sojourn,
        unsettled=sim.metrics.placed - collect.count,
    )


def assert_matches(samples: list[float], exact: float) -> None:
    """|mean − exact| ≤ 5·s/√R over the replication means."""
    mean, spread = fmean(samples), stdev(samples)
    assert spread > 0, "identical replications: the seeds are not independent"
    bound = SIGMAS * spread / math.sqrt(len(samples))
    assert abs(mean - exact) <= bound, f"sim {mean:.6g} vs exact {exact:.6g} (bound {bound:.3g})"


def runs(scenario: Scenario, first_seed: int) -> list[Replication]:
    return [replicate(scenario, first_seed + i) for i in range(REPLICATIONS)]


ERLANG_C = {"cook": 0.08, "chefs": 3}  # λ = 30/min, μ = 12.5/min, c = 3: ρ = 0.8
ERLANG_B = {"cook": 0.08, "chefs": 3, "queue_capacity": 0}  # offered ρ = 0.8, no waiting room
MMCK = {"cook": 0.05, "chefs": 2, "queue_capacity": 4}  # ρ = 0.75, K = 6
ERLANG_A = {"cook": 0.08, "chefs": 3, "patience": 0.16}  # ρ = 0.8, θ = μ/2


@pytest.fixture(scope="module")
def erlang_c_runs() -> list[Replication]:
    return runs(lab(**ERLANG_C), first_seed=1000)


@pytest.fixture(scope="module")
def erlang_b_runs() -> list[Replication]:
    return runs(lab(**ERLANG_B), first_seed=2000)


@pytest.fixture(scope="module")
def mmck_runs() -> list[Replication]:
    return runs(lab(**MMCK), first_seed=3000)


@pytest.fixture(scope="module")
def erlang_a_runs() -> list[Replication]:
    return runs(lab(**ERLANG_A), first_seed=4000)


def theory(
    *, cook: float, chefs: int, queue_capacity: int | None = None, patience: float | None = None
) -> Stationary:
    """The exact figures for a `lab` shop built with the same arguments."""
    mu = 1.0 / cook
    if patience is not None:
        return erlang_a(PER_MINUTE, mu, chefs, 1.0 / patience)
    if queue_capacity is not None:
        return mmck(PER_MINUTE, mu, chefs, chefs + queue_capacity)
    return mmc(PER_MINUTE, mu, chefs)


def test_the_lab_is_a_plain_mmc_queue() -> None:
    scenario = lab(**ERLANG_C)
    (item,) = scenario.menu.values()
    assert item.service == "exponential"
    assert scenario.staff.generalist_factor == 1.0
    assert scenario.staff.speed_by_level[0] == 1.0
    assert not scenario.delivery.enabled
    assert scenario.routing.kitchen == "shared"
    assert scenario.demand.patience is None
    assert scenario.branches[0].queue_capacity is None
    assert scenario.timeline == []


def test_erlang_c_probability_of_waiting(erlang_c_runs: list[Replication]) -> None:
    exact = theory(**ERLANG_C)
    assert_matches([run.p_wait for run in erlang_c_runs], exact.p_wait)


def test_erlang_c_mean_wait(erlang_c_runs: list[Replication]) -> None:
    exact = theory(**ERLANG_C)
    assert_matches([run.mean_wait for run in erlang_c_runs], exact.mean_wait)
    assert all(run.p_block == run.p_abandon == 0.0 for run in erlang_c_runs)


def test_erlang_b_blocking(erlang_b_runs: list[Replication]) -> None:
    exact = erlang_b(ERLANG_B["chefs"], PER_MINUTE * ERLANG_B["cook"])
    assert_matches([run.p_block for run in erlang_b_runs], exact)
    # No waiting room: whoever is let in starts cooking at once.
    assert all(run.mean_wait == 0.0 for run in erlang_b_runs)


def test_mmck_blocking_and_wait(mmck_runs: list[Replication]) -> None:
    exact = theory(**MMCK)
    assert_matches([run.p_block for run in mmck_runs], exact.p_block)
    assert_matches([run.mean_wait for run in mmck_runs], exact.mean_wait)


def test_erlang_a_abandonment_and_waiting(erlang_a_runs: list[Replication]) -> None:
    exact = theory(**ERLANG_A)
    assert_matches([run.p_abandon for run in erlang_a_runs], exact.p_abandon)
    assert_matches([run.p_wait for run in erlang_a_runs], exact.p_wait)
    assert_matches([run.mean_wait for run in erlang_a_runs], exact.mean_wait)


def test_littles_law_mean_number_in_system(erlang_c_runs: list[Replication]) -> None:
    exact = theory(**ERLANG_C)
    assert_matches([run.mean_in_system for run in erlang_c_runs], exact.mean_in_system)
    # W = L/λ: the mean time in the shop (wait plus cooking) from the order records.
    assert_matches([run.mean_sojourn for run in erlang_c_runs], exact.mean_in_system / PER_MINUTE)


def test_littles_law_holds_exactly_over_a_whole_run(
    erlang_c_runs: list[Replication],
    erlang_b_runs: list[Replication],
    mmck_runs: list[Replication],
    erlang_a_runs: list[Replication],
) -> None:
    # A run starts and ends empty, so ∫ in-flight dt equals Σ time in system, every order once.
    for run in (*erlang_c_runs, *erlang_b_runs, *mmck_runs, *erlang_a_runs):
        assert run.orders > 0.95 * ORDERS
        assert run.unsettled == 0
        assert run.total_area > 0
        assert run.total_area == pytest.approx(run.total_sojourn, rel=1e-9)
