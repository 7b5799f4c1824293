"""Scripted players for a pizzashop SSH server: the benchmark's load and the tests' hands.

A `Player` is a real SSH client (asyncssh) on a pseudo-terminal that records what the game draws.
`HostedServer` runs `pizzashop serve ssh` as a child in its own session on a free loopback port
and stops it — and every game it started — on exit. Linux only: it reads /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import asyncssh

from pizzashop.hosting.forks import TABLE_NAME
from pizzashop.hosting.template import NAME as TEMPLATE_NAME

_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
FIRST_FRAME_MARK = "pizzashop"
"""Text the title screen draws: its arrival on the alternate screen is the first frame."""
ALTERNATE_SCREEN = b"\x1b[?1049h"
_STARTED = re.compile(
    r" start \S+ player '([^'\\]*)' .*? pid (\d+)(?:, (\w+)(?: as game [\d.]+)?)? \("
)
RESCAN = 512
"""Bytes of output looked at again by a wait: a text split between two reads is still found."""


def visible(data: bytes) -> str:
    """What a terminal would show of `data`, escapes removed (no layout): enough to find text."""
    return _ESCAPES.sub(b"", data).decode("utf-8", "replace")


class Player:
    """One scripted participant: `async with Player(port, "ada") as p: await p.wait_for("…")`."""

    def __init__(
        self,
        port: int,
        name: str,
        size: tuple[int, int] = (100, 30),
        host: str = "127.0.0.1",
        source: str | None = None,
        key: asyncssh.SSHKey | None = None,
        window: int | None = None,
    ) -> None:
        """`source`: the local address to connect from (another loopback address is another
        client); `key`: the client key to offer, none by default; `window`: the bytes the
        server may send before the client has read them (asyncssh's default: 2 MiB)."""
        self.port, self.name, self.size, self.host = port, name, size, host
        self.source, self.key, self.window = source, key, window
        self.output = bytearray()
        self.started = 0.0
        self._changed = asyncio.Event()
        self._conn: asyncssh.SSHClientConnection | None = None
        self._process: asyncssh.SSHClientProcess[bytes] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Player:
        self.started = time.monotonic()
        self._conn = await connect(
            self.port, self.name, host=self.host, source=self.source, key=self.key
        )
        window = {"window": self.window} if self.window else {}
        self._process = await self._conn.create_process(
            term_type="xterm-256color", term_size=self.size, encoding=None, **window
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.abort()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self._process is not None
        while chunk := await self._process.stdout.read(65536):
            self.output += chunk
            self._changed.set()
        self._changed.set()

    @property
    def text(self) -> str:
        return visible(bytes(self.output))

    async def wait_for(self, text: str, timeout: float = 20.0, since: int = 0) -> float:
        """Seconds from connecting until `text` showed (in output after byte `since`)."""
        return await self._wait(lambda start: text in visible(self.output[start:]), since, text,
                                timeout)  # fmt: skip

    async def first_frame(self, timeout: float = 20.0) -> float:
        """Seconds from connecting until the game drew its title on the alternate screen (a
        traceback, which also names pizzashop, never counts)."""
        screen = -1

        def drawn(start: int) -> bool:
            nonlocal screen
            if screen < 0 and (screen := self.output.find(ALTERNATE_SCREEN)) < 0:
                return False
            return FIRST_FRAME_MARK in visible(self.output[max(screen, start) :])

        return await self._wait(drawn, 0, "the first frame", timeout)

    async def _wait(
        self, ready: Callable[[int], bool], since: int, what: str, timeout: float
    ) -> float:
        """Wait until `ready(start)` holds, where output before `start` was looked at already
        (but for the last RESCAN bytes, where a text may have begun)."""
        deadline = time.monotonic() + timeout
        looked = since
        while True:
            end = len(self.output)
            if ready(max(since, looked - RESCAN)):
                return time.monotonic() - self.started
            looked = end
            if self._reader is not None and self._reader.done():
                raise EOFError(f"session ended before {what}: {self.text[-300:]!r}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {what} in {timeout}s: {self.text[-300:]!r}")
            self._changed.clear()
            if len(self.output) == end:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def type(self, keys: bytes) -> None:
        assert self._process is not None
        self._process.stdin.write(keys)

    def resize(self, columns: int, rows: int) -> None:
        assert self._process is not None
        self.size = (columns, rows)
        self._process.change_terminal_size(columns, rows)

    async def exit_status(self, timeout: float = 20.0) -> int | None:
        """Wait for the session to end; the status the server reported."""
        assert self._process is not None
        await asyncio.wait_for(self._process.wait_closed(), timeout)
        return self._process.exit_status

    def end_input(self) -> None:
        """Send EOF, as a client whose input ran out does."""
        assert self._process is not None
        self._process.stdin.write_eof()

    async def disconnected(self, timeout: float = 20.0) -> None:
        """Wait until the connection is closed (by the server, for a client that keeps it)."""
        assert self._conn is not None
        await asyncio.wait_for(self._conn.wait_closed(), timeout)

    def stall(self) -> None:
        """Stop reading what the server sends, keeping the connection: a client that hangs."""
        assert self._process is not None
        self._process.channel.pause_reading()

    def abort(self) -> None:
        """Drop the connection without a goodbye, as a closed laptop would."""
        if self._conn is not None:
            self._conn.abort()


async def connect(
    port: int,
    name: str,
    *,
    host: str = "127.0.0.1",
    source: str | None = None,
    key: asyncssh.SSHKey | None = None,
) -> asyncssh.SSHClientConnection:
    """An SSH connection as `name` that knows nothing of the user's own configuration, agent
    or keys, from `source` (a local address) if given, offering `key` if given."""
    return await asyncssh.connect(
        host, port, username=name, known_hosts=None, client_keys=[key] if key else None,
        agent_path=None, config=None, local_addr=(source, 0) if source else None,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (zombies included: they are leaks until reaped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, tty…"""
    return (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()


def is_template(pid: int) -> bool:
    """The game template names itself (template.py)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == TEMPLATE_NAME
    except OSError:
        return False


def is_table(pid: int) -> bool:
    """A table names itself (table.py)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == TABLE_NAME
    except OSError:
        return False


def is_game(pid: int) -> bool:
    """A game leads a session of its own on a controlling terminal (the template has none)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = stat(pid)
        return int(fields[3]) == pid and int(fields[4]) != 0
    return False


def terminal_size(pid: int) -> tuple[int, int]:
    """(columns, rows) of the terminal on the standard input of `pid`, as the kernel has it."""
    with open(f"/proc/{pid}/fd/0", "rb", buffering=0) as tty:
        rows, columns = struct.unpack("HHHH", fcntl.ioctl(tty, termios.TIOCGWINSZ, bytes(8)))[:2]
    return columns, rows


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class HostedServer:
    """`pizzashop serve KIND` on a free loopback port with `PIZZASHOP_HOME=home`, for a test or a
    benchmark: started in its own session, stopped with SIGTERM, and anything left then killed."""

    def __init__(
        self,
        home: Path,
        *options: str,
        kind: str = "ssh",
        env: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        open_files: int | None = None,
    ) -> None:
        """`open_files`: the server's hard limit on open files, for a host that has few."""
        self.kind = kind
        self.open_files = open_files
        self.env = dict(os.environ, **(env or {}), PIZZASHOP_HOME=str(home))
        self.home = home
        self.options = options
        self.timeout = timeout
        self.port = free_port()
        self.log = home / "server.stderr"
        self.process: subprocess.Popen[bytes] | None = None
        self._games_seen: set[int] = set()

    def __enter__(self) -> HostedServer:
        self.home.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pizzashop", "serve", self.kind, "--port", str(self.port)]
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*command, *self.options], env=self.env, stdin=subprocess.DEVNULL,
                stdout=stderr, stderr=stderr, start_new_session=True,
                preexec_fn=None if self.open_files is None else self._limit_files,
            )  # fmt: skip
        deadline = time.monotonic() + self.timeout
        while "listening on" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {self.log.read_text()[-500:]}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _limit_files(self) -> None:
        """Runs in the server's process before it starts: soft and hard limits at 64 and
        `open_files` (the server raises the soft one itself)."""
        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(64, self.open_files), self.open_files))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def games(self) -> list[int]:
        """The game processes now running under the server: its children, spawned, and the
        children of its game template, forked. Over SSH a game leads a session on its own
        terminal; a browser's game has pipes, not a terminal, and is any child but the
        template."""
        found = []
        for child in children(self.pid):
            self._games_seen.add(child)
            if is_template(child):
                found += [g for g in children(child) if self.kind != "ssh" or is_game(g)]
            elif self.kind != "ssh" or is_game(child):
                found.append(child)
        self._games_seen.update(found)
        return sorted(found)

    def tables(self) -> list[int]:
        """The processes that seat several games (table.py), children of the template."""
        found = [
            table
            for template in children(self.pid)
            if is_template(template)
            for table in children(template)
            if is_table(table)
        ]
        self._games_seen.update(found)
        return sorted(found)

    def templates(self) -> list[int]:
        """The server's game template (a list: none while it restarts)."""
        found = [child for child in children(self.pid) if is_template(child)]
        self._games_seen.update(found)
        return found

    def stop(self) -> int | None:
        """SIGTERM (the server ends its games), then SIGKILL for anything still there."""
        if self.process is None:
            return None
        self.games()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in (self.pid, *self._games_seen):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        return self.process.returncode

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def started(self) -> dict[str, tuple[int, str]]:
        """Each player's latest game, from the server's log: (pid, "forked" or "spawned"; a
        server that forks none does not say)."""
        return {
            name: (int(pid), how or "spawned")
            for name, pid, how in _STARTED.findall(self.log_text())
        }
