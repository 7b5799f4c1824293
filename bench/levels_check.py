"""Benchmark: how long `pizzashop levels check` takes over the whole campaign.

The check plays thousands of shifts (docs/levels.md); it runs in CI as a test, so it has to stay
well under a minute there, on two cores with the compiled build. This times the whole check with
`--jobs` worker processes and each level's own search, and prints the shifts played per second.

    .venv/bin/python bench/levels_check.py [--jobs N] [--seeds N]

pizzashop runs as installed: compiled unless PIZZASHOP_PURE=1 was set (see docs/engine.md). A
run that played no shift measured nothing: it says so and exits with status 1. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pizzashop.sim import bundled_levels, engine, load_scenario
from pizzashop.sim.levelcheck import SEEDS, check_level, passed
from pizzashop.sim.moves import moves

TARGET_SECONDS = 30.0  # wall time of the whole check on two cores: "well under a minute"


def timed(level: str, seeds: int) -> tuple[dict[str, Any], float, float]:
    """One level's check with its wall and CPU seconds (measured in the worker that ran it)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = check_level(level, seeds)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (CI has two cores)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help="seeds a level is played on")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.seeds < SEEDS:
        parser.error(f"need --jobs >= 1 and --seeds >= {SEEDS}")
    compiled = Path(engine.__file__ or "").suffix != ".py"
    print(f"pizzashop's build: {'compiled (mypyc)' if compiled else 'pure Python'}")
    levels = list(bundled_levels())
    print(f"{len(levels)} levels, {args.seeds} seeds each, {args.jobs} worker process(es)")

    # The biggest searches first, as `levels check` does, so no worker is left with one at the end.
    order = sorted(levels, key=lambda level: -len(moves(load_scenario(level))))
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn")) as pool:
        futures = {level: pool.submit(timed, level, args.seeds) for level in order}
        done = [futures[level].result() for level in levels]
    wall = time.perf_counter() - start

    runs = sum(result["searched"]["runs"] for result, _, _ in done)
    cpu = sum(seconds for _, _, seconds in done)
    for (result, seconds, level_cpu), level in zip(done, levels, strict=True):
        verdict = "passes" if passed(result) else "FAILS"
        print(
            f"  {level:<22} {result['searched']['runs']:>5} shifts {seconds:6.2f} s "
            f"(cpu {level_cpu:5.2f} s)  {verdict}"
        )
    if runs == 0 or cpu <= 0:
        print("measured nothing: no shift was played")
        sys.exit(1)
    met = wall <= TARGET_SECONDS
    print(
        f"whole check: {runs:,} shifts in {wall:.2f} s wall, {cpu:.2f} s cpu, "
        f"{runs / cpu:,.0f} shifts per cpu second "
        f"(target {TARGET_SECONDS:g} s wall: {'met' if met else 'NOT met'})"
    )
    summary: dict[str, Any] = {
        "pizzashop_compiled": compiled,
        "jobs": args.jobs,
        "seeds": args.seeds,
        "levels": len(levels),
        "shifts": runs,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "shifts_per_cpu_s": round(runs / cpu),
        "target_wall_s": TARGET_SECONDS,
        "target_met": met,
        "all_pass": all(passed(result) for result, _, _ in done),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
