"""The web server's door (hosting/web_connections.py): open connections are capped per network
and in all before aiohttp reads a byte, and a connection that sends no request is closed, so a
script cannot hold every descriptor of the host while a room's players wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
from test_hosting_web import SIZE, frames, run

from pizzashop.hosting.limits import Connections
from pizzashop.hosting.probe import FIRST_FRAME_MARK, HostedServer
from pizzashop.hosting.web_connections import Door


class Transport(asyncio.Transport):
    def __init__(self, peer: tuple[str, int]) -> None:
        super().__init__()
        self.peer = peer
        self.aborted = False

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self.peer if name == "peername" else default

    def abort(self) -> None:
        self.aborted = True


class Inner(asyncio.Protocol):
    def __init__(self) -> None:
        self.events: list[object] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.events.append("made")

    def data_received(self, data: bytes) -> None:
        self.events.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.events.append("lost")


LOG = logging.getLogger("test-door")


def test_the_door_admits_up_to_the_caps_and_counts_each_connection_once() -> None:
    async def scenario() -> None:
        caps = Connections(per_network=2, total=3)
        doors = [Door(Inner(), caps, LOG) for _ in range(4)]
        transports = [Transport(("10.0.0.1", n)) for n in range(3)] + [Transport(("10.0.0.2", 9))]
        for door, transport in zip(doors, transports, strict=True):
            door.connection_made(transport)
        assert [t.aborted for t in transports] == [False, False, True, False]
        assert doors[2].inner.events == [], "aiohttp never sees a refused connection"  # type: ignore[attr-defined]
        assert caps.open == 3
        doors[2].connection_lost(None)
        assert caps.open == 3, "a refused connection was never counted"
        doors[0].data_received(b"GET / HTTP/1.1\r\n\r\n")
        doors[0].connection_lost(None)
        assert doors[0].inner.events == ["made", b"GET / HTTP/1.1\r\n\r\n", "lost"]  # type: ignore[attr-defined]
        assert caps.open == 2
        for door in (doors[1], doors[3]):
            door.connection_lost(None)
        assert caps.open == 0

    asyncio.run(scenario())


def test_a_connection_without_a_request_is_dropped_and_one_with_a_slow_request_is_not() -> None:
    async def scenario() -> tuple[bool, bool, int]:
        caps = Connections(per_network=10, total=10)
        silent, talker = Door(Inner(), caps, LOG, 0.2), Door(Inner(), caps, LOG, 0.2)
        quiet, talking = Transport(("10.0.0.1", 1)), Transport(("10.0.0.1", 2))
        silent.connection_made(quiet)
        talker.connection_made(talking)
        for part in (b"GET / HTTP/1.1\r\nHost: x\r", b"\n\r", b"\n"):  # the end split in two
            talker.data_received(part)
        await asyncio.sleep(0.4)
        silent.connection_lost(None)
        return quiet.aborted, talking.aborted, caps.open

    quiet_dropped, talker_dropped, still_open = run(scenario())
    assert quiet_dropped and not talker_dropped
    assert still_open == 1


def test_a_flood_of_connections_is_capped_and_a_player_from_elsewhere_still_plays(
    tmp_path: Path,
) -> None:
    """300 connections at once from 127.0.0.2 that say nothing, on a host that may open 400
    files: the caps hold, the flood is dropped after the first-request deadline, the log stays
    small, and a browser from 127.0.0.1 gets its game meanwhile."""

    async def flood(port: int, dropped: Callable[[], bool]) -> tuple[str, bool, int]:
        async def knock() -> None:
            with contextlib.suppress(OSError):
                flooding.append(
                    await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0))
                )

        flooding: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        await asyncio.gather(*(knock() for _ in range(300)))
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"http://127.0.0.1:{port}/ws/through{SIZE}") as socket,
        ):
            frame = await frames(socket, FIRST_FRAME_MARK)
        deadline = time.monotonic() + 30
        while not (seen := dropped()) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        still_open = 0
        for reader, writer in flooding:
            try:
                still_open += await asyncio.wait_for(reader.read(1), 2) != b""
            except (OSError, TimeoutError):
                still_open += isinstance(sys.exc_info()[1], TimeoutError)
            writer.close()
        return frame, seen, still_open

    options = ("--max-sessions", "4", "--rate-limit", "100000")
    with HostedServer(tmp_path, *options, kind="web", open_files=400) as server:
        drop_logged = lambda: "no request" in server.log_text()  # noqa: E731
        frame, dropped, still_open = run(flood(server.port, drop_logged))
        assert FIRST_FRAME_MARK in frame
        assert dropped and still_open == 0, "the silent connections are dropped after 10 s"
        assert server.process is not None and server.process.poll() is None
        log = server.log_text()
    assert "64 connections (32 per address), 400 open files" in log
    assert "refused 127.0.0.2:" in log and "32 connections open from 127.0.0.2" in log
    assert log.count("refused 127.0.0.2") <= 10, "a repeated refusal is logged a few times"
    assert "player 'through'" in log
    assert "Traceback" not in log and len(log) < 20_000
