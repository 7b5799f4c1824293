"""A browser's game forked from the game template, looking as textual-serve expects its game's
process to look: `stdin` to write to, `stdout` and `stderr` to read, `pid`, `returncode`,
`wait()` and `send_signal()` (what `asyncio.subprocess.Process` offers and textual-serve uses).

textual-serve spawns a fresh interpreter per page, half a second of CPU each: a class opening
the page together waits seconds, as over SSH before the template. Forked, the game costs what
an SSH seat costs. Its exit comes from the template's report (the process stays unreaped until
`wait` has it, so a signal never reaches another process).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from asyncio.streams import FlowControlMixin

from pizzashop.hosting.games import Games, Tracked

EXIT_POLL = 0.05
"""Seconds between looks at whether the game has exited, once its output has ended."""


class PipedGame:
    """A forked game on three pipes (see the module docstring)."""

    def __init__(
        self,
        tracked: Tracked,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
    ) -> None:
        self.pid = tracked.pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        """As `Popen.returncode`: the exit status, or minus the signal that ended the game."""
        self._tracked = tracked
        self._waiting: asyncio.Task[int] | None = None

    async def wait(self) -> int:
        if self._waiting is None:
            self._waiting = asyncio.ensure_future(self._until_exited())
        return await asyncio.shield(self._waiting)

    async def _until_exited(self) -> int:
        while not self._tracked.exited():
            await asyncio.sleep(EXIT_POLL)
        self.returncode = self._tracked.reap()
        self.stdin.close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


async def fork_piped(games: Games, env: dict[str, str]) -> PipedGame | None:
    """The game forked on new pipes with `env`, or None when the template cannot take it
    (nothing was started: spawn it instead). TerminalSpent if the fork failed after the pipes
    were handed on (our ends are closed: spawn it on new ones)."""
    stdin_read, stdin_write = os.pipe()
    stdout_read, stdout_write = os.pipe()
    stderr_read, stderr_write = os.pipe()
    theirs, ours = (stdin_read, stdout_write, stderr_write), (stdin_write, stdout_read, stderr_read)
    try:
        tracked = await games.start_piped(env, theirs)
    except BaseException:
        for fd in (*theirs, *ours):
            os.close(fd)
        raise
    for fd in theirs:
        os.close(fd)
    if tracked is None:
        for fd in ours:
            os.close(fd)
        return None
    loop = asyncio.get_running_loop()
    stdin_pipe = os.fdopen(stdin_write, "wb", buffering=0)
    transport, protocol = await loop.connect_write_pipe(lambda: FlowControlMixin(), stdin_pipe)
    stdin = asyncio.StreamWriter(transport, protocol, None, loop)
    readers = []
    for fd in (stdout_read, stderr_read):
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda reader=reader: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0)
        )
        readers.append(reader)
    return PipedGame(tracked, stdin, *readers)
