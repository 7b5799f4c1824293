"""How a game's process comes to be, as the pty relay (child.py) sees it: a `Starter` starts one on
a terminal and returns it `Launched`. The plain way is `Spawner`, a fresh interpreter per game;
the server forks games from a template instead (forks.py) and spawns when it cannot.

A launched game is reaped only when its owner says so (`reap`), after `exited` has said it ended:
until then its process id, which is also its process group's, names no other process, so
signalling the group is safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import termios
from collections.abc import Mapping, Sequence
from typing import Protocol

GAME_COMMAND = (sys.executable, "-m", "pizzashop")


class Launched(Protocol):
    pid: int
    """The game's process: for a game at a table (table.py), the table's."""
    how: str
    """"forked" or "spawned" (or where at a table), for the log."""
    report_name: str
    """What names the game's crash report (crashes.py)."""

    def exited(self) -> bool:
        """Has the game's leader exited? (It stays unreaped.)"""
        ...

    def reap(self) -> int:
        """Reap the exited leader; its status as `Popen.returncode` (minus the signal)."""
        ...

    def signal(self, signum: int) -> None:
        """SIGHUP (a hang-up) or SIGKILL to the game, and to its process group if it has one."""
        ...

    def resized(self) -> None:
        """Its terminal's window size changed (a game leading its terminal's session has been
        told by the kernel already)."""
        ...


class GameGroup:
    """What a game that is a process of its own, leading its process group, does on `signal`
    and `resized`."""

    pid: int

    @property
    def report_name(self) -> str:
        return str(self.pid)

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def resized(self) -> None:
        """The kernel sent SIGWINCH to the terminal's foreground process group."""


class Starter(Protocol):
    async def start(
        self, env: Mapping[str, str], terminal: int, pass_fds: Sequence[int] = ()
    ) -> Launched:
        """Start a game on `terminal` (a pty's slave side), in a session of its own with the
        terminal as its controlling terminal, with environment `env` and the descriptors
        `pass_fds` at the same numbers. OSError if it cannot."""
        ...


class TerminalSpent(OSError):
    """The start failed after the terminal was handed on: a process may hold it, so the game
    must start on a new one."""


def check_pass_fds(pass_fds: Sequence[int]) -> tuple[int, ...]:
    fds = tuple(pass_fds)
    if any(fd < 3 for fd in fds) or len(set(fds)) < len(fds):
        raise ValueError(f"descriptors to pass must be distinct and above 2, not {fds}")
    return fds


def _take_terminal() -> None:
    """Runs in the child after setsid(): make the pty on stdin its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Spawned(GameGroup):
    """A game that is a child process of the server."""

    how = "spawned"

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.pid = process.pid

    def exited(self) -> bool:
        if self.process.returncode is not None:
            return True
        found = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return found is not None

    def reap(self) -> int:
        return self.process.wait()


class Spawner:
    """Start each game as a new process running `command`."""

    def __init__(self, command: Sequence[str] = GAME_COMMAND) -> None:
        self.command = tuple(command)

    async def start(
        self, env: Mapping[str, str], terminal: int, pass_fds: Sequence[int] = ()
    ) -> Spawned:
        return Spawned(
            subprocess.Popen(
                self.command,
                stdin=terminal,
                stdout=terminal,
                stderr=terminal,
                env=dict(env),
                start_new_session=True,
                pass_fds=check_pass_fds(pass_fds),
                preexec_fn=_take_terminal,  # one ioctl: takes no lock a thread could hold
            )
        )
