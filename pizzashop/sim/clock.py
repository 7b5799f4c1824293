"""The event loop: a binary heap of timed events, ties broken by insertion order.

There are no generator processes: an event is a kind (a small int) and one argument, run by the
loop's `Dispatcher`, which keeps a run fast and its order obvious. Player actions are pushed with
negative sequence numbers so that, at equal times, they run before any engine event — the same
order whether the action was typed live (applied between `advance` calls) or replayed from a log
(scheduled up front).

The heap is written out rather than `heapq` over tuples: comparing two tuples goes through
Python's generic comparison element by element, while `_before` compares two typed fields, which
the compiled build does in a few machine instructions. (time, seq) is unique, so the order events
run in is fixed whatever the heap's layout.
"""

from __future__ import annotations

from typing import Any


class Dispatcher:
    """What runs the events: the loop calls `fire(kind, arg)` for each, in order.

    A method rather than a callback per event: in the compiled build, calling a method of a
    compiled class skips Python's calling convention.
    """

    def fire(self, kind: int, arg: Any) -> None:
        raise NotImplementedError


class _Event:
    __slots__ = ("arg", "kind", "next_spare", "seq", "time")

    def __init__(self, time: float, seq: int, kind: int, arg: Any) -> None:
        self.time = time
        self.seq = seq
        self.kind = kind
        self.arg = arg
        self.next_spare: _Event | None = None


def _before(a: _Event, b: _Event) -> bool:
    return a.time < b.time or (a.time == b.time and a.seq < b.seq)


class EventLoop:
    """A deterministic discrete-event clock. Time is in minutes since the doors opened."""

    __slots__ = (
        "_action_seq", "_dispatcher", "_heap", "_seq", "_spare", "now", "processed", "stopped",
    )  # fmt: skip

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher
        self.now = 0.0
        self.processed = 0  # events run so far, for benchmarks
        self.stopped = False
        self._heap: list[_Event] = []
        # Events already run, linked for reuse: an allocation saved for each event. (A list
        # would shrink to nothing and grow again, a reallocation each time.)
        self._spare: _Event | None = None
        self._seq = 0
        self._action_seq = -(1 << 62)

    def at(self, time: float, kind: int, arg: Any = None) -> None:
        """Schedule an event at `time` (never earlier than now)."""
        self._seq += 1
        self._push(self._event(max(time, self.now), self._seq, kind, arg))

    def at_first(self, time: float, kind: int, arg: Any = None) -> None:
        """Schedule a player action: it runs before engine events of the same time."""
        self._action_seq += 1
        self._push(self._event(max(time, self.now), self._action_seq, kind, arg))

    def clear(self) -> None:
        """Drop every pending event and stop the clock: the run is over."""
        self._heap.clear()
        self.stopped = True

    def pending(self) -> int:
        return len(self._heap)

    def next_time(self) -> float | None:
        return self._heap[0].time if self._heap else None

    def run_before(self, until: float) -> int:
        """Run every event strictly before `until`, then move the clock to `until`.

        Returns how many events ran. Events at exactly `until` wait for the next call, so an
        action applied right after this call precedes them, as it would in a replay.
        """
        heap = self._heap
        ran = 0
        while heap and heap[0].time < until:
            self._run(self._pop())
            ran += 1
        self.processed += ran
        if until > self.now and not self.stopped:
            self.now = until
        return ran

    def step(self) -> bool:
        """Run the next event; False when none is left."""
        if not self._heap:
            return False
        self._run(self._pop())
        self.processed += 1
        return True

    def _run(self, event: _Event) -> None:
        self.now = event.time
        self._dispatcher.fire(event.kind, event.arg)
        event.arg = None  # a spare event holds nothing alive
        event.next_spare, self._spare = self._spare, event

    def _event(self, time: float, seq: int, kind: int, arg: Any) -> _Event:
        event = self._spare
        if event is None:
            return _Event(time, seq, kind, arg)
        self._spare, event.next_spare = event.next_spare, None
        event.time, event.seq, event.kind, event.arg = time, seq, kind, arg
        return event

    def _push(self, event: _Event) -> None:
        """Add `event` at the bottom and move it up past every later parent."""
        heap = self._heap
        heap.append(event)
        index = len(heap) - 1
        while index > 0:
            parent = (index - 1) >> 1
            above = heap[parent]
            if not _before(event, above):
                break
            heap[index] = above
            index = parent
        heap[index] = event

    def _pop(self) -> _Event:
        """Take the earliest event; the last one fills the root and moves down into place."""
        heap = self._heap
        last = heap.pop()
        if not heap:
            return last
        first = heap[0]
        size = len(heap)
        index = 0
        child = 1
        while child < size:
            right = child + 1
            if right < size and _before(heap[right], heap[child]):
                child = right
            if not _before(heap[child], last):
                break
            heap[index] = heap[child]
            index = child
            child = 2 * index + 1
        heap[index] = last
        return first
