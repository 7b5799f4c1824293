"""What every connection to `serve ssh` shares: its settings, its log, its limits and the games
being played. Connections (ssh.py) and sessions (session.py) both use it; it uses neither."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pizzashop.hosting.environment import game_environment, shared_environment
from pizzashop.hosting.keys import PlayerKeys
from pizzashop.hosting.launch import Spawner, Starter
from pizzashop.hosting.limits import RateLimiter, Slots
from pizzashop.hosting.listening import ServerSettings
from pizzashop.hosting.messages import STOPPING


@dataclass(frozen=True)
class SSHSettings(ServerSettings):
    port: int = 2222
    authorized_keys: Path | None = None
    """Only these keys may play, each under its own name; None means anonymous play."""
    games_per_process: int = 1
    """Games seated in one process (table.py); 1 gives each game a process of its own."""


def template_environment() -> dict[str, str]:
    """The game template's environment (forks.py): every SSH game's, less who plays and on what
    terminal, which each seat's request sets."""
    return {**shared_environment(), "COLORTERM": "truecolor"}


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
        games: Starter | None = None,
    ) -> None:
        self.settings = settings
        self.room = room
        self.log = log
        self.keys = keys
        self.games: Starter = games or Spawner()
        """How games start: forked from the template (games.py), or spawned."""
        self.slots = Slots(settings.max_sessions)
        self.limiter = RateLimiter(settings.rate_limit)
        self.connections = settings.connections(fd_limit)
        self.sessions: set[Ending] = set()

    def environment(self, player: str, term: str) -> dict[str, str]:
        """The game's environment: the server's (PIZZASHOP_HOME, the leaderboard, PATH) less its
        own terminal and SSH session, never the client's, plus who plays on what terminal and,
        in a room, the seat it takes there. Everything a game inherits is decided here, for a
        forked game as for a spawned one."""
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
