"""The web server's door: each TCP connection is counted before aiohttp sees a byte of it.

textual-serve and aiohttp cap nothing below a request: a script could open connections until
the host ran out of descriptors, or open them and say nothing, and a room's players would find
the server dead. So, as `serve ssh` does for its connections, the web server admits at most so
many open connections from one network and in all (`limits.Connections`), and a connection
must finish the headers of its first request within FIRST_REQUEST seconds or be closed. After
that, aiohttp's keep-alive timeout, the page's heartbeat and the game's idle timeout apply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from pizzashop.hosting.limits import Connections, network_of

FIRST_REQUEST = 10.0
"""Seconds a new connection has to send the headers of its first request."""
HEADERS_END = b"\r\n\r\n"
HEADERS_LIMIT = 64 * 1024
"""Bytes looked at for the end of the first request's headers (aiohttp refuses longer ones)."""


class Door(asyncio.Protocol):
    """One connection: admitted and handed to aiohttp's protocol, or closed at once."""

    def __init__(
        self,
        inner: asyncio.Protocol,
        connections: Connections,
        log: logging.Logger,
        first_request: float = FIRST_REQUEST,
    ) -> None:
        self.inner = inner
        self.connections = connections
        self.log = log
        self.first_request = first_request
        self.network: str | None = None
        """The admitted connection's network (None: refused, or not yet made)."""
        self.peer = "?"
        self._seen = b""
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        host, port = (transport.get_extra_info("peername") or ("?", 0))[:2]
        self.peer = f"{host}:{port}"
        network = network_of(str(host))
        refusal = self.connections.admit(network)
        if refusal is not None:
            self.log.warning("refused %s: %s", self.peer, refusal)
            transport.abort()
            return
        self.network = network
        self._deadline = asyncio.get_running_loop().call_later(
            self.first_request, self._too_slow, transport
        )
        self.inner.connection_made(transport)

    def _too_slow(self, transport: asyncio.BaseTransport) -> None:
        self._deadline = None
        self.log.warning(
            "dropped %s: no request within %gs of connecting", self.peer, self.first_request
        )
        transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.network is None:
            return
        if self._deadline is not None:
            self._seen = (self._seen + data)[-HEADERS_LIMIT:]
            if HEADERS_END in self._seen:
                self._deadline.cancel()
                self._deadline, self._seen = None, b""
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.network is not None else None

    def pause_writing(self) -> None:
        if self.network is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.network is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.network is None:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.connections.release(self.network)
        self.network = None
        self.inner.connection_lost(exc)


def guarded(
    factory: Callable[[], asyncio.Protocol], connections: Connections, log: logging.Logger
) -> Callable[[], Door]:
    """A protocol factory for `loop.create_server` that puts a Door before `factory`'s."""
    return lambda: Door(factory(), connections, log)
