"""One browser player's game: the process textual-serve starts and speaks to, with that player's
environment, and a relay that passes on only what the page is meant to send.

textual-serve runs the game behind its web driver (packets over pipes, not a terminal). It
starts the game through a shell; `exec` makes the game the shell's own process, so the game's
id is the one the log names and the one a stop can kill. Its stop only asks the game to quit:
`end` adds a deadline. What a browser sends is untrusted: messages that are not the page's
protocol are dropped, sizes are clamped, and text that is not valid UTF-8 becomes U+FFFD.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from pizzashop.crashes import exit_status
from pizzashop.hosting.child import clamp_size
from pizzashop.hosting.games import Games
from pizzashop.hosting.launch import TerminalSpent
from pizzashop.hosting.piped import fork_piped

GAME_COMMAND = shlex.join(["exec", sys.executable, "-m", "pizzashop"])
PING_LIMIT = 64
"""Characters of a ping the page may have echoed back."""


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _utf8(text: str) -> bytes:
    """Keys as UTF-8: a lone surrogate (JSON may carry one) becomes U+FFFD, as over SSH."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


def _message(text: str) -> tuple[str, object] | None:
    """A page message, `[type, data]`, or None for anything else."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    return envelope[0], envelope[1] if len(envelope) > 1 else None


def driver_environment() -> dict[str, str]:
    """The variables textual-serve sets for its driver (those it adds or changes), at the
    default size: what a browser's game template starts with."""

    async def nothing(*_: object) -> None:
        return None

    service = AppService(
        GAME_COMMAND, write_bytes=nothing, write_str=nothing, close=nothing,
        download_manager=DownloadManager(),
    )  # fmt: skip
    return _changed(service._build_environment())


def _changed(served: Mapping[str, str]) -> dict[str, str]:
    """Of textual-serve's environment for a game, what differs from this process's own."""
    return {name: value for name, value in served.items() if os.environ.get(name) != value}


class WebGame(AppService):
    """A game for one browser page: keys and sizes in, frames out. `last_input` is the loop time
    of the page's last key (or mouse) input; `refused` counts messages dropped as malformed."""

    def __init__(
        self,
        environment: Mapping[str, str],
        socket: web.WebSocketResponse,
        on_exit: Callable[[], Awaitable[None]],
        games: Games | None = None,
    ) -> None:
        """`on_exit` runs when the game says it is exiting (the player quit). With `games`,
        the game is forked from the game template when it can be (see piped.py)."""
        super().__init__(
            GAME_COMMAND,
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=on_exit,
            download_manager=DownloadManager(),
        )
        self._environment = dict(environment)
        self._games = games
        self.how = "spawned"
        """How the game started, for the log: "forked" or "spawned"."""
        self._socket = socket
        self.last_input = asyncio.get_running_loop().time()
        self.refused = 0

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        """textual-serve's variables for its driver (those it adds or changes) over the game's
        own environment: the one the server chose for this player."""
        return {**self._environment, **_changed(super()._build_environment(width, height))}

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        """textual-serve's start, forked from the template when it can take the game."""
        if self._games is not None:
            try:
                forked = await fork_piped(self._games, self._build_environment(width, height))
            except TerminalSpent:  # the template failed it: the pipes are gone, not the game
                forked = None
            if forked is not None:
                self._process, self._stdin, self.how = forked, forked.stdin, "forked"  # type: ignore[assignment]
                return forked
        process = await super()._open_app_process(width, height)
        if self._games is not None:  # asyncio reaps it: the server's sweep must not
            self._games.reaped_elsewhere.add(process.pid)
        return process

    @property
    def pid(self) -> int:
        process = self._process  # textual-serve's: the game, once started (see `exec` above)
        return process.pid if process is not None else 0

    async def begin(self, columns: int, rows: int) -> None:
        """Start the game at a size the page may claim but not exceed."""
        await self.start(*clamp_size(columns, rows))
        self.last_input = asyncio.get_running_loop().time()  # idle from now, not from the wait

    async def exited(self) -> None:
        """Wait until the game's process has ended, on its own or not."""
        if self._process is not None:
            await self._process.wait()

    async def relay(self) -> None:
        """Pass the page's messages to the game until the page goes."""
        async for message in self._socket:
            if message.type != WSMsgType.TEXT:
                continue
            parsed = _message(message.data)
            if parsed is None or not await self._pass_on(*parsed):
                self.refused += 1

    async def _pass_on(self, kind: str, data: object) -> bool:
        if kind == "stdin" and isinstance(data, str):
            self.last_input = asyncio.get_running_loop().time()
            await self.send_bytes(_utf8(data))
        elif kind == "resize" and isinstance(data, dict):
            columns, rows = _whole(data.get("width")), _whole(data.get("height"))
            if columns is None or rows is None:
                return False
            await self.set_terminal_size(*clamp_size(columns, rows))
        elif kind == "ping" and isinstance(data, str) and len(data) <= PING_LIMIT:
            await self._socket.send_json(["pong", data])
        elif kind == "focus":
            await self.focus()
        elif kind == "blur":
            await self.blur()
        else:
            return False
        return True

    async def end(self, drop: Callable[[], None], grace: float = 2.0) -> int:
        """Ask the game to quit, kill it if it has not within `grace` seconds, and return its
        exit status as a shell reports it (128 + N for a game ended by signal N). A page that
        does not read what the game drew holds textual-serve's relay: after another `grace`
        seconds, `drop` drops its connection."""
        process = self._process
        stopping = asyncio.ensure_future(self.stop())
        await asyncio.wait({stopping}, timeout=grace)
        if process is not None and process.returncode is None and not stopping.done():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGKILL)
        await asyncio.wait({stopping}, timeout=grace)
        if not stopping.done():
            drop()
        await stopping
        if process is None:
            return 0
        status = exit_status(await process.wait())
        if self._games is not None:
            self._games.reaped_elsewhere.discard(process.pid)
        return status
