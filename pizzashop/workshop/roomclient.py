"""The instructor's end of the room's socket: `pizzashop room …` and `room watch` send one command
at a time and read one reply. A room that is not there, a server that does not answer and a
refused command are each one line (`RoomError`), never a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pizzashop.paths import data_dir
from pizzashop.workshop.roomwire import (
    SERVER_LINE_LIMIT,
    SOCKET_NAME,
    ProtocolError,
    encode,
    read_message,
)

REPLY_SECONDS = 10.0


class RoomError(Exception):
    """No room to talk to, or the room refused: the message is one line for the instructor."""


def socket_path() -> Path:
    return data_dir() / SOCKET_NAME


class RoomClient:
    """A control connection: `async with RoomClient() as room: await room.ask("status")`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or socket_path()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RoomClient:
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_unix_connection(str(self.path), limit=SERVER_LINE_LIMIT),
                REPLY_SECONDS,
            )
        except FileNotFoundError:
            raise RoomError(
                f"no room is running here (no socket at {self.path}): start one with "
                "pizzashop serve ssh --room ROOM.toml"
            ) from None
        except (OSError, TimeoutError) as error:
            reason = getattr(error, "strerror", None) or "no answer"
            raise RoomError(f"cannot reach the room at {self.path} ({reason})") from None
        self._writer.write(encode({"type": "hello", "role": "control"}))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._writer is not None:
            self._writer.close()

    async def ask(self, command: str, **fields: Any) -> dict[str, Any]:
        """Send a command; its reply, or RoomError with the room's reason for refusing it."""
        assert self._reader is not None and self._writer is not None
        message = {"type": "control", "command": command}
        message |= {key: value for key, value in fields.items() if value is not None}
        try:
            self._writer.write(encode(message))
            await self._writer.drain()
            reply = await asyncio.wait_for(read_message(self._reader), REPLY_SECONDS)
        except (OSError, TimeoutError, ProtocolError):
            reply = None
        if reply is None or reply.get("type") != "reply":
            raise RoomError("the room server closed the connection or did not answer")
        if not reply.get("ok"):
            raise RoomError(str(reply.get("error") or "refused"))
        return reply


async def ask_once(command: str, path: Path | None = None, **fields: Any) -> dict[str, Any]:
    """One command on a connection of its own (the command line's way)."""
    async with RoomClient(path) as room:
        return await room.ask(command, **fields)
