"""A table: one process, forked from the game template, that runs several players' games.

A forked game costs about 23 MiB of its own: the pages of the template it touches (reference
counts, the interpreter's caches in code objects) are copied for each process. Games that share
a process share those pages too, and a second game in a process costs 3 to 5 MiB. With
`serve ssh --games-per-process N` the server seats up to N games at a table.

Each game keeps what a process of its own gave it:
- its own terminal, read and written through the event loop, never blocking the others
  (ui/tty_driver.py), with the window size read when the server says it changed;
- its own environment (game_environ.py): its player's name, a room's seat, its terminal type;
- its own failures (ui/terminal_game.py): an error ends that game only, its report is its own,
  and its player reads one line; a hang-up ends it as SIGHUP would.
What a table cannot keep apart is the process: a hard crash or a stall of the interpreter
ends or stalls every game at the table, which is why it is the server's choice how many sit
at one.

The server speaks to the table over a socketpair (wire.py) on descriptor TABLE_CONTROL:
`{"start": N, "env": {...}}` with the game's terminal, `{"resize": N}`, `{"hangup": N}`,
`{"kill": N}`; the table answers `{"started": N, "name": NAME}` (NAME names the game's crash
report) and `{"exited": N, "status": S}`. When the server closes its end the table hangs up
every game and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import signal
import socket
import sys
from typing import Any

from pizzashop.hosting import game_environ, wire
from pizzashop.hosting.forks import TABLE_CONTROL, TABLE_NAME
from pizzashop.hosting.linux import name_process
from pizzashop.ui.terminal_game import TerminalGame

CLOSING_GRACE = 5.0
"""Seconds the games have to end once the server has gone, before the table exits anyway."""
KILLED = -signal.SIGKILL


class Seat:
    """A game at the table and the task that plays it."""

    def __init__(self, game: TerminalGame, task: asyncio.Task[int]) -> None:
        self.game = game
        self.task = task


class Table:
    """The table's loop: seat the games the server sends, pass on their resizes, hang-ups and
    kills, and report each game's end."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.seats: dict[int, Seat] = {}
        self.streams = (sys.stdout, sys.stderr)
        self.closed = asyncio.Event()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        self.sock.setblocking(False)
        loop.add_reader(self.sock, self._receive)
        try:
            await self.closed.wait()
        finally:
            loop.remove_reader(self.sock)
        for seat in list(self.seats.values()):
            seat.game.hang_up()
        tasks = [seat.task for seat in self.seats.values()]
        if tasks:
            await asyncio.wait(tasks, timeout=CLOSING_GRACE)

    def _receive(self) -> None:
        for received in wire.waiting(self.sock, lambda e: self._send({"log": f"bad message: {e}"})):
            if received is None:
                self.closed.set()
                return
            self.handle(*received)

    def handle(self, message: dict[str, Any], fds: list[int]) -> None:
        if "start" in message:
            self.start(message, fds)
            return
        wire.close_all(fds)
        for verb in ("resize", "hangup", "kill"):
            seat = self.seats.get(message.get(verb, -1))
            if seat is None:
                continue
            if verb == "resize":
                seat.game.resized()
            elif verb == "hangup":
                seat.game.hang_up()
            else:
                seat.task.cancel()

    def start(self, message: dict[str, Any], fds: list[int]) -> None:
        number, env = message["start"], message.get("env")
        valid_env = isinstance(env, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()
        )
        if not isinstance(number, int) or number in self.seats or len(fds) != 1 or not valid_env:
            wire.close_all(fds)
            self._send({"failed": number, "error": "a start needs a new number, an environment "
                                                   "and one terminal"})  # fmt: skip
            return
        assert isinstance(env, dict)
        name = f"{os.getpid()}.{number}"
        game = TerminalGame(fds[0], name)
        context = contextvars.copy_context()
        context.run(game_environ.CURRENT.set, dict(env))
        task = asyncio.get_running_loop().create_task(self._play(number, game), context=context)
        self.seats[number] = Seat(game, task)
        self._send({"started": number, "name": name})

    async def _play(self, number: int, game: TerminalGame) -> int:
        try:
            status = await game.play()
        except asyncio.CancelledError:
            status = KILLED
        except Exception:  # play() keeps a game's failures its own; this is a last guard
            status = 1
        self.seats.pop(number, None)
        if not self.seats:  # Textual's apps redirect the standard streams, one over another
            sys.stdout, sys.stderr = self.streams
        self._send({"exited": number, "status": status})
        return status

    def _send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # a server that is gone no longer listens
            wire.send(self.sock, message)


def serve() -> int:
    """A table's life: the entry the game template runs in a forked table (template.py)."""
    name_process(TABLE_NAME)
    game_environ.install()
    sock = socket.socket(fileno=TABLE_CONTROL)
    asyncio.run(Table(sock).serve())
    return 0
