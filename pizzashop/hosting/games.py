"""How the server starts games — on a terminal (SSH) or on pipes (a browser's) — forked from the
game template when it can (a fraction of the CPU and memory), spawned as a fresh process when it
cannot (no template yet, one that died, a host without subreapers), never failing a player for
the template's sake. With `--games-per-process N` above 1, an SSH game is seated at a table of N
games in one process (tables.py) when one can take it, and forked or spawned when none can.

The server is a subreaper, so it also collects strays: a process orphaned under it that nobody
tracks (a game forked for a request that was given up when its template died) is reaped when it
exits, found by its parent id in /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path

from pizzashop.hosting.forks import GameTemplate, Unforkable
from pizzashop.hosting.launch import Launched, Spawner
from pizzashop.hosting.linux import adopt_orphans
from pizzashop.hosting.tables import Tables

SWEEP_DELAY = 0.2
"""Seconds after a child's exit before strays are looked for (one look for a burst of exits)."""


class Tracked:
    """A launched game the server has not reaped yet, and how it was started: in `forget`
    from its creation until it is reaped."""

    def __init__(self, launched: Launched, forget: dict[int, Tracked]) -> None:
        self.launched = launched
        self.pid = launched.pid
        self.how = launched.how
        self.report_name = launched.report_name
        self._forget = forget
        self._key = id(self)
        forget[self._key] = self

    def exited(self) -> bool:
        return self.launched.exited()

    def reap(self) -> int:
        status = self.launched.reap()
        self._forget.pop(self._key, None)
        return status

    def signal(self, signum: int) -> None:
        self.launched.signal(signum)

    def resized(self) -> None:
        self.launched.resized()


class Games:
    """The server's starter (see `launch.Starter`)."""

    def __init__(
        self,
        log: logging.Logger,
        template: GameTemplate | None = None,
        spawner: Spawner | None = None,
        per_process: int = 1,
    ) -> None:
        self.log = log
        self.template = template
        self.spawner = spawner or Spawner()
        self.tables = Tables(template, per_process, log) if template and per_process > 1 else None
        """Tables of `per_process` games each (table.py), when games share processes."""
        self.tracked: dict[int, Tracked] = {}
        self.reaped_elsewhere: set[int] = set()
        """Children someone else waits for (textual-serve's spawned games): never strays."""
        self._sweep: asyncio.TimerHandle | None = None

    def open(self) -> None:
        """Become a subreaper and start the template (without one, every game is spawned)."""
        if self.template is None:
            return
        if not adopt_orphans():
            self.log.warning("games start one by one: this host cannot adopt orphans")
            self.template = None
            return
        asyncio.get_running_loop().add_signal_handler(signal.SIGCHLD, self._child_exited)
        self.template.open()

    async def start(
        self, env: Mapping[str, str], terminal: int, pass_fds: Sequence[int] = ()
    ) -> Tracked:
        launched: Launched | None = None
        seated = self.tables is not None and not pass_fds
        if self.tables is not None and seated:
            with contextlib.suppress(Unforkable):
                launched = await self.tables.start(env, terminal)
        # A table has waited for a template still loading already: not twice.
        if launched is None and self.template is not None and (self.template.ready or not seated):
            with contextlib.suppress(Unforkable):
                launched = await self.template.start(env, terminal, pass_fds)
        if launched is None:
            launched = await self.spawner.start(env, terminal, pass_fds)
        return Tracked(launched, self.tracked)

    async def start_piped(self, env: Mapping[str, str], stdio: Sequence[int]) -> Tracked | None:
        """A browser's game forked with `stdio` (three pipe ends) as its standard streams, or
        None when the template cannot take it: the caller then spawns it its own way.
        TerminalSpent if the pipes were handed on and the fork failed after."""
        if self.template is None:
            return None
        try:
            launched = await self.template.start_piped(env, stdio)
        except Unforkable:
            return None
        return Tracked(launched, self.tracked)

    def _child_exited(self) -> None:
        if self._sweep is None:
            self._sweep = asyncio.get_running_loop().call_later(SWEEP_DELAY, self.sweep)

    def sweep(self) -> list[int]:
        """Reap this process's exited children that nobody tracks; returns their ids."""
        self._sweep = None
        known = {tracked.pid for tracked in self.tracked.values()} | self.reaped_elsewhere
        if self.template is not None:
            known |= self.template.known()
        if self.tables is not None:
            known |= self.tables.known()
        reaped = []
        for pid in zombie_children(os.getpid()):
            if pid not in known:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                    reaped.append(pid)
        return reaped

    async def close(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
        if self.tables is not None:
            await self.tables.close()
        if self.template is not None:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGCHLD)
            await self.template.close()


def zombie_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] == "Z" and int(fields[1]) == parent:
                    found.append(int(entry.name))
    return found
