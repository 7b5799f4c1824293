"""What every kind of server (ssh, web) shares about listening: the settings its options give,
the caps on open connections they imply, a port in use or an address that is not the host's as
one line naming --port, and serving until the instructor stops it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pizzashop.hosting.limits import Connections, connection_budget
from pizzashop.sim.files import InputError


@dataclass(frozen=True)
class ServerSettings:
    """Where a server listens and the limits every game on it shares."""

    host: str = "127.0.0.1"
    port: int = 0
    max_sessions: int = 30
    idle_timeout: float = 900.0
    rate_limit: int = 30
    """New connections (games, in a browser) per address (IPv6: per /64) per minute."""
    max_connections: int | None = None
    """Open connections in all; None: `connections_per_place` per game place."""
    max_per_address: int | None = None
    """Open connections from one address (IPv6: one /64); None: `per_address_per_place` per
    game place."""
    connections_per_place: ClassVar[int] = 4
    """Open connections allowed in all per game place, unless --max-connections says otherwise."""
    per_address_per_place: ClassVar[int] = 2
    """Open connections allowed from one address per game place, unless --max-per-address says
    otherwise: a room behind one NAT address fills every place and still hears "full"."""

    @property
    def connections_cap(self) -> int:
        return self.max_connections or self.connections_per_place * self.max_sessions

    @property
    def per_address_cap(self) -> int:
        return self.max_per_address or self.per_address_per_place * self.max_sessions

    def connections(self, fd_limit: int | None) -> Connections:
        """The open-connection caps, lowered when `fd_limit` open files could not carry them: a
        server that runs out of descriptors fails everyone, a capped one only the newest
        connection."""
        total = self.connections_cap
        if fd_limit is not None:
            total = min(total, connection_budget(fd_limit))
        return Connections(min(self.per_address_cap, total), total)


def log_caps(
    log: logging.Logger, settings: ServerSettings, caps: Connections, fd_limit: int
) -> None:
    """Warn when the open files this process may hold lowered the connection cap."""
    if caps.total < settings.connections_cap:
        log.warning(
            "at most %d connections: %d open files allow no more (raise the limit: ulimit -n)",
            caps.total, fd_limit,
        )  # fmt: skip


def listen_error(host: str, port: int, error: OSError) -> InputError:
    """A port in use or an address not ours, as one line naming --port."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    return InputError("--port", "", f"cannot listen on {host}:{port} ({reason})")


async def until_stopped(
    log: logging.Logger, notices: Sequence[str], playing: Callable[[], int]
) -> None:
    """Log `notices` (after the line that says the server listens), then wait for SIGINT,
    SIGTERM or SIGHUP and say how many games the server is about to end."""
    for notice in notices:
        log.warning("%s", notice)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("stopping: ending %d game(s)", playing())
