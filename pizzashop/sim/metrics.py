"""What the shop measures: counters, the loss ledger, latencies and where they went, chefs' busy
time, time series, the worst moments and the event log.

Definitions match GAME.md and are the same in the live view, the report and `--json`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, deque
from typing import NamedTuple

from pizzashop.sim.orders import PARTS, LossCause

LOG_LIMIT = 5000
WINDOW_MINUTES = 60.0
MOMENT_MINUTES = 15.0
"""The worst moments are windows of this length, from the doors' opening."""
ORDER_KINDS = frozenset({"placed", "cooking", "delivered", "late", "lost"})
"""Log kinds about one order. The others (warnings, staff, power, money …) are about the shop, and
are kept apart too (`Metrics.shop_log`), so that a busy day's orders never push them out."""


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
    """A window of the shift that went badly, for the debrief: its lost orders and their
    commonest cause, its late deliveries and the part of their time that grew most (a part of
    `orders.PARTS`); "" where there were none."""

    start: float
    lost: int
    cause: str
    late: int
    part: str


class Split:
    """Delivered orders' minutes in each part of their path (`orders.PARTS`), summed."""

    __slots__ = ("cooking", "count", "driver", "queue", "road")

    def __init__(self) -> None:
        self.count = 0
        self.queue = 0.0
        self.cooking = 0.0
        self.driver = 0.0
        self.road = 0.0

    def add(self, queue: float, cooking: float, driver: float, road: float) -> None:
        self.count += 1
        self.queue += queue
        self.cooking += cooking
        self.driver += driver
        self.road += road

    def means(self) -> dict[str, float]:
        """Mean minutes per order in each part (0.0 before the first)."""
        count = self.count or 1
        totals = (self.queue, self.cooking, self.driver, self.road)
        return {part: total / count for part, total in zip(PARTS, totals, strict=True)}


class Tally:
    """One window's lost orders by cause, and its late deliveries with how much each part of
    their time grew (see `Books._late`)."""

    __slots__ = ("growth", "late", "losses", "lost")

    def __init__(self) -> None:
        self.losses: dict[LossCause, int] = {}
        self.lost = 0
        self.late = 0
        self.growth = [0.0 for _ in PARTS]

    def moment(self, index: int) -> Moment:
        cause, most = "", 0
        for lost_to, count in self.losses.items():  # the first counted wins a tie
            if count > most:
                cause, most = lost_to.value, count
        part, grown = "", -1.0
        if self.late:
            for name, minutes in zip(PARTS, self.growth, strict=True):
                if minutes > grown:
                    part, grown = name, minutes
        return Moment(index * MOMENT_MINUTES, self.lost, cause, self.late, part)


def _nearest_rank(p: float, count: int) -> int:
    return max(1, math.ceil(p / 100.0 * count))


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 when there are none)."""
    if not sorted_values:
        return 0.0
    return sorted_values[_nearest_rank(p, len(sorted_values)) - 1]


def percentiles(values: list[float], ps: tuple[float, ...]) -> list[float]:
    """Nearest-rank percentiles of values in any order (0.0 when there are none), exactly.

    Sorting a whole shift's latencies is most of what a report costs. Here the values are
    counted into buckets by value instead; only the bucket holding each wanted rank is sorted.
    """
    if not values:
        return [0.0 for _ in ps]
    low = high = values[0]
    for value in values:  # one pass for both: the values are all over memory
        if value < low:
            low = value
        elif value > high:
            high = value
    if not low < high:
        return [low for _ in ps]
    buckets = len(values) // 8 + 1
    scale = buckets / (high - low)  # a value's bucket, int((value - low) * scale), rises with it
    if not (math.isfinite(high - low) and math.isfinite(scale)):  # a range too wide or too narrow
        ordered = sorted(values)
        return [percentile(ordered, p) for p in ps]
    counts = [0] * (buckets + 1)
    for value in values:
        counts[int((value - low) * scale)] += 1
    wanted: list[tuple[int, int]] = []  # (bucket, rank within it) for each p
    for p in ps:
        rank = _nearest_rank(p, len(values))
        bucket = 0
        while rank > counts[bucket]:
            rank -= counts[bucket]
            bucket += 1
        wanted.append((bucket, rank))
    members: dict[int, list[float]] = {bucket: [] for bucket, _ in wanted}
    for value in values:
        bucket = int((value - low) * scale)
        if bucket in members:
            members[bucket].append(value)
    for group in members.values():
        group.sort()
    return [members[bucket][rank - 1] for bucket, rank in wanted]


class Metrics:
    __slots__ = (
        "busy_minutes",
        "delivered",
        "duty_minutes",
        "floor",
        "in_flight",
        "in_flight_area",
        "in_flight_since",
        "latencies",
        "log",
        "log_total",
        "loss_times",
        "losses",
        "moments",
        "on_time",
        "placed",
        "recent",
        "samples",
        "shop_log",
        "split",
        "split_late",
        "top",
        "waits",
        "window_from",
        "window_to",
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
        # The largest latencies of the hour as of the last sample (see `window_stats`), which
        # counted latencies[window_from:window_to].
        self.top: list[float] = []
        self.floor = math.inf
        self.window_from = 0
        self.window_to = 0
        self.split = Split()  # every delivered order's time, by part
        self.split_late = Split()  # the late ones'
        self.moments: dict[int, Tally] = {}  # by window (MOMENT_MINUTES) of the shift
        # Chef-minutes cooking or prepping, and on duty, of the jobs and spells already over
        # (`Books.chef_minutes` adds those still going).
        self.busy_minutes = 0.0
        self.duty_minutes = 0.0
        self.samples: list[Sample] = []
        self.log: deque[LogEntry] = deque(maxlen=LOG_LIMIT)
        self.shop_log: deque[LogEntry] = deque(maxlen=LOG_LIMIT)
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

    def lose(self, now: float, cause: LossCause) -> None:
        """Count a lost order, in the loss ledger and in its window of the shift."""
        self.losses[cause] += 1
        self.loss_times.append((now, cause))
        self.flight_change(now, -1)
        tally = self._tally(now)
        tally.lost += 1
        tally.losses[cause] = tally.losses.get(cause, 0) + 1

    def late(self, now: float, growth: list[float]) -> None:
        """Count a late delivery in its window, with how much each part of its time grew."""
        tally = self._tally(now)
        tally.late += 1
        for index, grown in enumerate(growth):
            tally.growth[index] += grown

    def _tally(self, now: float) -> Tally:
        index = int(now // MOMENT_MINUTES)
        tally = self.moments.get(index)
        if tally is None:
            tally = self.moments[index] = Tally()
        return tally

    def record(
        self, time: float, kind: str, text: str, branch: str = "", chef: str = "", order: int = -1
    ) -> None:
        entry = LogEntry(time, kind, branch, chef, order, text)
        self.log.append(entry)
        if kind not in ORDER_KINDS:
            self.shop_log.append(entry)
        self.log_total += 1

    def window_stats(self, now: float) -> tuple[float, float]:
        """Deliveries per hour and p95 order-to-door over the last hour.

        The p95 is the t-th largest latency of the hour (t is about a twentieth of them), so only
        the largest are kept sorted: `top` holds every latency of the window at or above `floor`.
        A sample moves those that left or came since the last one, and sorts the whole hour again
        only when `top` has grown too short or too long.
        """
        recent = self.recent
        del recent[: bisect_left(recent, now - WINDOW_MINUTES)]
        latencies = self.latencies
        first, end = len(latencies) - len(recent), len(latencies)
        top, floor = self.top, self.floor
        for index in range(self.window_from, min(first, self.window_to)):  # left the window
            if latencies[index] >= floor:
                del top[bisect_left(top, latencies[index])]
        for index in range(max(first, self.window_to), end):  # came since the last sample
            if latencies[index] >= floor:
                top.append(latencies[index])
        top.sort()  # a sorted run and a short one: a merge
        self.window_from, self.window_to = first, end
        span = min(WINDOW_MINUTES, now) or 1.0
        if not recent:
            return 0.0, 0.0
        t = len(recent) - _nearest_rank(95.0, len(recent)) + 1
        if not t <= len(top) <= 4 * t:  # keep about the 2t largest: every value from the cut on
            ordered = sorted(latencies[first:end])
            cut = bisect_left(ordered, ordered[max(0, len(ordered) - 2 * t)])
            self.top, self.floor = ordered[cut:], ordered[cut] if cut else -math.inf
            top = self.top
        return len(recent) * 60.0 / span, top[-t]

    def worst_moments(self, top: int = 3) -> list[Moment]:
        """The windows with the most orders lost or delivered late (the earliest first on a
        tie), each with its commonest loss cause and the part of the late orders' time that grew
        most. Kept window by window as the shift runs, so asking costs no more late in the day."""
        moments = self.moments
        ranked = sorted(moments, key=lambda i: (-moments[i].lost - moments[i].late, i))
        return [moments[index].moment(index) for index in ranked[:top]]
