"""Percentiles without a full sort, and the chart samples' last-hour figures, recomputed by brute
force from the orders themselves."""

from __future__ import annotations

import pytest
from helpers import run, scenario
from hypothesis import given
from hypothesis import strategies as st

from pizzashop.sim import OrderState, percentile, percentiles
from pizzashop.sim.metrics import WINDOW_MINUTES, Metrics


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


EDGES = (0.0, 1.0, 1.5, 1e-300, 5e-324, -1e308, 1e308)  # ties, and ranges too narrow or too wide
finite = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(EDGES)


@given(
    st.lists(finite, max_size=300),
    st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=1, max_size=4),
)
def test_percentiles_of_unsorted_values_match_the_sorted_nearest_rank(
    values: list[float], ps: list[float]
) -> None:
    expected = [percentile(sorted(values), p) for p in ps]
    assert percentiles(values, tuple(ps)) == expected


deliveries = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=30.0),  # minutes since the last delivery
        st.sampled_from([0.5, 1.0, 7.5]) | st.floats(min_value=0.0, max_value=200.0),  # ties too
        st.booleans(),  # take a chart sample right after it
    ),
    max_size=400,
)


@given(deliveries)
def test_window_stats_match_brute_force_for_any_deliveries_and_samples(
    events: list[tuple[float, float, bool]],
) -> None:
    metrics, now, delivered = Metrics(), 0.0, []
    for gap, latency, sample in events:
        now += gap
        metrics.deliver(now, latency, True)
        delivered.append((now, latency))
        if sample:
            throughput, p95 = metrics.window_stats(now)
            window = sorted(lat for at, lat in delivered if at >= now - WINDOW_MINUTES)
            span = min(WINDOW_MINUTES, now) or 1.0
            assert p95 == percentile(window, 95)
            assert throughput == pytest.approx(len(window) * 60.0 / span)
