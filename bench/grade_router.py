"""What grading a participant's router costs now that it runs in a sandboxed child process.

For each level, `grade` (the level's five seeds) runs twice: with the built-in `ring` strategy,
in the grader's own process, and with `examples/ring_router.py:RingRouter`, a participant's
consistent-hashing router, which lives in a child process and is asked for every decision over
a pipe. Both route the same orders the same way in spirit; the difference in wall time is what
the sandbox costs. Then, apart: the child's start (Python, the limits, the file) and the round
trip of one decision, timed over many calls.

    .venv/bin/python bench/grade_router.py [--levels regulars grand_opening] [--repeats 3]

Target: grading a level over its five seeds takes seconds, not minutes (≤ 10 s per level).
Medians of the repeats are reported; the last line printed is one JSON object. A run that asked
the router nothing measured nothing: it says so and exits with status 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

from pizzashop.sim import engine, load_scenario
from pizzashop.workshop import sandbox
from pizzashop.workshop.grading import grade
from pizzashop.workshop.sandbox import RouterProcess
from pizzashop.workshop.strategies import player_router

ROUTER = Path(__file__).resolve().parent.parent / "examples" / "ring_router.py"
TARGET_SECONDS = 10.0
ROUND_TRIPS = 2000


def timed(run: Callable[[str], Any], level: str) -> float:
    gc.collect()
    start = perf_counter()
    run(level)
    return perf_counter() - start


def grade_builtin(level: str) -> None:
    grade(load_scenario(level), [], "ring")


def count_decisions() -> Callable[[], int]:
    """Count the decisions the child is asked for (wrapping `RouterProcess.choose`)."""
    calls = [0]
    choose = RouterProcess.choose

    def counted(self: RouterProcess, *args: Any) -> str:
        calls[0] += 1
        return choose(self, *args)

    RouterProcess.choose = counted  # type: ignore[method-assign]
    return lambda: calls[0]


def grade_sandboxed(level: str) -> None:
    with player_router(f"{ROUTER}:RingRouter") as name:
        grade(load_scenario(level), [], name)


def child_costs() -> tuple[float, float]:
    """Milliseconds to start a child, microseconds per decision (median of three)."""
    starts, trips = [], []
    chefs = [[f"c{i}", f"chef{i}", "pizza", 1, 1.0, i % 3, False] for i in range(6)]
    ids = [chef[0] for chef in chefs]
    for _ in range(3):
        start = perf_counter()
        with RouterProcess(ROUTER, "RingRouter", "ring_router:RingRouter", sandbox.LIMITS) as child:
            starts.append(perf_counter() - start)
            router = child.new_router(random.Random(1).getstate())
            start = perf_counter()
            for customer in range(ROUND_TRIPS):
                child.choose(router, [customer, customer, "pizza", "pizza", "c", 1.0], chefs, ids)
            trips.append((perf_counter() - start) / ROUND_TRIPS)
    return statistics.median(starts) * 1e3, statistics.median(trips) * 1e6


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", nargs="+", default=["regulars", "grand_opening"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    compiled = Path(engine.__file__ or "").suffix != ".py"
    print(f"pizzashop's build: {'compiled (mypyc)' if compiled else 'pure Python'}")
    decisions = count_decisions()
    result: dict[str, Any] = {"pizzashop_compiled": compiled, "repeats": args.repeats}
    worst = 0.0
    for level in args.levels:
        builtin = [timed(grade_builtin, level) for _ in range(args.repeats)]
        before = decisions()
        child = [timed(grade_sandboxed, level) for _ in range(args.repeats)]
        asked = (decisions() - before) // args.repeats
        if not asked:
            print(f"{level}: the router was asked nothing: nothing was measured")
            sys.exit(1)
        inside, outside = statistics.median(builtin), statistics.median(child)
        worst = max(worst, outside)
        print(
            f"{level}: grade over 5 seeds {inside:.2f} s in-process (ring), {outside:.2f} s "
            f"sandboxed (ring_router.py); {asked:,} decisions, "
            f"{(outside - inside) / asked * 1e6:,.0f} µs more each"
        )
        result[f"{level}_builtin_s"] = round(inside, 3)
        result[f"{level}_sandboxed_s"] = round(outside, 3)
        result[f"{level}_decisions"] = asked
    start_ms, trip_us = child_costs()
    met = worst <= TARGET_SECONDS
    print(f"child start {start_ms:.0f} ms; one decision's round trip {trip_us:.0f} µs")
    verdict = "met" if met else "NOT met"
    print(f"slowest level {worst:.2f} s (target ≤ {TARGET_SECONDS:g} s: {verdict})")
    result |= {
        "child_start_ms": round(start_ms, 1),
        "round_trip_us": round(trip_us, 1),
        "slowest_level_s": round(worst, 3),
        "target_s": TARGET_SECONDS,
        "target_met": met,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
