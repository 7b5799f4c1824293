"""Several games in one process, each as if it had one of its own: its environment, its
terminal (keys, sizes, hang-ups, a terminal that stops reading) and its failures."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import gc
import os
import struct
import termios
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest

from pizzashop.crashes import CRASHED
from pizzashop.hosting import game_environ
from pizzashop.hosting.probe import FIRST_FRAME_MARK, visible
from pizzashop.ui import tty_driver
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.terminal_game import HUNG_UP, TerminalGame

T = TypeVar("T")


def run(coroutine: Awaitable[T], timeout: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


# ------------------------------------------------------------------ environment


def test_each_game_reads_and_writes_its_own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZASHOP_PLAYER", "the server")
    view = game_environ.GameEnviron(os.environ)
    monkeypatch.setattr(os, "environ", view)

    async def game(name: str, seen: dict[str, object]) -> None:
        await asyncio.sleep(0.01)  # the other game runs meanwhile
        os.environ["SCRATCH"] = name

        async def inner() -> str | None:  # a task the game starts: the same environment
            await asyncio.sleep(0.01)
            return os.getenv("PIZZASHOP_PLAYER")

        seen["inner"] = await asyncio.create_task(inner())
        seen["all"] = dict(os.environ)

    async def table() -> tuple[dict[str, object], dict[str, object]]:
        seen_a: dict[str, object] = {}
        seen_b: dict[str, object] = {}
        tasks = []
        for name, seen in (("ada", seen_a), ("bob", seen_b)):
            context = contextvars.copy_context()
            context.run(game_environ.CURRENT.set, {"PIZZASHOP_PLAYER": name, "TERM": name})
            tasks.append(asyncio.get_running_loop().create_task(game(name, seen), context=context))
        await asyncio.gather(*tasks)
        return seen_a, seen_b

    seen_a, seen_b = run(table())
    assert seen_a["inner"] == "ada" and seen_b["inner"] == "bob"
    assert seen_a["all"] == {"PIZZASHOP_PLAYER": "ada", "TERM": "ada", "SCRATCH": "ada"}
    assert seen_b["all"] == {"PIZZASHOP_PLAYER": "bob", "TERM": "bob", "SCRATCH": "bob"}
    assert os.environ["PIZZASHOP_PLAYER"] == "the server", "outside every game: the process's"
    assert "SCRATCH" not in os.environ


# ------------------------------------------------------------ a game on a pty


def set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class Terminal:
    """The player's side of a game's pty, read by the event loop."""

    def __init__(self, columns: int = 100, rows: int = 30) -> None:
        self.master, self.slave = os.openpty()
        set_size(self.master, columns, rows)
        os.set_blocking(self.master, False)
        self.output = bytearray()
        self.reading = False

    def read(self) -> None:
        self.reading = True
        asyncio.get_running_loop().add_reader(self.master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)
            self.reading = False
        self.output += data

    async def wait_for(self, text: str, since: int = 0, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in visible(bytes(self.output[since:])):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {text!r}: {visible(bytes(self.output))[-300:]!r}")
            await asyncio.sleep(0.02)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        if self.reading:
            asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)


async def started(terminal: Terminal, name: str) -> tuple[TerminalGame, asyncio.Task[int]]:
    game = TerminalGame(terminal.slave, name)
    task = asyncio.create_task(game.play())
    await terminal.wait_for(FIRST_FRAME_MARK)
    return game, task


def test_a_game_plays_on_its_terminal_and_quits_with_it(home: Path) -> None:
    async def play() -> tuple[int, tuple[int, int], bytes]:
        terminal = Terminal(100, 30)
        terminal.read()
        game, task = await started(terminal, "1.1")
        assert game.app is not None
        set_size(terminal.master, 60, 20)
        game.resized()
        for _ in range(100):
            if tuple(game.app.size) == (60, 20):
                break
            await asyncio.sleep(0.02)
        size = tuple(game.app.size)
        terminal.type(b"q")
        status = await task
        for _ in range(100):  # the game closed its side: the master reads the end
            if not terminal.reading:
                break
            await asyncio.sleep(0.02)
        assert not terminal.reading, "the game's terminal closed when it ended"
        terminal.close()
        return status, size, bytes(terminal.output)

    status, size, output = run(play())
    assert status == 0
    assert size == (60, 20), "a resize the host reports reaches the app"
    assert 0 <= output.find(b"\x1b[?1049h") < output.rfind(b"\x1b[?1049l"), (
        "the alternate screen entered, and left at the end"
    )
    assert output.count(b"\x1b[?1000l") == 1, "mouse reporting turned off, once"


def test_a_hang_up_ends_the_game_as_sighup_would(home: Path) -> None:
    async def play() -> int:
        terminal = Terminal()
        terminal.read()
        _, task = await started(terminal, "1.2")
        terminal.close()  # the player's side is gone
        return await asyncio.wait_for(task, 10)

    assert run(play()) == HUNG_UP


def test_a_terminal_that_stops_reading_never_holds_up_the_loop(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody reads the game's terminal: its output waits in a bounded buffer, never blocking
    the event loop the other games share; past the bound the game ends as a hang-up."""
    monkeypatch.setattr(tty_driver, "OUTPUT_LIMIT", 256 * 1024)

    async def play() -> tuple[int, float]:
        terminal = Terminal(200, 60)  # never read
        game = TerminalGame(terminal.slave, "1.3")
        task = asyncio.create_task(game.play())
        worst, last = 0.0, time.monotonic()
        while not task.done() and time.monotonic() - last < 30:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            worst, last = max(worst, now - last), now
            if game.app is not None and game.app.is_running:
                game.app.refresh(repaint=True)  # a frame of the whole screen, again and again
        status = await asyncio.wait_for(task, 10)
        terminal.close()
        return status, worst

    status, worst = run(play())
    assert status == HUNG_UP, "past the bound, the game ended"
    assert worst < 2.0, f"the loop was held up {worst:.2f} s (a blocking write never returns)"


CRASH = RuntimeError("the oven caught fire")


def test_a_game_that_fails_ends_alone_with_its_own_report(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quit_ = PizzaShopApp.action_quit

    async def fail(self: PizzaShopApp) -> None:
        if getattr(self, "doomed", False):
            raise CRASH
        await quit_(self)

    monkeypatch.setattr(PizzaShopApp, "action_quit", fail)

    async def play() -> tuple[int, int, bytes, bytes]:
        doomed, fine = Terminal(), Terminal()
        doomed.read()
        fine.read()
        doomed_game, doomed_task = await started(doomed, "7.1")
        fine_game, fine_task = await started(fine, "7.2")
        assert doomed_game.app is not None and fine_game.app is not None
        doomed_game.app.doomed = True  # type: ignore[attr-defined]
        doomed.type(b"q")
        crashed = await asyncio.wait_for(doomed_task, 10)
        await doomed.wait_for(CRASHED)
        assert not fine_task.done(), "the other game plays on"
        mark = len(fine.output)
        fine.type(b"?")  # help: the other game still answers keys
        await fine.wait_for("esc close", since=mark)
        fine.type(b"\x1b")
        await asyncio.sleep(0.3)
        fine.type(b"q")
        ended = await asyncio.wait_for(fine_task, 10)
        doomed.close()
        fine.close()
        return crashed, ended, bytes(doomed.output), bytes(fine.output)

    crashed, ended, doomed_output, fine_output = run(play())
    assert crashed == 1 and ended == 0
    assert b"Traceback" not in doomed_output and b"caught fire" not in doomed_output
    assert CRASHED.encode() not in fine_output
    (report,) = (home / "crashes").glob("*-7.1.txt")
    assert "RuntimeError: the oven caught fire" in report.read_text()
    assert not list((home / "crashes").glob("*-7.2.txt"))


def test_a_flood_of_input_never_holds_up_the_loop(home: Path) -> None:
    """A player pastes or floods keys: their game takes them a batch at a time, and the other
    games sharing the loop still get their turns."""

    async def play() -> tuple[float, int]:
        terminal = Terminal()
        terminal.read()
        game, task = await started(terminal, "1.4")
        # CPU time between two turns of this loop, not wall time: a busy host may hold the whole
        # process back, but only a game that does not yield runs between them. Without the
        # collector, whose pauses over the earlier tests' garbage would count too.
        sent, worst, last = 0, 0.0, time.thread_time()
        until = time.monotonic() + 3
        gc.disable()
        try:
            while time.monotonic() < until:
                with contextlib.suppress(BlockingIOError):
                    sent += os.write(terminal.master, b"x" * 4096)
                await asyncio.sleep(0.005)
                now = time.thread_time()
                worst, last = max(worst, now - last), now
        finally:
            gc.enable()
        game.hang_up()
        await asyncio.wait_for(task, 20)
        terminal.close()
        return worst, sent

    worst, sent = run(play())
    assert sent > 20_000, "the flood reached the game"
    assert worst < 0.1, f"the loop was held up for {worst:.2f} s of CPU"


def test_a_flood_of_resizes_is_coalesced(home: Path) -> None:
    async def play() -> tuple[int, tuple[int, int]]:
        terminal = Terminal(100, 30)
        terminal.read()
        game, task = await started(terminal, "1.5")
        assert game.driver is not None and game.app is not None
        sent = 0
        send = game.driver.send_message

        def counting(message: object) -> None:
            nonlocal sent
            sent += type(message).__name__ == "Resize"
            send(message)  # type: ignore[arg-type]

        game.driver.send_message = counting  # type: ignore[method-assign]
        until = time.monotonic() + 1
        while time.monotonic() < until:
            set_size(terminal.master, 80 + sent % 40, 24 + sent % 10)
            game.resized()
            await asyncio.sleep(0.002)
        set_size(terminal.master, 90, 25)
        game.resized()
        for _ in range(100):
            if tuple(game.app.size) == (90, 25):
                break
            await asyncio.sleep(0.02)
        size = tuple(game.app.size)
        game.hang_up()
        await asyncio.wait_for(task, 20)
        terminal.close()
        return sent, size

    sent, size = run(play())
    assert 1 <= sent <= 6, f"{sent} resizes in a second"
    assert size == (90, 25), "the last size reached the app"


def test_a_game_cancelled_by_its_table_lets_go_of_its_terminal(home: Path) -> None:
    """A table kills a game that did not end when told by cancelling it: its terminal closes,
    and the next game (on a terminal that may take the same descriptor number) plays."""

    async def play() -> tuple[bool, int]:
        first = Terminal()
        first.read()
        _, task = await started(first, "1.6")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for _ in range(100):
            if not first.reading:
                break
            await asyncio.sleep(0.02)
        closed = not first.reading
        first.close()
        second = Terminal()
        second.read()
        _, task = await started(second, "1.7")
        second.type(b"q")
        status = await asyncio.wait_for(task, 10)
        second.close()
        return closed, status

    closed, status = run(play())
    assert closed, "the cancelled game's terminal closed"
    assert status == 0
