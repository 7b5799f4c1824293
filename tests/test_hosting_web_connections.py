"""The web server's door (hosting/web_connections.py): open connections are capped per network
and in all before aiohttp reads a byte, and a connection that sends no request is closed, so a
script cannot hold every descriptor of the host while a room's players wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from pathlib import Path

import aiohttp
from helpers import eventually
from test_hosting_web import SIZE, frames, run

from pizzashop.hosting.limits import LISTEN_BACKLOG, Connections
from pizzashop.hosting.probe import FIRST_FRAME_MARK, HostedServer
from pizzashop.hosting.web_connections import Door

FLOODER = "127.0.0.2"


def held_from(pid: int, address: str) -> int:
    """Connections from `address` that process `pid` holds open (a socket descriptor of its,
    by /proc/net/tcp; connections the kernel has queued and not handed over are not held)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            link = os.readlink(fd)
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    remote = "".join(f"{int(part):02X}" for part in reversed(address.split(".")))
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2].startswith(remote + ":") and fields[9] in inodes:
            count += 1
    return count


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

    async def flood(port: int, server: int) -> tuple[str, list[int]]:
        async def knock() -> None:
            with contextlib.suppress(OSError):
                flooding.append(
                    await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0))
                )

        flooding: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        await asyncio.gather(*(knock() for _ in range(300)))
        held = [held_from(server, FLOODER)]
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"http://127.0.0.1:{port}/ws/through{SIZE}") as socket,
        ):
            frame = await frames(socket, FIRST_FRAME_MARK)
        held.append(held_from(server, FLOODER))
        deadline = time.monotonic() + 60  # the kernel may complete a connection 30 s late
        while held[-1] and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            held.append(held_from(server, FLOODER))
        for _, writer in flooding:
            writer.close()
        return frame, held

    options = ("--max-sessions", "4", "--rate-limit", "100000")
    with HostedServer(tmp_path, *options, kind="web", open_files=400) as server:
        assert server.process is not None
        frame, held = run(flood(server.port, server.process.pid))
        assert FIRST_FRAME_MARK in frame
        # A refused connection holds its descriptor until the loop's next turn, and one turn
        # accepts at most LISTEN_BACKLOG: the cap, plus at most that many being refused.
        assert held[0] > 0 and max(held) <= 32 + LISTEN_BACKLOG, "the cap from one address holds"
        assert held[-1] == 0, "the silent connections are dropped"
        assert "no request within 10s" in server.log_text()
        assert server.process is not None and server.process.poll() is None
        log = server.log_text()
    assert "64 connections (32 per address), 400 open files" in log
    assert "refused 127.0.0.2:" in log and "32 connections open from 127.0.0.2" in log
    assert log.count("refused 127.0.0.2") <= 10, "a repeated refusal is logged a few times"
    assert "player 'through'" in log
    assert "Traceback" not in log and len(log) < 20_000


def test_the_caps_can_be_set_and_a_third_connection_from_one_address_is_closed(
    tmp_path: Path,
) -> None:
    async def knock(port: int) -> list[bool]:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        await asyncio.sleep(0.5)
        closed = []
        for reader, writer in held:
            try:
                closed.append(await asyncio.wait_for(reader.read(1), 1) == b"")
            except TimeoutError:
                closed.append(False)
            except OSError:
                closed.append(True)
            writer.close()
        return closed

    options = ("--max-connections", "5", "--max-per-address", "2")
    with HostedServer(tmp_path, *options, kind="web") as server:
        closed = run(knock(server.port))
        log = server.log_text()
    assert "5 connections (2 per address)" in log
    assert closed == [False, False, True], "the first two wait for a request, the third is refused"
    assert "2 connections open from 127.0.0.1" in log


def test_a_malformed_request_is_one_line_in_the_log_not_a_traceback(tmp_path: Path) -> None:
    """aiohttp logs a traceback for every request it cannot parse; the server's log keeps one
    bounded line of it, whatever the client sent."""

    async def overlong(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nX: " + b"\x1b[31m" * 40_000 + b"\r\n\r\n")
        with contextlib.suppress(OSError):
            await writer.drain()
        answer = await asyncio.wait_for(reader.read(64), 15)
        writer.close()
        return answer

    with HostedServer(tmp_path, kind="web") as server:
        answer = run(overlong(server.port))
        assert eventually(lambda: "Error handling request" in server.log_text())
        log = server.log_text()
    assert answer.startswith(b"HTTP/1.0 400")
    (line,) = [line for line in log.splitlines() if "Error handling request" in line]
    one_line = r"Error handling request from 127\.0\.0\.1 \((BadHttpMessage|LineTooLong): "
    assert re.search(one_line, line)
    assert len(line) < 400
    assert "Traceback" not in log and "\x1b" not in log
