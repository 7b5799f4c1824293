"""What every kind of server (ssh, web) shares about listening: the settings its options give,
a port in use or an address that is not the host's as one line naming --port, and serving until
the instructor stops it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
