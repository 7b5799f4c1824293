"""`pizzashop serve ssh`: an SSH server where every session is a game of its own.

A participant runs `ssh -p 2222 NAME@host` and plays; NAME (cleaned) is their leaderboard name.
The server offers an interactive terminal and nothing else: no shell, no commands, no sftp, no
forwarding of ports or agents, so it is safe to open to a room. A game never loads player code:
the child is the title screen, started without arguments.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from pizzashop.hosting.commands import listen_error
from pizzashop.hosting.keys import authorized_keys, host_key
from pizzashop.hosting.limits import RateLimiter, Slots
from pizzashop.hosting.session import STOPPING, GameSession, shown
from pizzashop.paths import data_dir

NOT_PASSED = frozenset({"COLUMNS", "LINES", "DISPLAY", "TMUX", "TMUX_PANE", "STY", "WINDOW"})
"""The server's own terminal and session, which are not the player's (nor SSH_*: its agent)."""


@dataclass(frozen=True)
class SSHSettings:
    host: str = "127.0.0.1"
    port: int = 2222
    max_sessions: int = 30
    idle_timeout: float = 900.0
    rate_limit: int = 30
    """New connections per address per minute."""
    authorized_keys: Path | None = None
    """Only these keys may play; None means anonymous play."""


class GameServer:
    """State shared by every connection: settings, log, the game slots and the rate limiter."""

    def __init__(self, settings: SSHSettings, log: logging.Logger) -> None:
        self.settings = settings
        self.log = log
        self.slots = Slots(settings.max_sessions)
        self.limiter = RateLimiter(settings.rate_limit)
        self.sessions: set[GameSession] = set()

    def environment(self, player: str, term: str) -> dict[str, str]:
        """The game's environment: the server's (PIZZASHOP_HOME, the leaderboard, PATH) less its
        own terminal and SSH session, never the client's, plus who plays on what terminal."""
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
        return env

    async def close(self) -> None:
        """End every game (the server is stopping) and wait until all are reaped."""
        for session in list(self.sessions):
            session.end("server stopping", STOPPING)
        while self.sessions:
            await asyncio.sleep(0.05)


class Connection(asyncssh.SSHServer):
    """One client connection: rate-limited, anonymous or key-checked, at most one game."""

    def __init__(self, server: GameServer) -> None:
        self._server = server
        self._peer = "?"
        self._user = ""
        self._refused = False
        self._has_session = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        host, port = (conn.get_extra_info("peername") or ("?", 0))[:2]
        self._peer = f"{host}:{port}"
        if not self._server.limiter.allow(str(host)):
            self._refused = True
            limit = self._server.settings.rate_limit
            self._server.log.warning(
                "refused %s: more than %d connections a minute from %s", self._peer, limit, host
            )
            asyncio.get_running_loop().call_soon(conn.abort)
            return
        self._server.log.info("connect %s", self._peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._refused:
            why = f" ({exc})" if exc else ""
            self._server.log.info("disconnect %s user %s%s", self._peer, shown(self._user), why)

    def begin_auth(self, username: str) -> bool:
        """Anonymous play needs no authentication; with authorized keys, asyncssh checks them."""
        self._user = username
        return self._server.settings.authorized_keys is not None

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        where = f"{shown(dest_host)}:{dest_port}"
        self._server.log.warning("refused %s: port forwarding to %s", self._peer, where)
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        where = f"{shown(listen_host)}:{listen_port}"
        self._server.log.warning("refused %s: remote port forwarding from %s", self._peer, where)
        return False

    def session_requested(self) -> GameSession | bool:
        if self._has_session:
            self._server.log.warning("refused %s: a second session", self._peer)
            return False
        self._has_session = True
        return GameSession(self._server, self._user, self._peer)


async def serve_ssh(settings: SSHSettings, log: logging.Logger, about: str) -> None:
    """Listen until SIGINT, SIGTERM or SIGHUP, then end every game before returning. `about` (the
    leaderboard, the log file) goes on the line that says it listens."""
    directory = data_dir()
    key = host_key(directory)
    allowed = authorized_keys(settings.authorized_keys) if settings.authorized_keys else None
    server = GameServer(settings, log)
    try:
        acceptor = await asyncssh.listen(
            settings.host,
            settings.port,
            server_factory=lambda: Connection(server),
            server_host_keys=[key],
            authorized_client_keys=allowed,
            server_version="pizzashop",
            encoding=None,
            line_editor=False,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            login_timeout=30,
            keepalive_interval=30,
            keepalive_count_max=3,
        )
    except OSError as error:
        raise listen_error(settings.host, settings.port, error) from None
    log.info(
        "listening on %s:%d, host key %s, %s, at most %d players, idle timeout %gs, %s",
        settings.host, settings.port, key.get_fingerprint(),
        f"keys from {settings.authorized_keys}" if allowed else "anonymous play",
        settings.max_sessions, settings.idle_timeout, about,
    )  # fmt: skip
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("stopping: ending %d game(s)", len(server.sessions))
    acceptor.close()
    await server.close()
    await acceptor.wait_closed()
