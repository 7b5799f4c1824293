"""The server's side of tables (table.py): seat games at tables of up to N, forked from the game
template, and hear from each table when its games end.

A game is placed at the fullest table with a free seat (fewest processes, least memory); a
class joining at once reserves its seats before the new table has started. A table whose last
game ended is let go: it exits and is reaped. A game that does not end when hung up is killed
by its table; a table that does not answer that either in KILL_GRACE seconds is killed with
all its games (an interpreter that stopped stops every game at its table anyway), and so are
the games of a table that died: each ends as killed, and its seat is told so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Mapping
from typing import Any

from pizzashop.hosting import wire
from pizzashop.hosting.forks import FORK_TIMEOUT, Forked, GameTemplate, Unforkable
from pizzashop.hosting.launch import TerminalSpent

KILL_GRACE = 2.0
"""Seconds a table has to end a game it was told to kill before the table itself is killed."""
RETIRE_TIMEOUT = 10.0
"""Seconds a let-go table has to exit before it is killed."""


class TableGame:
    """A game at a table, as the pty relay sees a launched game (launch.Launched)."""

    def __init__(self, table: TableProcess, number: int, name: str) -> None:
        assert table.forked is not None
        self.table = table
        self.number = number
        self.pid = table.forked.pid
        """The table's process: shared with the other games at it (never signalled for one)."""
        self.report_name = name
        self.how = f"seated as game {name}"
        self.status: int | None = None

    def exited(self) -> bool:
        return self.status is not None

    def reap(self) -> int:
        assert self.status is not None, "reaped before it exited"
        self.table.forget(self)
        return self.status

    def signal(self, signum: int) -> None:
        if self.status is not None:
            return
        if signum == signal.SIGKILL:
            self.table.kill_game(self)
        else:
            self.table.send({"hangup": self.number})

    def resized(self) -> None:
        if self.status is None:
            self.table.send({"resize": self.number})


class TableProcess:
    """One table: its process (forked from the template), its socket and its games."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.forked: Forked | None = None
        self.games: dict[int, TableGame] = {}
        self.reserved = 0
        """Seats promised to games still starting."""
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sock: socket.socket | None = None
        self._answers: dict[int, asyncio.Future[str]] = {}
        self._counter = 0
        self._retiring: asyncio.Task[None] | None = None

    @property
    def seated(self) -> int:
        return len(self.games) + self.reserved

    async def open(self, template: GameTemplate) -> None:
        ours, theirs = wire.pair()
        try:
            self.forked = await template.start_table(theirs.fileno())
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        asyncio.get_running_loop().add_reader(ours, self._receive)

    async def start(self, env: Mapping[str, str], terminal: int) -> TableGame:
        """Seat a game on `terminal` (a seat was reserved for it)."""
        try:
            await asyncio.shield(self.opened)
            if self._sock is None:
                raise Unforkable("the table is gone")
            self._counter += 1
            number = self._counter
            answer = asyncio.get_running_loop().create_future()
            self._answers[number] = answer
            try:
                wire.send(self._sock, {"start": number, "env": dict(env)}, [terminal])
            except OSError as error:
                self._answers.pop(number, None)
                raise Unforkable(f"the table is gone ({error})") from None
            try:
                name = await asyncio.wait_for(asyncio.shield(answer), FORK_TIMEOUT)
            except TimeoutError:
                self.kill(f"no answer to a start in {FORK_TIMEOUT:g} seconds")
                raise TerminalSpent("the table did not answer") from None
            finally:
                self._answers.pop(number, None)
            game = self.games[number] = TableGame(self, number, name)
            return game
        finally:
            self.reserved -= 1
            self.retire_if_empty()

    def send(self, message: dict[str, Any]) -> None:
        if self._sock is None:
            return
        try:
            wire.send(self._sock, message)
        except BlockingIOError:
            self.kill("it stopped reading")
        except OSError:
            pass

    def kill_game(self, game: TableGame) -> None:
        self.send({"kill": game.number})
        asyncio.get_running_loop().call_later(KILL_GRACE, self._check_killed, game)

    def _check_killed(self, game: TableGame) -> None:
        if game.status is None:
            self.kill(f"game {game.report_name} not ended {KILL_GRACE:g} s after a kill")

    def kill(self, why: str) -> None:
        """Kill the table's process (and so every game at it)."""
        forked = self.forked
        if forked is not None and not forked.exited():
            self.tables.log.error("table pid %s killed: %s", forked.pid, why)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(forked.pid, signal.SIGKILL)

    def forget(self, game: TableGame) -> None:
        self.games.pop(game.number, None)
        self.retire_if_empty()

    def retire_if_empty(self) -> None:
        """A table nobody sits at (or will) is let go."""
        if self.seated == 0 and self.opened.done() and self._retiring is None:
            self.tables.remove(self)
            self._retiring = asyncio.get_running_loop().create_task(self._retire())

    async def _retire(self) -> None:
        self._close_socket()
        forked = self.forked
        if forked is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RETIRE_TIMEOUT
        while not forked.exited() and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if not forked.exited():
            self.kill(f"not gone {RETIRE_TIMEOUT:g} s after its last game")
            while not forked.exited():
                await asyncio.sleep(0.05)
        forked.reap()
        self.tables.all.discard(self)

    def _receive(self) -> None:
        if self._sock is None:
            return
        for received in wire.waiting(self._sock, lambda e: self.tables.log.error("table: %s", e)):
            if received is None:
                self._died()
                return
            message, fds = received
            wire.close_all(fds)
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        if "started" in message or "failed" in message:
            answer = self._answers.get(message.get("started", message.get("failed")))
            if answer is None or answer.done():
                return
            if "started" in message:
                answer.set_result(str(message.get("name", "")))
            else:
                answer.set_exception(TerminalSpent(f"the table: {message.get('error')}"))
        elif "exited" in message:
            game = self.games.get(message["exited"])
            if game is not None and game.status is None:
                game.status = int(message["status"])
        elif "log" in message:
            self.tables.log.warning("table: %s", message["log"])

    def _close_socket(self) -> None:
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock)
            self._sock.close()
            self._sock = None

    def _died(self) -> None:
        """Its socket closed before it was let go: it died. Its games end as killed."""
        self._close_socket()
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(TerminalSpent("the table died"))
        for game in self.games.values():
            if game.status is None:
                game.status = -signal.SIGKILL
        if self._retiring is None:
            self.tables.remove(self)
            if self.forked is not None:
                self.tables.log.error(
                    "table pid %s ended with %d games at it", self.forked.pid, len(self.games)
                )
            self._retiring = asyncio.get_running_loop().create_task(self._retire())


class Tables:
    """Seat games at tables of `capacity` games each (see the module docstring)."""

    def __init__(self, template: GameTemplate, capacity: int, log: logging.Logger) -> None:
        self.template = template
        self.capacity = capacity
        self.log = log
        self.open_tables: list[TableProcess] = []
        self.all: set[TableProcess] = set()
        """Every table not yet reaped, open or let go."""

    async def start(self, env: Mapping[str, str], terminal: int) -> TableGame:
        """Unforkable when no table can take the game (nothing was handed on)."""
        if not self.template.forkable(env):
            raise Unforkable("its environment differs from the template's at startup")
        table = self._table_with_room()
        table.reserved += 1
        return await table.start(env, terminal)

    def _table_with_room(self) -> TableProcess:
        with_room = [t for t in self.open_tables if t.seated < self.capacity]
        if with_room:
            return max(with_room, key=lambda table: table.seated)
        table = TableProcess(self)
        self.open_tables.append(table)
        self.all.add(table)
        asyncio.get_running_loop().create_task(self._open(table))
        return table

    async def _open(self, table: TableProcess) -> None:
        try:
            await table.open(self.template)
        except Exception as error:
            self.remove(table)
            self.all.discard(table)
            failure = error if isinstance(error, Unforkable) else Unforkable(str(error))
            table.opened.set_exception(failure)
            table.opened.exception()  # retrieved: every game waiting has its own copy
            return
        table.opened.set_result(None)

    def remove(self, table: TableProcess) -> None:
        with contextlib.suppress(ValueError):
            self.open_tables.remove(table)

    async def close(self) -> None:
        """The server is stopping (its games already ended): wait for the tables to go."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RETIRE_TIMEOUT + 1.0
        while self.all and loop.time() < deadline:
            await asyncio.sleep(0.05)

    def known(self) -> set[int]:
        """Table processes not yet reaped: a sweep for strays leaves them alone."""
        return {table.forked.pid for table in self.all if table.forked is not None}
