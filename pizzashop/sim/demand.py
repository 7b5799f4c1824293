"""The shift's orders, drawn from the arrival streams alone (common random numbers).

Arrival times, customers, areas, items, patience and each item's service quantile come only from
the streams named here, in a fixed order, so two player strategies on one seed face exactly the
same orders, whatever else they draw.

A rush (a game day's disruption) multiplies the rate from a time on. The next arrival is already
drawn by then: it is re-timed from the same draw (the hazard it has left), so a rush changes when
orders come, never who orders what, and is as deterministic as the draw.
"""

from __future__ import annotations

import math
from itertools import accumulate, pairwise

from pizzashop.sim.orders import Order, Task
from pizzashop.sim.scenario import Scenario, rate_segments
from pizzashop.sim.streams import Streams, quantile, weighted_index


class OrderSource:
    """Makes the next order on demand; nothing here depends on what the player does."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.segments = rate_segments(scenario)
        # Each stream's `random`, bound once (a method looked up per draw costs a lookup each).
        self._arrival_u = streams["arrivals"].random
        self._contents_u = streams["orders"].random
        self._patience_u = streams["patience"].random
        self._service_u = streams["service"].random
        self._patience = scenario.demand.patience
        self._population = scenario.regulars.customers
        self._items = list(scenario.menu)
        self._cumulative = list(accumulate(item.weight for item in scenario.menu.values()))
        self._addons = [(name, item.addon) for name, item in scenario.menu.items() if item.addon]
        weights = scenario.demand.areas or {scenario.areas[0]: 1.0}
        areas = list(weights)
        area_cumulative = list(accumulate(weights.values()))
        placement = streams["customers"]
        self.customer_area = [
            areas[weighted_index(placement.random(), area_cumulative)]
            for _ in range(self._population)
        ]
        self._next_id = 0
        self._segment = 0
        self._hazard = 0.0
        self._drawn_after = 0.0
        """The last draw of the arrival stream and the time it counts from (for a rush)."""

    def next_arrival(self, after: float) -> float | None:
        """The next arrival time after `after` by inverting the cumulative rate; None past close.

        `after` never decreases between calls, so segments that end by then are skipped for good:
        a long shift costs no more per order than a short one.
        """
        hazard = -math.log(1.0 - self._arrival_u())
        self._hazard = hazard
        self._drawn_after = after
        return self._time_for(after, hazard)

    def _time_for(self, after: float, hazard: float) -> float | None:
        """The time at which the cumulative rate from `after` reaches `hazard`; None past close."""
        segments = self.segments
        for index in range(self._segment, len(segments)):
            start, stop, rate = segments[index]
            if stop <= after:
                self._segment = index + 1
                continue
            begin = max(start, after)
            span = (stop - begin) * rate
            if hazard < span:
                return begin + hazard / rate
            hazard -= span
        return None

    def rush(self, start: float, stop: float, factor: float) -> float | None:
        """Multiply the rate by `factor` between `start` (now, at or after the last draw) and
        `stop`; returns the drawn arrival re-timed by the new rates (None: past close)."""
        cut: list[tuple[float, float, float]] = []
        for begin, end, rate in self.segments:
            edges = sorted({begin, end, *(t for t in (start, stop) if begin < t < end)})
            for low, high in pairwise(edges):
                cut.append((low, high, rate * factor if start <= low < stop else rate))
        self.segments = cut
        self._segment = 0
        return self._time_for(self._drawn_after, self._hazard)

    def make(self, placed: float, menu_version: int) -> Order:
        """The next order. Each stream is drawn in a fixed order (contents: customer, main dish,
        each add-on; service: one quantile per item), whatever the interleaving between them."""
        draw = self._contents_u
        customer = int(draw() * self._population)
        main = self._items[weighted_index(draw(), self._cumulative)]
        patience = None
        if self._patience is not None:
            p = self._patience
            patience = quantile(p.dist, self._patience_u(), p.mean_minutes, p.cv)
        order = Order(
            self._next_id, customer, self.customer_area[customer], placed, patience, menu_version
        )
        self._next_id += 1
        service = self._service_u
        tasks = order.tasks
        tasks.append(Task(order, main, service()))
        for name, chance in self._addons:
            if draw() < chance and name != main:
                tasks.append(Task(order, name, service()))
        order.remaining = len(tasks)
        return order
