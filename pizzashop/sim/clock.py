"""The event loop: a binary heap of timed callbacks, ties broken by insertion order.

There are no generator processes: an event is a plain callback with one argument, which keeps a
run fast and its order obvious. Player actions are pushed with negative sequence numbers so that,
at equal times, they run before any engine event — the same order whether the action was typed
live (applied between `advance` calls) or replayed from a log (scheduled up front).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

Callback = Callable[[Any], None]


class EventLoop:
    """A deterministic discrete-event clock. Time is in minutes since the doors opened."""

    __slots__ = ("_action_seq", "_heap", "_seq", "now", "processed", "stopped")

    def __init__(self) -> None:
        self.now = 0.0
        self.processed = 0  # events run so far, for benchmarks
        self.stopped = False
        self._heap: list[tuple[float, int, Callback, Any]] = []
        self._seq = count()
        self._action_seq = count(-(1 << 62))

    def at(self, time: float, callback: Callback, arg: Any = None) -> None:
        """Schedule `callback(arg)` at `time` (never earlier than now)."""
        if time < self.now:
            time = self.now
        heappush(self._heap, (time, next(self._seq), callback, arg))

    def at_first(self, time: float, callback: Callback, arg: Any = None) -> None:
        """Schedule a player action: it runs before engine events of the same time."""
        heappush(self._heap, (max(time, self.now), next(self._action_seq), callback, arg))

    def clear(self) -> None:
        """Drop every pending event and stop the clock: the run is over."""
        self._heap.clear()
        self.stopped = True

    def pending(self) -> int:
        return len(self._heap)

    def next_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def run_before(self, until: float) -> int:
        """Run every event strictly before `until`, then move the clock to `until`.

        Returns how many events ran. Events at exactly `until` wait for the next call, so an
        action applied right after this call precedes them, as it would in a replay.
        """
        heap = self._heap
        ran = 0
        while heap and heap[0][0] < until:
            time, _, callback, arg = heappop(heap)
            self.now = time
            callback(arg)
            ran += 1
        self.processed += ran
        if until > self.now and not self.stopped:
            self.now = until
        return ran

    def step(self) -> bool:
        """Run the next event; False when none is left."""
        if not self._heap:
            return False
        time, _, callback, arg = heappop(self._heap)
        self.now = time
        callback(arg)
        self.processed += 1
        return True
