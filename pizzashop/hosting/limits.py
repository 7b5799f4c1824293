"""The server's guard rails: a cap on concurrent games, on open connections per network and in
total, a per-network connection rate, and the file descriptors all of them need."""

from __future__ import annotations

import ipaddress
import resource
import time
from collections import deque
from collections.abc import Callable

LISTEN_BACKLOG = 64
"""Connections the kernel queues for the server; also how many one turn of the event loop may
accept (each holding a descriptor) before any refused one is closed again."""
FDS_PER_CONNECTION = 4
"""A connection's socket, its game's pty, and the pipe pair Python opens while starting a game."""
FDS_RESERVED = 64 + LISTEN_BACKLOG
"""Descriptors for everything else: standard streams, logs, listening sockets, a full backlog."""


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


def network_of(host: str) -> str:
    """What the limits count as one client: an IPv4 address, or the /64 of an IPv6 address (one
    site's subnet, whose 2^64 addresses a single machine can take in turn). An IPv4 client
    seen through an IPv6 socket counts as its IPv4 address."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Connections:
    """Open connections: at most `per_network` from one network and `total` in all, so no one
    client can hold every descriptor, and all of them together cannot exhaust the host's."""

    def __init__(self, per_network: int, total: int) -> None:
        self.per_network = per_network
        self.total = total
        self.open = 0
        self._by_network: dict[str, int] = {}

    def admit(self, network: str) -> str | None:
        """Count a new connection from `network`, or say why it is refused (not counted)."""
        if self.open >= self.total:
            return f"{self.total} connections open in all"
        held = self._by_network.get(network, 0)
        if held >= self.per_network:
            return f"{held} connections open from {network}"
        self._by_network[network] = held + 1
        self.open += 1
        return None

    def release(self, network: str) -> None:
        """An admitted connection closed."""
        held = self._by_network.pop(network, 0) - 1
        if held > 0:
            self._by_network[network] = held
        self.open = max(0, self.open - 1)


class RateLimiter:
    """At most `limit` new connections from one network in any `window` seconds.

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


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (the soft one is often
    1024, far below what the hard one allows); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft if soft != resource.RLIM_INFINITY else wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        return soft
    return wanted


def connection_budget(fd_limit: int) -> int:
    """The most connections `fd_limit` open files can carry, games included (at least one)."""
    return max(1, (fd_limit - FDS_RESERVED) // FDS_PER_CONNECTION)
