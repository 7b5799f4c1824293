"""What every connection to `serve ssh` shares: its settings, its log, its limits and the games
being played. Connections (ssh.py) and sessions (session.py) both use it; it uses neither."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pizzashop.hosting.keys import PlayerKeys
from pizzashop.hosting.limits import Connections, RateLimiter, Slots, connection_budget
from pizzashop.hosting.messages import STOPPING
from pizzashop.workshop.roomwire import SOCKET_VARIABLE, TOKEN_VARIABLE

NOT_PASSED = frozenset(
    {"COLUMNS", "LINES", "DISPLAY", "TMUX", "TMUX_PANE", "STY", "WINDOW"}
    | {SOCKET_VARIABLE, TOKEN_VARIABLE}
)
"""The server's own terminal and session, which are not the player's (nor SSH_*: its agent),
and a room's seat, which only a room gives (below)."""
CONNECTIONS_PER_PLACE = 4
"""Open connections allowed in all per game place, unless --max-connections says otherwise."""
PER_ADDRESS_PER_PLACE = 2
"""Open connections allowed from one address per game place, unless --max-per-address says
otherwise: a room behind one NAT address fills every place and still hears "full" politely."""


@dataclass(frozen=True)
class SSHSettings:
    host: str = "127.0.0.1"
    port: int = 2222
    max_sessions: int = 30
    idle_timeout: float = 900.0
    rate_limit: int = 30
    """New connections per address (IPv6: per /64) per minute."""
    authorized_keys: Path | None = None
    """Only these keys may play, each under its own name; None means anonymous play."""
    max_connections: int | None = None
    """Open connections in all; None: CONNECTIONS_PER_PLACE per game place."""
    max_per_address: int | None = None
    """Open connections from one address (IPv6: one /64); None: PER_ADDRESS_PER_PLACE per
    game place."""

    @property
    def connections_cap(self) -> int:
        return self.max_connections or CONNECTIONS_PER_PLACE * self.max_sessions

    @property
    def per_address_cap(self) -> int:
        return self.max_per_address or PER_ADDRESS_PER_PLACE * self.max_sessions


class Seating(Protocol):
    """An instructor's room (room.py): the seat a new game takes there, as environment."""

    def seat_environment(self, player: str) -> dict[str, str]: ...


class Ending(Protocol):
    """A session the server can end when it stops."""

    def end(self, reason: str, message: str = "") -> None: ...


class GameServer:
    """State shared by every connection: settings, log, keys, the game slots and the limits.

    `fd_limit` (the open files this process may hold) lowers the connection cap when it could
    not carry it: a server that runs out of descriptors fails everyone, a capped one only the
    newest connection.
    """

    def __init__(
        self,
        settings: SSHSettings,
        log: logging.Logger,
        keys: PlayerKeys | None = None,
        fd_limit: int | None = None,
        room: Seating | None = None,
    ) -> None:
        self.settings = settings
        self.room = room
        self.log = log
        self.keys = keys
        self.slots = Slots(settings.max_sessions)
        self.limiter = RateLimiter(settings.rate_limit)
        total = settings.connections_cap
        if fd_limit is not None:
            total = min(total, connection_budget(fd_limit))
        self.connections = Connections(min(settings.per_address_cap, total), total)
        self.sessions: set[Ending] = set()

    def environment(self, player: str, term: str) -> dict[str, str]:
        """The game's environment: the server's (PIZZASHOP_HOME, the leaderboard, PATH) less its
        own terminal and SSH session, never the client's, plus who plays on what terminal and,
        in a room, the seat it takes there. Everything a game inherits is decided here."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("SSH_") and name not in NOT_PASSED
        }
        env.update(
            TERM=term,
            COLORTERM="truecolor",
            PIZZASHOP_PLAYER=player,
            PIZZASHOP_HOSTED="1",
        )
        if self.room is not None:
            env.update(self.room.seat_environment(player))
        return env

    async def close(self) -> None:
        """End every game (the server is stopping) and wait until all are reaped."""
        for session in list(self.sessions):
            session.end("server stopping", STOPPING)
        while self.sessions:
            await asyncio.sleep(0.05)
