"""One player's game: a child process on its own pseudo-terminal, ended together with its group.

The child starts a new session with the pty as its controlling terminal, as a login over sshd
would: the kernel then sends it SIGWINCH when the window size changes and SIGHUP when the master
side closes — so even a server that dies leaves no game behind. Bytes are relayed without ever
blocking the event loop: the master is non-blocking and both directions have flow control.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Mapping

GAME_COMMAND = (sys.executable, "-m", "pizzashop")
READ_SIZE = 65536
INPUT_BACKLOG = 65536
"""Input bytes waiting for a game that is not reading before the sender is asked to pause."""
MAX_SIDE = 1000
"""Window sizes are clamped to 1 … MAX_SIDE cells, whatever a client claims."""


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """A usable size: 80×24 for a client that sends none (0×0), never beyond MAX_SIDE."""
    if columns <= 0 or rows <= 0:
        return 80, 24
    return min(columns, MAX_SIDE), min(rows, MAX_SIDE)


def _set_size(fd: int, columns: int, rows: int) -> None:
    columns, rows = clamp_size(columns, rows)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _take_terminal() -> None:
    """Runs in the child after setsid(): make the pty on stdin its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class GameProcess:
    """A game on a pty. `on_output` gets what it draws; `on_closed` runs once when it closes the
    terminal (it quit or died); `on_drained` runs when a paused sender may send input again."""

    def __init__(
        self,
        env: Mapping[str, str],
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_closed: Callable[[], None],
        on_drained: Callable[[], None],
        command: tuple[str, ...] = GAME_COMMAND,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_output, self._on_closed, self._on_drained = on_output, on_closed, on_drained
        self._pending = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._reading = False
        self._open = True
        master, slave = os.openpty()
        try:
            _set_size(master, *size)
            self.process = subprocess.Popen(
                command,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                start_new_session=True,
                preexec_fn=_take_terminal,  # one ioctl: takes no lock a thread could hold
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        self.pid = self.process.pid
        self.resume_output()

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def resize(self, columns: int, rows: int) -> None:
        """The kernel sends SIGWINCH to the game's foreground process group."""
        if self._open:
            _set_size(self._master, columns, rows)

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
        been reused by then.
        """
        self._close_master()
        self._signal_group(signal.SIGHUP)
        deadline = self._loop.time() + grace
        while not self._exited() and self._loop.time() < deadline:
            await asyncio.sleep(0.02)
        self._signal_group(signal.SIGKILL)
        while not self._exited():
            await asyncio.sleep(0.02)
        return self.process.wait()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def _exited(self) -> bool:
        """Has the leader exited? Asked without reaping it (WNOWAIT)."""
        if self.process.returncode is not None:
            return True
        found = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return found is not None
