"""One player's game: a process on its own pseudo-terminal, ended together with its group.

The game leads a new session with the pty as its controlling terminal, as a login over sshd
would: the kernel then sends it SIGWINCH when the window size changes and SIGHUP when the master
side closes — so even a server that dies leaves no game behind. Bytes are relayed without ever
blocking the event loop: the master is non-blocking and both directions have flow control.

The terminal exists from the start; the process comes a moment later (a `Starter` forks it from
the template or spawns it, see launch.py): keys typed meanwhile wait in the pty, and stopping
first waits for the start.
"""

from __future__ import annotations

import asyncio
import codecs
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Callable, Mapping, Sequence

from pizzashop.hosting.launch import (
    GAME_COMMAND,
    Launched,
    Spawner,
    Starter,
    TerminalSpent,
    check_pass_fds,
)

READ_SIZE = 65536
INPUT_BACKLOG = 65536
"""Input bytes waiting for a game that is not reading before the sender is asked to pause."""
MAX_SIDE = 1000
"""Window sizes are clamped to 1 … MAX_SIDE cells, whatever a client claims."""
NOT_STARTED = 1
"""The status `stop` returns for a game whose process never started."""


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """A usable size: 80×24 for a client that sends none (0×0), never beyond MAX_SIDE."""
    if columns <= 0 or rows <= 0:
        return 80, 24
    return min(columns, MAX_SIDE), min(rows, MAX_SIDE)


def _set_size(fd: int, columns: int, rows: int) -> None:
    columns, rows = clamp_size(columns, rows)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class GameProcess:
    """A game on a pty. `on_output` gets what it draws; `on_closed` runs once when it closes the
    terminal (it quit or died); `on_drained` runs when a paused sender may send input again;
    `on_started` gets its process id once it runs, `on_failed` the error if it cannot start.

    `starter` starts the process (by default a new `command`); `pass_fds` are descriptors the
    game inherits at the same numbers, which the caller keeps open until the game started or
    failed. Creating the terminal may raise OSError at once.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_closed: Callable[[], None],
        on_drained: Callable[[], None],
        command: tuple[str, ...] = GAME_COMMAND,
        *,
        starter: Starter | None = None,
        pass_fds: Sequence[int] = (),
        on_started: Callable[[int], None] = lambda pid: None,
        on_failed: Callable[[Exception], None] = lambda error: None,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_output, self._on_closed, self._on_drained = on_output, on_closed, on_drained
        self._pending = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._reading = False
        self._open = False
        self._size = size
        self.pid: int | None = None
        """The game's process (and process group) id, once it runs."""
        self.launched: Launched | None = None
        self.failed: Exception | None = None
        slave = self._new_terminal()
        self._starting = self._loop.create_task(
            self._start(
                starter or Spawner(command), dict(env), slave, check_pass_fds(pass_fds),
                on_started, on_failed,
            )
        )  # fmt: skip

    def _new_terminal(self) -> int:
        """Open a pty (closing the one before, if any) and relay it; returns its slave side."""
        self._close_master()
        master, slave = os.openpty()
        try:
            _set_size(master, *self._size)
            os.set_blocking(master, False)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self._master = master
        self._open = True
        self.resume_output()
        return slave

    async def _start(
        self,
        starter: Starter,
        env: dict[str, str],
        slave: int,
        pass_fds: tuple[int, ...],
        on_started: Callable[[int], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        try:
            try:
                self.launched = await starter.start(env, slave, pass_fds)
            except TerminalSpent:  # someone may hold the old terminal: start on a new one
                os.close(slave)
                slave = -1
                slave = self._new_terminal()
                self.launched = await starter.start(env, slave, pass_fds)
        except Exception as error:  # any failure to start is the player's refusal
            self.failed = error
            self._close_master()
            on_failed(error)
            return
        finally:
            if slave >= 0:
                os.close(slave)
        self.pid = self.launched.pid
        on_started(self.pid)

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def resize(self, columns: int, rows: int) -> None:
        """The kernel sends SIGWINCH to the game's foreground process group; a game at a table
        is told by its table."""
        self._size = (columns, rows)
        if self._open:
            _set_size(self._master, columns, rows)
            if self.launched is not None:
                self.launched.resized()

    def write(self, data: bytes) -> None:
        """Queue keys for the game; the caller pauses its sender while `backlog` is large.

        The game's terminal is UTF-8: bytes that are not (a Latin-1 "é", an 8-bit Meta key) reach
        it as U+FFFD, decoded across writes so a character split between two packets survives.
        """
        if not self._open:
            return
        was_empty = not self._pending
        self._pending += self._decoder.decode(data).encode()
        if was_empty:
            self._flush()

    def pause_output(self) -> None:
        if self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def resume_output(self) -> None:
        if self._open and not self._reading:
            self._loop.add_reader(self._master, self._read)
            self._reading = True

    def _read(self) -> None:
        try:
            data = os.read(self._master, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:  # EIO: every slave descriptor is closed
            data = b""
        if data:
            self._on_output(data)
        else:
            self._close_master()
            self._on_closed()

    def _flush(self) -> None:
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            written = 0
        except OSError:
            self._pending.clear()
            written = 0
        del self._pending[:written]
        if self._pending:
            self._loop.add_writer(self._master, self._flush)
            return
        self._loop.remove_writer(self._master)
        self._on_drained()

    def _close_master(self) -> None:
        if self._open:
            self.pause_output()
            self._loop.remove_writer(self._master)
            self._pending.clear()
            os.close(self._master)
            self._open = False

    async def stop(self, grace: float = 2.0) -> int:
        """End the game and everything in its process group, reap it, and return its status.

        SIGHUP first (a hang-up, as when a terminal closes), SIGKILL to the group after `grace`
        seconds; the leader is reaped only after the group is killed, so its id cannot have
        been reused by then. A game still starting is waited for first.
        """
        await asyncio.shield(self._starting)
        self._close_master()
        launched = self.launched
        if launched is None:
            return NOT_STARTED
        launched.signal(signal.SIGHUP)
        deadline = self._loop.time() + grace
        while not launched.exited() and self._loop.time() < deadline:
            await asyncio.sleep(0.02)
        launched.signal(signal.SIGKILL)
        while not launched.exited():
            await asyncio.sleep(0.02)
        return launched.reap()
