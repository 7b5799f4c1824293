"""The chart samples' last-hour figures, which the engine keeps incrementally, recomputed by brute
force from the orders themselves."""

from __future__ import annotations

import pytest
from helpers import run, scenario

from pizzashop.sim import OrderState, percentile
from pizzashop.sim.metrics import WINDOW_MINUTES


@pytest.mark.parametrize(("name", "sample_minutes"), [
    ("default_day", 1.0), ("blackout_day", 5.0), ("default_day", 7.0), ("blackout_day", 90.0),
])  # fmt: skip
def test_each_sample_holds_the_last_hours_throughput_and_p95(
    name: str, sample_minutes: float
) -> None:
    sim, done = run(scenario(name, sample_minutes=sample_minutes), seed=5)
    delivered = [o for o in done if o.state is OrderState.DELIVERED]
    deliveries = [(o.done_at, o.done_at - o.placed) for o in delivered]
    assert len(sim.metrics.samples) > 5 and len(deliveries) > 100
    windows_seen = set()
    for sample in sim.metrics.samples:
        window = sorted(
            latency
            for at, latency in deliveries
            if sample.time - WINDOW_MINUTES <= at <= sample.time
        )
        span = min(WINDOW_MINUTES, sample.time) or 1.0
        assert sample.throughput == pytest.approx(len(window) * 60.0 / span)
        assert sample.p95 == percentile(window, 95)
        windows_seen.add(len(window))
    assert len(windows_seen) > 3  # the window really moved: it filled, changed and emptied
