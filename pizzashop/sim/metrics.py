"""What the shop measures: counters, the loss ledger, latencies, time series and the event log.

Definitions match GAME.md and are the same in the live view, the report and `--json`.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import NamedTuple

from pizzashop.sim.orders import LossCause

LOG_LIMIT = 5000
WINDOW_MINUTES = 60.0


class LogEntry(NamedTuple):
    """One line of the structured event log."""

    time: float
    kind: str
    branch: str
    chef: str
    order: int
    text: str


class Sample(NamedTuple):
    """The shop at one instant, for charts."""

    time: float
    queue: int
    in_flight: int
    delivered: int
    lost: int
    throughput: float
    p95: float
    utilisation: float
    money: float


class Moment(NamedTuple):
    """A window of the shift that went badly, for the debrief."""

    start: float
    lost: int
    cause: str


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def _rank(ordered: list[float], value: float) -> int:
    """Where `value` belongs in `ordered`, before any equal value (as `bisect.bisect_left`).

    Written out because the compiled build then compares unboxed floats, several times faster
    than `bisect`'s generic comparisons; this runs about once for every delivery.
    """
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


class Metrics:
    __slots__ = (
        "delivered",
        "in_flight",
        "in_flight_area",
        "in_flight_since",
        "latencies",
        "log",
        "log_total",
        "loss_times",
        "losses",
        "on_time",
        "placed",
        "recent",
        "recent_sorted",
        "samples",
        "sorted_from",
        "sorted_to",
        "waits",
    )

    def __init__(self) -> None:
        self.placed = 0
        self.delivered = 0
        self.on_time = 0
        self.in_flight = 0
        self.in_flight_area = 0.0
        self.in_flight_since = 0.0
        self.losses: Counter[LossCause] = Counter()
        self.loss_times: list[tuple[float, LossCause]] = []
        self.latencies: list[float] = []
        self.waits: list[float] = []
        self.recent: list[float] = []  # delivery times since the last hour began, oldest first
        # latencies[sorted_from:sorted_to] in order: the window as of the last chart sample
        self.recent_sorted: list[float] = []
        self.sorted_from = 0
        self.sorted_to = 0
        self.samples: list[Sample] = []
        self.log: deque[LogEntry] = deque(maxlen=LOG_LIMIT)
        self.log_total = 0

    @property
    def lost(self) -> int:
        return sum(self.losses.values())

    def flight_change(self, now: float, delta: int) -> None:
        """Integrate orders-in-flight over time (for Little's law), then apply the change."""
        self.in_flight_area += self.in_flight * (now - self.in_flight_since)
        self.in_flight_since = now
        self.in_flight += delta

    def deliver(self, now: float, latency: float, on_time: bool) -> None:
        """Count a delivery and its order-to-door time."""
        self.delivered += 1
        self.on_time += on_time
        self.latencies.append(latency)
        self.recent.append(now)
        self.flight_change(now, -1)

    def record(
        self, time: float, kind: str, text: str, branch: str = "", chef: str = "", order: int = -1
    ) -> None:
        self.log.append(LogEntry(time, kind, branch, chef, order, text))
        self.log_total += 1

    def window_stats(self, now: float) -> tuple[float, float]:
        """Deliveries per hour and p95 order-to-door over the last hour.

        The window's latencies stay sorted from one sample to the next: those that left are
        bisected out and those that came are merged in, so a sample costs a small share of
        sorting the whole hour.
        """
        recent = self.recent
        del recent[: _rank(recent, now - WINDOW_MINUTES)]
        latencies = self.latencies
        first, end = len(latencies) - len(recent), len(latencies)
        ordered = self.recent_sorted
        for index in range(self.sorted_from, min(first, self.sorted_to)):
            del ordered[_rank(ordered, latencies[index])]
        ordered.extend(latencies[max(first, self.sorted_to) : end])
        ordered.sort()  # two sorted runs, or one and a few: a merge
        self.sorted_from, self.sorted_to = first, end
        span = min(WINDOW_MINUTES, now) or 1.0
        return len(recent) * 60.0 / span, percentile(ordered, 95)

    def worst_moments(self, bucket: float = 15.0, top: int = 3) -> list[Moment]:
        """The windows with the most lost orders, each with its commonest cause."""
        buckets: dict[int, Counter[LossCause]] = {}
        for time, cause in self.loss_times:
            buckets.setdefault(int(time // bucket), Counter())[cause] += 1
        ranked = sorted(buckets.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        return [
            Moment(index * bucket, sum(causes.values()), causes.most_common(1)[0][0].value)
            for index, causes in ranked[:top]
        ]
