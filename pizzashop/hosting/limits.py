"""The server's guard rails: a cap on concurrent games and a per-address connection rate."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Slots:
    """At most `capacity` games at once: a full room gets a polite refusal, not a slow host."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.in_use = 0

    def acquire(self) -> bool:
        if self.in_use >= self.capacity:
            return False
        self.in_use += 1
        return True

    def release(self) -> None:
        self.in_use = max(0, self.in_use - 1)


class RateLimiter:
    """At most `limit` new connections from one address in any `window` seconds.

    A script reconnecting in a loop cannot start game after game; a room behind one NAT address
    still fits when the limit is set to the class size.
    """

    MAX_ADDRESSES = 10_000
    """Beyond this many tracked addresses, forget the quiet ones (memory stays bounded)."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = self._clock()
        if len(self._seen) >= self.MAX_ADDRESSES:
            self._forget_before(now - self.window)
        times = self._seen.setdefault(address, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def _forget_before(self, cutoff: float) -> None:
        for address in [a for a, times in self._seen.items() if not times or times[-1] <= cutoff]:
            del self._seen[address]
