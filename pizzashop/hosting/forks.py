"""The server's side of the game template (template.py): start it, fork games through it, and
when it dies, adopt its games and start another after a pause.

The server is a subreaper (linux.adopt_orphans), so the games of a template that died become the
server's own children, unreaped until the server reaps them: `Forked` then asks the kernel
instead of the template. A template that does not answer a fork in FORK_TIMEOUT seconds is
killed, and its unanswered requests fail with TerminalSpent (a seat may have been forked on the
terminal meanwhile: the game starts on a new one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pizzashop.hosting import wire
from pizzashop.hosting.launch import GameGroup, TerminalSpent, check_pass_fds

TEMPLATE_COMMAND = (sys.executable, "-m", "pizzashop.hosting.template")
READY_TIMEOUT = 30.0
"""Seconds a new template may take to load the game (seconds of CPU on a busy host) before it
is taken for stuck and killed."""
READY_WAIT = 5.0
"""Seconds a game waits for a template that is loading before it is spawned instead: a class
that connects as the server starts gets forks, not thirty interpreters loading at once."""
FORK_TIMEOUT = 10.0
"""Seconds a template may take to answer a fork before it is taken for stuck and killed."""
RESTART_DELAYS = (1.0, 60.0)
"""A dead template is restarted after the first delay, doubled for each death in a row up to
the second; one that served STEADY seconds starts from the first again."""
STEADY = 60.0
ADOPTED_LOST = 5.0
"""Seconds an adopted game may stay out of reach (the kernel still moving it to the server)
before it is taken for gone."""
TABLE_CONTROL = 3
"""Where a table finds its end of the server's socketpair."""
TABLE_NAME = "pizzashop-table"
"""What `ps` shows for a table."""
STARTUP_PREFIXES = ("TEXTUAL_", "PYTHON", "LC_")
STARTUP_NAMES = frozenset({"LANG", "LANGUAGE", "ESCDELAY", "TZ"})
"""Environment variables read once, when Python and Textual start: a game forked from the
template has the template's values, so a game whose environment differs in one is spawned."""


def startup_variables(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k in STARTUP_NAMES or k.startswith(STARTUP_PREFIXES)}


class Unforkable(OSError):
    """The template cannot start this game (not ready, or another startup environment): the
    terminal was not handed on, so the game can be spawned on it."""


class Forked(GameGroup):
    """A game forked from the template: its exit is reported by the template, which keeps it
    unreaped until `reap`; once adopted (the template died), the server's own child."""

    how = "forked"

    def __init__(self, pid: int, template: GameTemplate) -> None:
        self.pid = pid
        self.status: int | None = None
        self._template: GameTemplate | None = template
        self._lost_since: float | None = None

    def exited(self) -> bool:
        if self.status is None and self._template is None:
            self.status = self._adopted_status()
        return self.status is not None

    def reap(self) -> int:
        assert self.status is not None, "reaped before it exited"
        if self._template is not None:
            self._template.reap(self)
        else:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        return self.status

    def adopt(self) -> None:
        """The template died: the game is (or is about to be) the server's child."""
        self._template = None

    def _adopted_status(self) -> int | None:
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # not the server's child yet, or never to be
            now = asyncio.get_running_loop().time()
            self._lost_since = self._lost_since or now
            gone = not Path(f"/proc/{self.pid}").exists()
            return -signal.SIGKILL if gone or now - self._lost_since > ADOPTED_LOST else None
        if info is None:
            return None
        return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


class GameTemplate:
    """One template process at a time, restarted when it dies (see the module docstring).

    `env` is the template's environment: the games' without what differs between players.
    `entry` (`module:function`) replaces the game in each seat, for tests.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        log: logging.Logger,
        entry: str | None = None,
        command: Sequence[str] = TEMPLATE_COMMAND,
    ) -> None:
        self.env = dict(env)
        self.log = log
        self.entry = entry
        self.command = tuple(command)
        self.pid: int | None = None
        """The template process now running, if any."""
        self.seats: dict[int, Forked] = {}
        """Games of the running template, until reaped."""
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._ready: asyncio.Future[None] | None = None
        self._requests: dict[int, asyncio.Future[int]] = {}
        self._counter = 0
        self._born = 0.0
        self._delay = RESTART_DELAYS[0]
        self._restart: asyncio.TimerHandle | None = None
        self._closing = False
        self._startup = startup_variables(env)
        self._unreaped: set[int] = set()
        """Template processes started and not yet reaped (a dead one may linger a moment)."""

    @property
    def ready(self) -> bool:
        """A template is running and has loaded the game."""
        ready = self._ready
        return (
            self._sock is not None
            and ready is not None
            and ready.done()
            and ready.exception() is None
        )

    def forkable(self, env: Mapping[str, str]) -> bool:
        return startup_variables(env) == self._startup

    def open(self) -> None:
        """Start the template; it is ready a moment later (it says so in the log)."""
        self._launch()

    async def wait_ready(self, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) for a template that is loading; True once ready."""
        if self._ready is not None and not self._ready.done():
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        return self.ready

    def _launch(self) -> None:
        self._restart = None
        loop = asyncio.get_running_loop()
        ours, theirs = wire.pair()
        command = [*self.command, str(theirs.fileno()), str(os.getpid())]
        try:
            self._process = subprocess.Popen(
                [*command, *([self.entry] if self.entry else [])],
                env=self.env, stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
                start_new_session=True,  # the server's terminal's Ctrl+C is not for it
            )  # fmt: skip
        except OSError as error:
            ours.close()
            self.log.error("cannot start the game template: %s", error)
            self._schedule_restart()
            return
        finally:
            theirs.close()
        self.pid = self._process.pid
        self._unreaped.add(self.pid)
        ours.setblocking(False)
        self._sock = ours
        self._ready = loop.create_future()
        self._born = loop.time()
        loop.add_reader(ours, self._receive)
        loop.call_later(READY_TIMEOUT, self._check_ready, self._ready)

    def _check_ready(self, ready: asyncio.Future[None]) -> None:
        if ready is self._ready and not ready.done():
            self._kill(f"not ready after {READY_TIMEOUT:g} seconds")

    async def start(
        self, env: Mapping[str, str], terminal: int, pass_fds: Sequence[int] = ()
    ) -> Forked:
        """A game forked on `terminal`. Unforkable if the template cannot take it (nothing was
        handed on), TerminalSpent if it failed after the terminal was sent."""
        return await self._fork(env, [terminal], check_pass_fds(pass_fds))

    async def start_piped(self, env: Mapping[str, str], stdio: Sequence[int]) -> Forked:
        """A game forked with `stdio` (three pipe ends) as its standard streams and no terminal:
        a browser's game. Unforkable and TerminalSpent as for `start`."""
        if len(stdio) != 3:
            raise ValueError(f"three standard streams, not {len(stdio)}")
        return await self._fork(env, list(stdio), (), pipes=True)

    async def start_table(self, control: int) -> Forked:
        """A table (table.py), its standard streams on /dev/null and its end of the server's
        socketpair, `control`, at TABLE_CONTROL. Unforkable and TerminalSpent as for `start`."""
        null = os.open(os.devnull, os.O_RDWR)
        try:
            return await self._fork(
                self.env, [null] * 3, (control,), pipes=True, run="table", at=[TABLE_CONTROL]
            )
        finally:
            os.close(null)

    async def _fork(
        self,
        env: Mapping[str, str],
        stdio: list[int],
        fds: tuple[int, ...],
        pipes: bool = False,
        run: str = "game",
        at: list[int] | None = None,
    ) -> Forked:
        """Fork a seat running `run` ("game" or "table") with `stdio` and `fds`, the latter at
        the same numbers or at `at`."""
        if not await self.wait_ready(READY_WAIT) or self._sock is None:
            raise Unforkable("the game template is not running")
        assert self._sock is not None
        if not self.forkable(env):
            raise Unforkable("its environment differs from the template's at startup")
        self._counter += 1
        request = self._counter
        targets = list(fds) if at is None else at
        message = {"start": request, "env": dict(env), "fds": targets, "pipes": pipes, "run": run}
        try:
            wire.send(self._sock, message, [*stdio, *fds])
        except BlockingIOError:
            self._kill("it stopped reading")
            raise Unforkable("the game template stopped reading") from None
        except wire.WireError as error:
            raise Unforkable(str(error)) from None
        except OSError as error:
            raise Unforkable(f"the game template is gone ({error})") from None
        answer = asyncio.get_running_loop().create_future()
        self._requests[request] = answer
        try:
            pid = await asyncio.wait_for(asyncio.shield(answer), FORK_TIMEOUT)
        except TimeoutError:
            self._kill(f"no answer to a fork in {FORK_TIMEOUT:g} seconds")
            raise TerminalSpent("the game template did not answer") from None
        finally:
            self._requests.pop(request, None)
        forked = Forked(pid, self)
        self.seats[pid] = forked
        return forked

    def reap(self, forked: Forked) -> None:
        """The server is done with this exited game: the template may reap it now."""
        self.seats.pop(forked.pid, None)
        if self._sock is None:
            return
        try:
            wire.send(self._sock, {"reap": forked.pid})
        except BlockingIOError:
            self._kill("it stopped reading")  # the game is adopted, and reaped as a stray
        except OSError:
            pass

    def _receive(self) -> None:
        if self._sock is None:
            return
        for received in wire.waiting(self._sock, lambda e: self.log.error("game template: %s", e)):
            if received is None:
                self._died()
                return
            message, fds = received
            wire.close_all(fds)
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        if "ready" in message and self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
            seconds = asyncio.get_running_loop().time() - self._born
            self.log.info("game template ready: pid %s, loaded in %.1f s", self.pid, seconds)
        elif "started" in message or "failed" in message:
            answer = self._requests.get(message.get("started", message.get("failed")))
            if answer is None or answer.done():
                return
            if "started" in message:
                answer.set_result(int(message["pid"]))
            else:
                answer.set_exception(Unforkable(f"the template: {message.get('error')}"))
        elif "exited" in message:
            forked = self.seats.get(message["exited"])
            if forked is not None:
                forked.status = int(message["status"])
        elif "log" in message:
            self.log.warning("game template: %s", message["log"])

    def _kill(self, why: str) -> None:
        if self._process is not None and self._process.poll() is None:
            self.log.error("game template pid %s killed: %s", self.pid, why)
            self._process.kill()

    def _died(self) -> None:
        """Its end of the socket closed: it exited or was killed. Its games are adopted; its
        unanswered forks fail; another starts after a pause (unless the server is stopping)."""
        loop = asyncio.get_running_loop()
        if self._sock is not None:
            loop.remove_reader(self._sock)
            self._sock.close()
            self._sock = None
        for answer in self._requests.values():
            if not answer.done():
                answer.set_exception(TerminalSpent("the game template died"))
        for forked in self.seats.values():
            forked.adopt()
        self.seats.clear()
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(OSError("the game template died"))
            self._ready.exception()  # retrieved: nobody may be waiting
        lived = loop.time() - self._born
        if not self._closing:
            self._delay = RESTART_DELAYS[0] if lived >= STEADY else self._delay
            self._schedule_restart()
        if self._process is not None:
            self._reap_process(self._process, lived)

    def _reap_process(self, process: subprocess.Popen[bytes], lived: float) -> None:
        """Reap a template's process once it is gone (it may close its socket first), and say
        so unless the server is stopping."""
        if process.poll() is None:
            asyncio.get_running_loop().call_later(0.05, self._reap_process, process, lived)
            return
        self._unreaped.discard(process.pid)
        if not self._closing:
            self.log.warning(
                "game template pid %s ended (status %s) after %.0f s: games start one by one "
                "until another is ready", process.pid, process.returncode, lived,
            )  # fmt: skip

    def _schedule_restart(self) -> None:
        if self._closing or self._restart is not None:
            return
        delay, self._delay = self._delay, min(self._delay * 2, RESTART_DELAYS[1])
        self._restart = asyncio.get_running_loop().call_later(delay, self._launch)

    def known(self) -> set[int]:
        """Processes of the template's own that a sweep for strays must leave alone."""
        return set(self._unreaped)

    async def close(self, grace: float = 5.0) -> None:
        """The server is stopping (its games already ended): let the template go and reap it."""
        self._closing = True
        if self._restart is not None:
            self._restart.cancel()
            self._restart = None
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock)
            self._sock.close()
            self._sock = None
        process = self._process
        if process is None:
            return
        deadline = asyncio.get_running_loop().time() + grace
        while process.poll() is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        if process.poll() is None:
            process.kill()
            while process.poll() is None:
                await asyncio.sleep(0.02)
        self._unreaped.discard(process.pid)
