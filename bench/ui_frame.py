"""Frame cost of the game UI: the largest bundled scenario at 8×, then at 1×, in a 120×40 terminal.

How it measures:
- The app runs with its real wall-clock timer (15 Hz) and a `CountingDriver`: a terminal driver
  that is not headless, so Textual renders every frame to terminal escape sequences exactly as it
  would for a real terminal, and the driver counts the UTF-8 bytes it is given instead of writing
  them. That byte count is what an SSH session would carry.
- Tick cost is the wall time of each timer tick (`ShiftScreen.tick`: advancing the sim and updating
  the panels' rows); frame cost is the time Textual spends rendering the changed regions and
  emitting them (`Screen._compositor_refresh`, wrapped here only, for measuring).
- CPU share is process CPU time over wall time for each phase (1.0 = one core busy).
- "Largest" is the bundled scenario or level that places the most orders in a headless run.

Prints a table, then one JSON line (the last line) with at least `tick_p95_ms`, `cpu_share` (at 1×)
and `bytes_per_s` (at 8×, the worst case).
Targets: tick p95 ≤ 5 ms, CPU ≤ 10% of one core at 1×, ≤ 30 KiB/s of output at 120×40.

    .venv/bin/python bench/ui_frame.py [--seconds 20] [--slow-seconds 10] [--scenario NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.driver import Driver
from textual.geometry import Size
from textual.pilot import Pilot

from pizzashop.sim import Simulation, load_scenario
from pizzashop.sim.catalog import bundled_levels, bundled_scenarios
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.shift import ShiftScreen

SIZE = (120, 40)


class CountingDriver(Driver):
    """A terminal that counts what it is sent: the bytes a real terminal (or SSH) would carry."""

    bytes_written = 0

    def write(self, data: str) -> None:
        CountingDriver.bytes_written += len(data.encode("utf-8"))

    def flush(self) -> None:
        pass

    def start_application_mode(self) -> None:
        width, height = self._size or SIZE
        size = Size(width, height)
        asyncio.get_running_loop().create_task(self._app._post_message(events.Resize(size, size)))

    def disable_input(self) -> None:
        pass

    def stop_application_mode(self) -> None:
        pass


def largest_scenario() -> str:
    sizes = {}
    for name in {**bundled_scenarios(), **bundled_levels()}:
        sim = Simulation(load_scenario(name))
        sim.run()
        sizes[name] = sim.metrics.placed
    return max(sizes, key=lambda name: (sizes[name], name))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


class Probe:
    """Times ticks and frames, counts bytes and CPU, for one phase at a time."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.frames: list[float] = []
        self.start_wall = self.start_cpu = 0.0
        self.start_bytes = 0

    def begin(self) -> None:
        self.ticks.clear()
        self.frames.clear()
        self.start_wall, self.start_cpu = time.perf_counter(), time.process_time()
        self.start_bytes = CountingDriver.bytes_written

    def end(self) -> dict[str, float]:
        wall = time.perf_counter() - self.start_wall
        cpu = time.process_time() - self.start_cpu
        sent = CountingDriver.bytes_written - self.start_bytes
        return {
            "ticks": len(self.ticks),
            "tick_p50_ms": statistics.median(self.ticks) * 1000 if self.ticks else 0.0,
            "tick_p95_ms": percentile(self.ticks, 95) * 1000,
            "frames": len(self.frames),
            "frame_p50_ms": statistics.median(self.frames) * 1000 if self.frames else 0.0,
            "frame_p95_ms": percentile(self.frames, 95) * 1000,
            "cpu_share": cpu / wall,
            "bytes_per_s": sent / wall,
        }

    def timed(self, samples: list[float], function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                samples.append(time.perf_counter() - started)

        return wrapper


async def measure(scenario_name: str, fast_seconds: float, slow_seconds: float) -> dict[str, Any]:
    probe = Probe()
    # Timed on the class, before a screen exists: the screen's frame clock holds the method it
    # was made with, so wrapping the screen's own attribute later would time nothing.
    ShiftScreen.tick = probe.timed(probe.ticks, ShiftScreen.tick)  # type: ignore[method-assign]
    app = PizzaShopApp(load_scenario(scenario_name))
    app.driver_class = CountingDriver
    results: dict[str, Any] = {}

    async def drive(pilot: Pilot[None]) -> None:
        await pilot.pause()
        if isinstance(app.screen, BriefingScreen):
            await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ShiftScreen)
        # Textual's own per-frame step: render the changed regions and emit them to the driver.
        screen._compositor_refresh = probe.timed(probe.frames, screen._compositor_refresh)  # type: ignore[method-assign]
        await pilot.press("4")
        probe.begin()
        await asyncio.sleep(fast_seconds)
        results["8x"] = probe.end()
        results["sim_minutes_8x"] = screen.game.sim.now
        await pilot.press("1")
        probe.begin()
        await asyncio.sleep(slow_seconds)
        results["1x"] = probe.end()
        app.exit()

    await app.run_async(size=SIZE, auto_pilot=drive)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="wall seconds at 8×")
    parser.add_argument("--slow-seconds", type=float, default=10.0, help="wall seconds at 1×")
    parser.add_argument("--scenario", default=None, help="default: the largest bundled one")
    args = parser.parse_args()
    name = args.scenario or largest_scenario()
    results = asyncio.run(measure(name, args.seconds, args.slow_seconds))
    fast, slow = results["8x"], results["1x"]
    if not (fast["ticks"] and fast["frames"] and slow["ticks"]):
        raise SystemExit(f"measured nothing: {fast['ticks']} ticks and {fast['frames']} frames")
    print(f"scenario {name} at {SIZE[0]}×{SIZE[1]}, 15 Hz timer")
    print(f"{'':6}{'ticks':>7}{'tick p50':>10}{'tick p95':>10}{'frame p50':>11}{'frame p95':>11}"
          f"{'CPU':>7}{'bytes/s':>10}")  # fmt: skip
    for label, phase in (("8×", fast), ("1×", slow)):
        print(
            f"{label:6}{phase['ticks']:>7}{phase['tick_p50_ms']:>8.2f}ms{phase['tick_p95_ms']:>8.2f}ms"
            f"{phase['frame_p50_ms']:>9.2f}ms{phase['frame_p95_ms']:>9.2f}ms"
            f"{phase['cpu_share']:>7.1%}{phase['bytes_per_s']:>10,.0f}"
        )
    summary = {
        "scenario": name,
        "size": list(SIZE),
        "tick_p50_ms": round(fast["tick_p50_ms"], 3),
        "tick_p95_ms": round(fast["tick_p95_ms"], 3),
        "frame_p95_ms": round(fast["frame_p95_ms"], 3),
        "cpu_share": round(slow["cpu_share"], 4),
        "cpu_share_8x": round(fast["cpu_share"], 4),
        "bytes_per_s": round(fast["bytes_per_s"]),
        "bytes_per_s_1x": round(slow["bytes_per_s"]),
        "sim_minutes_8x": round(results["sim_minutes_8x"], 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
