"""Benchmark: pizzashop's engine against SimPy and Ciw on one M/M/3 queue at ρ = 0.9.

pizzashop runs a whole game shift: every order carries its metrics, event log, ledger entries,
per-minute warnings and chart samples, and the run ends with the full report. This measures what
that engine costs next to two general-purpose discrete-event libraries simulating the same queue,
and checks all three against Erlang C so that the work compared is equal.

    .venv/bin/python bench/engine_vs_simpy.py [--orders N] [--repeats R] [--ciw-repeats R]

Needs the `bench` extra (simpy, ciw). Each repeat runs the tools in turn, so a change in machine
load hits all of them, each after a full garbage collection; medians are reported. pizzashop runs
as installed: compiled unless PIZZASHOP_PURE=1 was set (see docs/engine.md). The last line printed
is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from time import perf_counter
from typing import NamedTuple

import ciw
import simpy

from pizzashop.sim import Scenario, Simulation, build_report, engine, load_scenario
from pizzashop.sim.queueing import mmc

SERVERS = 3
RHO = 0.9
# Minutes. A short service keeps pizzashop's per-minute clock tick (warnings, chart samples) to one
# event per 27 orders, so the queue itself dominates, as it does in SimPy and Ciw.
SERVICE_MEAN = 0.1
ARRIVAL_RATE = RHO * SERVERS / SERVICE_MEAN  # orders per minute
SEED = 1
BATCHES = 20  # batch means for the standard error of a mean wait (waits are autocorrelated)
DAY_RUNS = 20  # default_day is short: time this many runs per repeat
TARGET_SPEEDUP = 5.0


class Run(NamedTuple):
    """One timed run of one tool, with its mean wait checked outside the timing."""

    seconds: float
    orders: int
    mean_wait: float
    error: float  # standard error of mean_wait


def lab_scenario(orders: int) -> Scenario:
    """The bundled `mmc_lab` (M/M/3, one shared line, no patience, no delivery) set to ρ = 0.9,
    with a shift long enough for about `orders` arrivals."""
    data = load_scenario("mmc_lab").model_dump()
    data["menu"]["job"]["cook_minutes"] = SERVICE_MEAN
    data["demand"]["rate_per_hour"] = ARRIVAL_RATE * 60.0
    data["shift_hours"] = orders / ARRIVAL_RATE / 60.0
    return Scenario.model_validate(data)


def finish(start: float, orders: int, waits: Sequence[float]) -> Run:
    """Stop the clock, then summarise the waits by batch means (successive waits correlate)."""
    seconds = perf_counter() - start
    size = len(waits) // BATCHES
    means = [statistics.fmean(waits[i * size : (i + 1) * size]) for i in range(BATCHES)]
    error = statistics.stdev(means) / BATCHES**0.5
    return Run(seconds, orders, statistics.fmean(waits), error)


def run_pizzashop(scenario: Scenario) -> Run:
    """A whole shift with its full bookkeeping and the end-of-shift report."""
    start = perf_counter()
    sim = Simulation(scenario, seed=SEED)
    sim.run()
    report = build_report(sim)
    return finish(start, report["orders_delivered"], sim.metrics.waits)


def run_simpy(orders: int) -> Run:
    """The idiomatic SimPy M/M/c: a Resource for the servers and a process per customer."""
    start = perf_counter()
    rng = random.Random(SEED)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []
    sojourns: list[float] = []

    def customer(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with servers.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1.0 / SERVICE_MEAN))
        sojourns.append(env.now - arrived)

    def source(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        for _ in range(orders):
            env.process(customer(env))
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))

    env.process(source(env))
    env.run()
    return finish(start, len(sojourns), waits)


def run_ciw(orders: int) -> Run:
    """Ciw's own M/M/c network, run until `orders` customers have finished, with its records."""
    start = perf_counter()
    ciw.seed(SEED)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / SERVICE_MEAN)],
        number_of_servers=[SERVERS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(orders, method="Finish")
    records = sim.get_all_records()
    return finish(start, len(records), [record.waiting_time for record in records])


def time_default_day(repeats: int) -> tuple[float, int]:
    """Median events per second over `repeats` batches of default_day runs, and events per run."""
    scenario = load_scenario("default_day")
    rates, events = [], 0
    for _ in range(repeats):
        start, events = perf_counter(), 0
        for _ in range(DAY_RUNS):
            sim = Simulation(scenario)
            sim.run()
            build_report(sim)
            events += sim.loop.processed
        rates.append(events / (perf_counter() - start))
    return statistics.median(rates), events // DAY_RUNS


def default_day_peak_mb() -> float:
    """Peak memory traced while building, running and reporting one default_day; a pass of its
    own, as tracemalloc slows every allocation."""
    scenario = load_scenario("default_day")
    tracemalloc.start()
    sim = Simulation(scenario)
    sim.run()
    build_report(sim)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def main(argv: Sequence[str] | None = None) -> dict[str, float | int | bool]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000, help="orders through the queue")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of pizzashop and SimPy")
    parser.add_argument("--ciw-repeats", type=int, default=3, help="timed runs of Ciw (it is slow)")
    args = parser.parse_args(argv)
    if args.orders < 10 * BATCHES or args.repeats < 1 or args.ciw_repeats < 1:
        parser.error(f"need --orders >= {10 * BATCHES} and at least one repeat of each tool")

    scenario = lab_scenario(args.orders)
    exact = mmc(ARRIVAL_RATE, 1.0 / SERVICE_MEAN, SERVERS).mean_wait
    print(
        f"M/M/{SERVERS} at rho = {RHO}: {ARRIVAL_RATE:g} arrivals/min, service mean "
        f"{SERVICE_MEAN:g} min, about {args.orders:,} orders (a {scenario.shift_hours:.1f} h shift)"
    )
    print(f"time scale: pizzashop's per-minute clock tick is one event per {ARRIVAL_RATE:g} orders")
    print(f"repeats: pizzashop and SimPy {args.repeats}, Ciw {args.ciw_repeats}, all full size")
    compiled = Path(engine.__file__ or "").suffix != ".py"
    print(f"pizzashop's build: {'compiled (mypyc)' if compiled else 'pure Python'}")
    runs: dict[str, list[Run]] = {"pizzashop": [], "simpy": [], "ciw": []}
    for repeat in range(args.repeats):
        gc.collect()  # before each timed run: no tool pays for another's garbage
        runs["pizzashop"].append(run_pizzashop(scenario))
        orders = runs["pizzashop"][-1].orders  # the others serve exactly as many
        tools: list[tuple[str, Callable[[int], Run]]] = [("simpy", run_simpy)]
        if repeat < args.ciw_repeats:
            tools.append(("ciw", run_ciw))
        for name, run in tools:
            gc.collect()
            runs[name].append(run(orders))
        done = [f"{name} {r[repeat].seconds:.2f} s" for name, r in runs.items() if r[repeat:]]
        print(f"  repeat {repeat + 1}: {', '.join(done)}", flush=True)

    medians = {name: median(tool_runs) for name, tool_runs in runs.items()}
    print(f"\nmean wait (min) against Erlang C {exact:.4f}; ± one batch-means standard error")
    for name, run in medians.items():
        z = (run.mean_wait - exact) / run.error
        verdict = "agrees" if abs(z) <= 3 else "DISAGREES"
        print(f"  {name:<10} {run.mean_wait:.4f} ± {run.error:.4f}  ({z:+.1f} SE: {verdict})")

    rate = {name: run.orders / run.seconds for name, run in medians.items()}
    print("\nmedian wall time and throughput")
    for name, run in medians.items():
        print(f"  {name:<10} {run.seconds:7.3f} s {run.orders:>9,} orders {rate[name]:>10,.0f}/s")
    vs_simpy = rate["pizzashop"] / rate["simpy"]
    vs_ciw = rate["pizzashop"] / rate["ciw"]
    met = vs_simpy >= TARGET_SPEEDUP
    print(
        f"  pizzashop is {vs_simpy:.2f}x SimPy and {vs_ciw:.2f}x Ciw "
        f"(target {TARGET_SPEEDUP:g}x SimPy: {'met' if met else 'NOT met'})"
    )

    events_per_s, day_events = time_default_day(args.repeats)
    peak_mb = default_day_peak_mb()
    print(
        f"\ndefault_day: {day_events:,} events a run, {events_per_s:,.0f} events/s (median of "
        f"{args.repeats} x {DAY_RUNS} runs); peak memory {peak_mb:.2f} MB (tracemalloc, own pass)"
    )
    result: dict[str, float | int | bool] = {
        "speedup_vs_simpy": round(vs_simpy, 3),
        "speedup_vs_ciw": round(vs_ciw, 3),
        "target_speedup_vs_simpy": TARGET_SPEEDUP,
        "target_met": met,
        "orders": medians["pizzashop"].orders,
        "repeats": args.repeats,
        "ciw_repeats": args.ciw_repeats,
        "erlang_c_mean_wait": round(exact, 5),
        "pizzashop_compiled": compiled,
    }
    for name, run in medians.items():
        result[f"{name}_median_s"] = round(run.seconds, 4)
        result[f"{name}_orders_per_s"] = round(rate[name])
        result[f"{name}_mean_wait"] = round(run.mean_wait, 5)
    result["default_day_events"] = day_events
    result["default_day_events_per_s"] = round(events_per_s)
    result["default_day_peak_mb"] = round(peak_mb, 3)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
