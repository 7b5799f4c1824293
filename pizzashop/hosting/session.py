"""One SSH session: an interactive terminal with a game behind it.

The session relays bytes between the SSH channel and the game's pty with flow control both ways,
passes every window size on, and ends the game — once — when the player quits, leaves, goes
idle or the server stops, telling the player why when they are still there to read it. Whatever
happens, the channel is closed at the end: a client never waits on a session that is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable

import asyncssh

from pizzashop.crashes import CRASHED, exit_status, find_report
from pizzashop.hosting.child import INPUT_BACKLOG, GameProcess, clamp_size
from pizzashop.hosting.logs import shown
from pizzashop.hosting.messages import (
    CANNOT_START,
    FULL,
    IDLE,
    NO_TERMINAL,
    RESET_TERMINAL,
    duration,
)
from pizzashop.hosting.server import GameServer

DEFAULT_TERM = "xterm-256color"
_TERM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


def _term(requested: str | None) -> str:
    return requested if requested and _TERM_NAME.fullmatch(requested) else DEFAULT_TERM


class GameSession(asyncssh.SSHServerSession[bytes]):
    """An interactive terminal with a game behind it; refuses exec and subsystems.

    `on_playing(True)` runs when its game starts, `on_playing(False)` when the session is over
    (refused or ended): the connection closes itself if no game follows.
    """

    def __init__(
        self, server: GameServer, player: str, peer: str, on_playing: Callable[[bool], None]
    ) -> None:
        self._server = server
        self._player = player
        self._peer = peer
        self._on_playing = on_playing
        self._log = server.log
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._game: GameProcess | None = None
        self._connected = True
        self._input_paused = False
        self._last_input = asyncio.get_running_loop().time()
        self._idle: asyncio.Task[None] | None = None
        self._started = 0.0
        """When the game started, in seconds since the epoch (to find its crash report)."""
        self._term = ""
        self._ending: asyncio.Task[None] | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._log.warning("refused exec %s from %s", shown(command), self._peer)
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self._log.warning("refused subsystem %s from %s", shown(subsystem), self._peer)
        return False

    def session_started(self) -> None:
        chan = self._chan
        assert chan is not None
        if chan.get_terminal_type() is None:
            self._refuse(NO_TERMINAL, "no terminal")
            return
        if not self._server.slots.acquire():
            self._refuse(FULL.format(places=self._server.slots.capacity), "server full")
            return
        term = _term(chan.get_terminal_type())
        columns, rows = clamp_size(*chan.get_terminal_size()[:2])
        self._started = time.time()
        self._term = f"term {term} {columns}x{rows}"
        try:
            self._game = GameProcess(
                self._server.environment(self._player, term),
                (columns, rows),
                on_output=self._send,
                on_closed=lambda: self.end("quit"),
                on_drained=self._input_drained,
                starter=self._server.games,
                on_started=self._game_started,
                on_failed=self._game_failed,
            )
        except OSError as error:
            self._server.slots.release()
            self._log.error("cannot start a game for %s: %s", self._peer, error)
            self._refuse(CANNOT_START, "game did not start")
            return
        self._on_playing(True)
        self._server.sessions.add(self)

    def _game_started(self, pid: int) -> None:
        """Idle time counts from here: nobody is idle before there is a game to play."""
        assert self._game is not None and self._game.launched is not None
        self._last_input = max(self._last_input, asyncio.get_running_loop().time())
        if self._ending is None:
            self._idle = asyncio.create_task(self._watch_idle())
        self._log.info(
            "start %s player %r %s pid %d, %s (%d/%d playing)",
            self._peer, self._player, self._term, pid, self._game.launched.how,
            self._server.slots.in_use, self._server.slots.capacity,
        )  # fmt: skip

    def _game_failed(self, error: Exception) -> None:
        self._log.error("cannot start a game for %s: %s", self._peer, error)
        self.end("game did not start", CANNOT_START)

    def _send(self, data: bytes) -> None:
        """The game's output, while the player is there for it (the channel may be closing)."""
        if self._connected and self._ending is None and self._chan is not None:
            with contextlib.suppress(BrokenPipeError):
                self._chan.write(data)

    def _refuse(self, message: str, reason: str) -> None:
        self._log.warning("refused %s player %r: %s", self._peer, self._player, reason)
        self._close(message, 1)
        self._on_playing(False)

    def _close(self, message: str, status: int) -> None:
        """Say `message` if the player can still read it, then close with `status`. The client
        may have sent EOF or gone already: the channel is closed whatever writing does."""
        chan = self._chan
        if chan is None:
            return
        try:
            if message and self._connected:
                chan.write(f"{message}\r\n".encode())
        except (BrokenPipeError, OSError):
            pass
        finally:
            chan.exit(status)

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._last_input = asyncio.get_running_loop().time()
        if self._game is None or self._chan is None:
            return
        self._game.write(data)
        if self._game.backlog > INPUT_BACKLOG and not self._input_paused:
            self._input_paused = True
            self._chan.pause_reading()

    def _input_drained(self) -> None:
        if self._input_paused and self._chan is not None:
            self._input_paused = False
            self._chan.resume_reading()

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self._game is not None:
            self._game.resize(width, height)

    def pause_writing(self) -> None:
        """The client is slow: stop reading the game's output; the game then waits on its pty."""
        if self._game is not None:
            self._game.pause_output()

    def resume_writing(self) -> None:
        if self._game is not None:
            self._game.resume_output()

    def eof_received(self) -> bool:
        """The client sends nothing more: end the game, but keep our side open to say goodbye
        and send the exit status (returning False would half-close the channel now)."""
        self.end("eof")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = False
        self.end("disconnected")

    async def _watch_idle(self) -> None:
        timeout = self._server.settings.idle_timeout
        loop = asyncio.get_running_loop()
        while (remaining := self._last_input + timeout - loop.time()) > 0:
            await asyncio.sleep(remaining)
        self.end("idle", IDLE.format(duration=duration(timeout)))

    def end(self, reason: str, message: str = "") -> None:
        """End the session once: stop the game, free its slot, tell the client why."""
        if self._game is not None and self._ending is None:
            self._ending = asyncio.create_task(self._finish(reason, message))

    async def _finish(self, reason: str, message: str) -> None:
        game = self._game
        assert game is not None
        if self._idle is not None:
            self._idle.cancel()
        stopped = reason != "quit"  # ended from outside: the game did not restore the terminal
        status = 1
        try:
            status = exit_status(await game.stop())
            if not stopped and status != 0:
                reason, message = self._crashed()
                stopped = status >= 128
        finally:
            self._server.slots.release()
            self._server.sessions.discard(self)
            if game.pid is None:
                self._log.warning("refused %s player %r: game did not start", self._peer,
                                  self._player)  # fmt: skip
                message, stopped = CANNOT_START, True
            else:
                self._log.info(
                    "end %s player %r pid %d: %s, status %d (%d/%d playing)",
                    self._peer, self._player, game.pid, reason, status,
                    self._server.slots.in_use, self._server.slots.capacity,
                )  # fmt: skip
            self._close(f"{RESET_TERMINAL}\r\n{message}" if stopped else "", status)
            self._on_playing(False)

    def _crashed(self) -> tuple[str, str]:
        """A game that closed its terminal with a failure: the log names its report. A game
        that crashed wrote its own goodbye; the player of a killed one is told here."""
        assert self._game is not None and self._game.launched is not None
        report = find_report(self._game.launched.report_name, self._started - 1)
        return f"crashed{f' (report {report})' if report else ''}", CRASHED
