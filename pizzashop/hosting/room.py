"""`serve ssh --room`: the room's Unix socket, where seats report and the instructor commands.

The socket lives in the data directory, readable and writable by its owner only, and a
connection from another user is closed at once. Each game the server starts for the room gets
the socket's path and a token of its own in its environment (`seat_environment`); a connection
speaks for the seat whose token it said hello with, and for no other. Anything a connection
sends is bounded (line size, lines a second, connections at once) and validated before the
round (`workshop.roomround`) sees it; a connection that overflows is closed, never the server.

When the round ends, every seat's game finishes its shift and reports; a seat whose game is gone
(or says nothing within END_GRACE seconds) is finished here from the actions it reported, off
the event loop, exactly as its game would have. Each result goes on the leaderboard once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
import time
from pathlib import Path

from pizzashop.hosting.logs import shown
from pizzashop.paths import data_dir
from pizzashop.sim import InputError
from pizzashop.workshop.leaderboard import Leaderboard, RoundEntry
from pizzashop.workshop.room import Room
from pizzashop.workshop.roomround import Round, Seat
from pizzashop.workshop.roomwire import (
    CLIENT_LINE_LIMIT,
    SOCKET_NAME,
    SOCKET_VARIABLE,
    TOKEN_VARIABLE,
    Final,
    ProtocolError,
    RateLimit,
    encode,
    parse_command,
    parse_hello,
    parse_seat_message,
    read_message,
)

HELLO_SECONDS = 5.0
"""A connection says who it is within this, or is closed."""
EXTRA_CONNECTIONS = 16
"""Connections allowed beyond one per game place: the instructor's commands and consoles."""
WRITE_BACKLOG = 1024 * 1024
"""Bytes waiting for a peer that does not read: past this it is closed (it is stuck)."""
END_GRACE = 20.0
"""Seconds a seat's game has to report its finished shift after `room end`."""
MAX_SOCKET_PATH = 100
"""AF_UNIX paths are short (108 bytes on Linux, less elsewhere)."""


class RoomHost:
    """The room's socket and round, for `serve ssh --room`."""

    def __init__(self, room: Room, log: logging.Logger, max_seats: int) -> None:
        self.room = room
        self.log = log
        self.path = data_dir() / SOCKET_NAME
        self.round = Round(room, self._deliver, self._record)
        self._max_connections = max_seats + EXTRA_CONNECTIONS
        self._connections = 0
        self._writers: dict[str, asyncio.StreamWriter] = {}
        self._server: asyncio.AbstractServer | None = None
        self._ending: asyncio.Task[None] | None = None

    def seat_environment(self, player: str) -> dict[str, str]:
        """What a game started for `player` needs to take its seat (a token of its own)."""
        name, token = self.round.admit(player)
        if name != player:
            self.log.info("room: a second game for %r sits as %r", player, name)
        return {SOCKET_VARIABLE: str(self.path), TOKEN_VARIABLE: token}

    async def start(self) -> None:
        """Listen on the socket (owner-only); one already answering there is another server."""
        if len(str(self.path)) > MAX_SOCKET_PATH:
            problem = f"the data directory's path is too long for the room's socket ({self.path})"
            raise InputError("--room", "", problem)
        if self.path.exists() or self.path.is_symlink():
            if await _answers(self.path):
                raise InputError("--room", "", f"a room server is running already ({self.path})")
            self.path.unlink()
        mask = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._connection, path=str(self.path), limit=CLIENT_LINE_LIMIT
            )
        except OSError as error:
            raise InputError("--room", "", f"cannot listen on {self.path} ({error})") from None
        finally:
            os.umask(mask)
        self.path.chmod(0o600)
        room = self.room
        gate = "behind a gate (pizzashop room start opens it)" if room.gate else "no gate"
        self.log.info(
            "room %r: %s seed %d, %s, speeds %s, socket %s",
            room.title, room.scenario.name, room.seed, gate,
            ",".join(map(str, room.speeds)), self.path,
        )  # fmt: skip

    async def close(self) -> None:
        if self._ending is not None:
            self._ending.cancel()
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers.values()):
                writer.close()
            with contextlib.suppress(OSError):
                self.path.unlink()

    # ------------------------------------------------------------ connections

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not _same_user(writer) or self._connections >= self._max_connections:
            writer.close()
            return
        self._connections += 1
        try:
            hello = parse_hello(await _first(reader))
            if hello.role == "control":
                await self._control(reader, writer)
            elif hello.token is not None and (name := self.round.seat_of(hello.token)):
                await self._seat(name, reader, writer)
        except (ProtocolError, TimeoutError) as error:
            self.log.warning("room: closed a connection: %s", shown(str(error)))
        except (ConnectionError, OSError):
            pass
        finally:
            self._connections -= 1
            writer.close()

    async def _seat(
        self, name: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers[name] = writer
        self.round.join(name)
        self.log.info("room: %r took their seat (%d here)", name, self.round.players())
        limit = RateLimit()
        try:
            while (data := await read_message(reader)) is not None:
                if not limit.allow():
                    raise ProtocolError(f"{name!r} sent too many messages")
                self.round.seat_message(name, parse_seat_message(data))
        finally:
            if self._writers.get(name) is writer:
                del self._writers[name]
                self.round.left(name)
                self.log.info("room: %r left their seat (%d here)", name, self.round.players())

    async def _control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        limit = RateLimit()
        while (data := await read_message(reader)) is not None:
            if not limit.allow():
                raise ProtocolError("a control connection sent too many commands")
            command = parse_command(data)
            reply = self.round.command(command)
            if command.command != "status":
                outcome = "ok" if reply["ok"] else f"refused: {reply['error']}"
                self.log.info("room: %s %s", command.command, reply.get("text") or outcome)
            if command.command == "end" and reply["ok"]:
                self._ending = asyncio.create_task(self._finish_round())
            writer.write(encode(reply))
            await writer.drain()

    def _deliver(self, name: str, message: dict) -> None:
        writer = self._writers.get(name)
        if writer is None or writer.is_closing():
            return
        if writer.transport.get_write_buffer_size() > WRITE_BACKLOG:
            self.log.warning("room: %r does not read; its connection is closed", name)
            writer.close()
            return
        writer.write(encode(message))

    # --------------------------------------------------------------- the end

    async def _finish_round(self) -> None:
        """Seats whose game is gone are finished at once; the others have END_GRACE seconds to
        report their own finish."""
        await self._finish([s for s in self.round.unfinished() if not s.connected])
        deadline = time.monotonic() + END_GRACE
        while self.round.unfinished() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await self._finish(self.round.unfinished())

    async def _finish(self, seats: list[Seat]) -> None:
        for seat in seats:
            sim = self.round.replay_of(seat)
            if sim is None:
                self.log.warning("room: %r cannot be finished (too many actions)", seat.name)
                continue
            await asyncio.to_thread(sim.run)
            self.round.finished(seat, sim)

    def _record(self, seat: Seat, result: Final) -> None:
        """One leaderboard entry per participant per round; a failing store costs the entry."""
        entry = RoundEntry(
            self.round.name, self.room.scenario.name, self.room.seed, seat.name, result.goodput,
            result.score, result.stars, result.orders_lost_total, result.routing, time.time(),
        )  # fmt: skip
        self.log.info(
            "room: %r finished: goodput %.1f%%, score %d", seat.name, 100 * result.goodput,
            result.score,
        )  # fmt: skip
        try:
            board = Leaderboard()
        except Exception as error:  # sqlite3's and psycopg's errors share no base class
            self.log.error("room: the leaderboard is unavailable: %s", error)
            return
        try:
            board.add_round(entry)
        except Exception as error:
            self.log.error("room: %r not recorded: %s", seat.name, error)
        finally:
            board.close()


async def _first(reader: asyncio.StreamReader) -> dict:
    data = await asyncio.wait_for(read_message(reader), HELLO_SECONDS)
    if data is None:
        raise ProtocolError("closed before saying hello")
    return data


async def _answers(path: Path) -> bool:
    """Whether something listens on the socket at `path` (a stale file answers nothing)."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), 2.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def _same_user(writer: asyncio.StreamWriter) -> bool:
    """The peer runs as this server's user (Linux tells; elsewhere the socket's mode decides)."""
    sock = writer.get_extra_info("socket")
    option = getattr(socket, "SO_PEERCRED", None)
    if sock is None or option is None:
        return True
    try:
        _, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, 12))
    except OSError:
        return False
    return uid == os.getuid()
