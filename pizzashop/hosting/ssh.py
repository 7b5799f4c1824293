"""`pizzashop serve ssh`: an SSH server where every session is a game of its own.

A participant runs `ssh -p 2222 NAME@host` and plays; NAME (cleaned) is their leaderboard name,
or, with a keys file, the name their key has there. The server offers an interactive terminal
and nothing else: no shell, no commands, no sftp, no forwarding of ports or agents, so it is
safe to open to a room. A game never loads player code: the child is the title screen, started
without arguments.

No client can hold the server: connections are capped per network and in all, a connection
that has no game (before its first, after its last) is closed within GAME_WAIT seconds, and an
unauthenticated one at the login timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncssh

from pizzashop.hosting.forks import GameTemplate
from pizzashop.hosting.games import Games
from pizzashop.hosting.keys import host_key, player_keys
from pizzashop.hosting.limits import LISTEN_BACKLOG, network_of, raise_fd_limit
from pizzashop.hosting.listening import listen_error, log_caps, until_stopped
from pizzashop.hosting.logs import log_loop_errors, shown
from pizzashop.hosting.room import RoomHost
from pizzashop.hosting.server import GameServer, SSHSettings, template_environment
from pizzashop.hosting.session import GameSession
from pizzashop.paths import data_dir
from pizzashop.workshop.leaderboard import clean_name
from pizzashop.workshop.room import Room

GAME_WAIT = 10.0
"""Seconds an authenticated connection may stay open without a game, before or after one."""
LOGIN_TIMEOUT = {False: 10, True: 30}
"""Seconds to authenticate: anonymous play needs only the key exchange; with keys, a person may
have to type their key's passphrase."""
OFFERED_SHOWN = 3
"""Fingerprints of refused keys named in the log line of a refused connection."""


class Connection(asyncssh.SSHServer):
    """One client connection: counted and rate-limited, anonymous or key-checked, at most one
    game, closed when it has none."""

    def __init__(self, server: GameServer) -> None:
        self._server = server
        self._log = server.log
        self._conn: asyncssh.SSHServerConnection | None = None
        self._peer = "?"
        self._network: str | None = None
        """Set once the connection is counted against the caps (not for a refused one)."""
        self._user = ""
        self._key_name: str | None = None
        self._fingerprint = ""
        self._refused_keys: list[str] = []
        self._authenticated = False
        self._has_session = False
        self._waiting: asyncio.TimerHandle | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        host, port = (conn.get_extra_info("peername") or ("?", 0))[:2]
        self._peer = f"{host}:{port}"
        network = network_of(str(host))
        if not self._server.limiter.allow(network):
            limit = self._server.settings.rate_limit
            self._log.warning(
                "refused %s: more than %d connections a minute from %s", self._peer, limit, network
            )
        elif (too_many := self._server.connections.admit(network)) is not None:
            self._log.warning("refused %s: %s", self._peer, too_many)
        else:
            self._network = network
            self._log.info("connect %s", self._peer)
            return
        asyncio.get_running_loop().call_soon(conn.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        self._conn = None
        if self._waiting is not None:
            self._waiting.cancel()
        if self._network is None:
            return
        self._server.connections.release(self._network)
        if self._refused_keys and not self._authenticated:
            offered = ", ".join(self._refused_keys[:OFFERED_SHOWN])
            self._log.warning("refused %s: no key from the keys file (%s)", self._peer, offered)
        why = f" ({exc})" if exc else ""
        self._log.info("disconnect %s user %s%s", self._peer, shown(self._user), why)

    def begin_auth(self, username: str) -> bool:
        """Anonymous play needs no authentication; with a keys file, a key from it is needed."""
        self._user = username
        self._key_name = None
        return self._server.keys is not None

    def public_key_auth_supported(self) -> bool:
        return self._server.keys is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Whether `key` may play (asyncssh then checks the client holds its private half)."""
        assert self._server.keys is not None
        name = self._server.keys.name_of(key)
        if name is None:
            if len(self._refused_keys) < OFFERED_SHOWN:
                self._refused_keys.append(key.get_fingerprint())
            return False
        self._key_name = name
        self._fingerprint = key.get_fingerprint()
        return True

    def auth_completed(self) -> None:
        self._authenticated = True
        if self._key_name is not None:
            self._log.info(
                "key %s %s plays as %r (asked for %s)",
                self._peer, self._fingerprint, self._key_name, shown(self._user),
            )  # fmt: skip
        self._expect_game()

    def _expect_game(self) -> None:
        """Close the connection unless a game starts within GAME_WAIT seconds."""
        if self._waiting is not None:
            self._waiting.cancel()
        if self._conn is None:  # closed already (a session may end after its connection)
            return
        self._waiting = asyncio.get_running_loop().call_later(GAME_WAIT, self._no_game)

    def _no_game(self) -> None:
        if self._conn is not None:
            self._log.warning("closed %s: no game for %g seconds", self._peer, GAME_WAIT)
            self._conn.abort()

    def _playing(self, started: bool) -> None:
        """A game started (the connection may stay) or the session is over (it may not)."""
        if started and self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None
        elif not started:
            self._expect_game()

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        where = f"{shown(dest_host)}:{dest_port}"
        self._log.warning("refused %s: port forwarding to %s", self._peer, where)
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        where = f"{shown(listen_host)}:{listen_port}"
        self._log.warning("refused %s: remote port forwarding from %s", self._peer, where)
        return False

    def session_requested(self) -> GameSession | bool:
        if self._has_session:
            self._log.warning("refused %s: a second session", self._peer)
            return False
        self._has_session = True
        player = self._key_name if self._key_name is not None else clean_name(self._user)
        return GameSession(self._server, player, self._peer, self._playing)


def per_process(games: int) -> str:
    return "a process per game" if games == 1 else f"up to {games} games per process"


async def serve_ssh(
    settings: SSHSettings,
    log: logging.Logger,
    about: str,
    notices: Sequence[str] = (),
    room: Room | None = None,
) -> None:
    """Listen until SIGINT, SIGTERM or SIGHUP, then end every game before returning. `about` (the
    leaderboard, the log file) goes on the line that says it listens, `notices` after it. With a
    `room`, every game takes a seat in it (see room.py)."""
    key = host_key(data_dir())
    keys = player_keys(settings.authorized_keys) if settings.authorized_keys else None
    fd_limit = raise_fd_limit()
    template = GameTemplate(template_environment(), log)
    games = Games(log, template, per_process=settings.games_per_process)
    host = RoomHost(room, log, settings.max_sessions) if room is not None else None
    server = GameServer(settings, log, keys, fd_limit, host, games)
    if host is not None:
        await host.start()
    try:
        acceptor = await asyncssh.listen(
            settings.host,
            settings.port,
            server_factory=lambda: Connection(server),
            server_host_keys=[key],
            server_version="pizzashop",
            encoding=None,
            line_editor=False,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            backlog=LISTEN_BACKLOG,
            login_timeout=LOGIN_TIMEOUT[keys is not None],
            keepalive_interval=30,
            keepalive_count_max=3,
        )
    except OSError as error:
        if host is not None:
            await host.close()
        raise listen_error(settings.host, settings.port, error) from None
    log_loop_errors(log)
    caps = server.connections
    log.info(
        "listening on %s:%d, host key %s, %s, at most %d players, %d connections (%d per "
        "address), %d open files, idle timeout %gs, %s, %s",
        settings.host, settings.port, key.get_fingerprint(),
        f"keys from {settings.authorized_keys} ({len(keys.names)})" if keys else "anonymous play",
        settings.max_sessions, caps.total, caps.per_network, fd_limit, settings.idle_timeout,
        per_process(settings.games_per_process), about,
    )  # fmt: skip
    log_caps(log, settings, caps, fd_limit)
    games.open()
    await until_stopped(log, notices, lambda: len(server.sessions))
    acceptor.close()
    await server.close()
    if host is not None:
        await host.close()
    await acceptor.wait_closed()
    await games.close()
