"""What every connection to `serve ssh` shares: its settings, its log, its limits and the games
being played. Connections (ssh.py) and sessions (session.py) both use it; it uses neither."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pizzashop.hosting.environment import game_environment
from pizzashop.hosting.keys import PlayerKeys
from pizzashop.hosting.limits import Connections, RateLimiter, Slots, connection_budget
from pizzashop.hosting.listening import ServerSettings
from pizzashop.hosting.messages import STOPPING

CONNECTIONS_PER_PLACE = 4
"""Open connections allowed in all per game place, unless --max-connections says otherwise."""
PER_ADDRESS_PER_PLACE = 2
"""Open connections allowed from one address per game place, unless --max-per-address says
otherwise: a room behind one NAT address fills every place and still hears "full" politely."""


@dataclass(frozen=True)
class SSHSettings(ServerSettings):
    port: int = 2222
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
        env = game_environment(player)
        env.update(TERM=term, COLORTERM="truecolor")
        if self.room is not None:
            env.update(self.room.seat_environment(player))
        return env

    async def close(self) -> None:
        """End every game (the server is stopping) and wait until all are reaped."""
        for session in list(self.sessions):
            session.end("server stopping", STOPPING)
        while self.sessions:
            await asyncio.sleep(0.05)
