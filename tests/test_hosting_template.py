"""Games forked from the game template, with small stand-in programs (seat_programs.py) instead of
the game: a forked game starts as a spawned one would, on its own terminal and session, with
its own environment and the descriptors passed to it; it stays unreaped until the server is
done with it; a template that cannot serve a start never costs the player the game."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import seat_programs
from seat_programs import ENTRY, command

from pizzashop.hosting import wire
from pizzashop.hosting.child import GameProcess
from pizzashop.hosting.forks import READY_WAIT, GameTemplate, Unforkable
from pizzashop.hosting.games import Games
from pizzashop.hosting.launch import Spawned, Spawner, TerminalSpent

T = TypeVar("T")
TESTS = str(Path(seat_programs.__file__).parent)
ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "PYTHONPATH": TESTS,
    "TERM": "xterm-256color",
    "LANG": os.environ.get("LANG", "C.UTF-8"),
}
LOG = logging.getLogger("test-template")


def run(coroutine: Awaitable[T], timeout: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


PLAYER = {**ENV, "PIZZASHOP_PLAYER": "ada"}
"""A game's environment: the template's less what is its own, plus who plays."""


@asynccontextmanager
async def template(program: str) -> AsyncIterator[GameTemplate]:
    """A template whose seats run `program` from seat_programs, ready."""
    forks = GameTemplate({**ENV, "TEMPLATE_ONLY": "1"}, LOG, entry=ENTRY.format(program))
    forks.open()
    try:
        assert await forks.wait_ready(30), "the template got ready"
        yield forks
    finally:
        await forks.close()


class Seat:
    """A game's terminal and what it printed."""

    def __init__(self, starter: Any, env: dict[str, str] | None = None, **options: Any) -> None:
        self.output = bytearray()
        self.closed = asyncio.Event()
        self.game = GameProcess(
            env or ENV, (80, 24), on_output=self.output.extend, on_closed=self.closed.set,
            on_drained=lambda: None, starter=starter, **options,
        )  # fmt: skip

    async def wait_for(self, text: bytes, timeout: float = 20.0) -> None:
        async def poll() -> None:
            while text not in self.output:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(poll(), timeout)

    async def report(self) -> dict[str, Any]:
        await self.wait_for(b"}\r\n")
        line = bytes(self.output).split(b"REPORT ", 1)[1].split(b"\r\n", 1)[0]
        facts: dict[str, Any] = json.loads(line)
        self.game.write(b"\n")
        return facts


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_a_forked_game_starts_as_a_spawned_one_would() -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], int, int]:
        async with template("report") as forks:
            first, second = Seat(forks, PLAYER), Seat(forks, PLAYER)
            forked, again = await first.report(), await second.report()
            spawned = await Seat(Spawner(command("report")), PLAYER).report()
            await asyncio.wait_for(first.closed.wait(), 20)  # it read its line and exited:
            status = await first.game.stop()  # not a hang-up that came first
            await second.game.stop()
            assert first.game.launched is not None
            return forked, again, spawned, status, first.game.launched.how == "forked"

    forked, again, spawned, status, was_forked = run(scenario())
    assert was_forked
    assert status == 0
    for fact in ("handlers", "blocked", "fds", "env", "cwd", "threads"):
        assert forked[fact] == spawned[fact], fact
    assert forked["env"] == PLAYER, "exactly the environment it was given, not the template's"
    assert forked["leads_session"] and forked["controlling_tty"] and forked["foreground"]
    assert forked["stdin_tty"] and forked["stdout_tty"] and forked["stdout_line_buffered"]
    assert forked["fds"] == [0, 1, 2, 3], "its terminal and the listing's own, nothing else"
    assert forked["random"] != again["random"], "each game has its own random numbers"


def test_sizes_keys_and_the_exit_status_reach_through_a_fork() -> None:
    async def sizes() -> bytes:
        async with template("sizes") as forks:
            seat = Seat(forks)
            await seat.wait_for(b"size 80x24")
            seat.game.resize(132, 43)
            await seat.wait_for(b"size 132x43")
            await seat.game.stop()
            return bytes(seat.output)

    async def echo() -> tuple[bytes, int]:
        async with template("echo") as forks:
            seat = Seat(forks)
            seat.game.write(b"pepperoni\n")
            await seat.wait_for(b"got:pepperoni")
            await asyncio.wait_for(seat.closed.wait(), 10)
            return bytes(seat.output), await seat.game.stop()

    assert b"size 132x43" in run(sizes())
    output, status = run(echo())
    assert b"got:pepperoni" in output
    assert status == 3, "the program's own exit status, through the template"


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "spawned"])
def test_passed_descriptors_arrive_at_the_same_numbers(forked: bool) -> None:
    """The next task gives every seat a socket to the server: it must arrive, at its number."""

    async def scenario() -> bytes:
        ours, theirs = socket.socketpair()
        number = theirs.fileno()
        env = {**ENV, "SEAT_FD": str(number)}
        try:
            if forked:
                async with template("write_to_passed") as forks:
                    seat = Seat(forks, env, pass_fds=[number])
                    await asyncio.wait_for(seat.closed.wait(), 20)
                    assert await seat.game.stop() == 0
            else:
                seat = Seat(Spawner(command("write_to_passed")), env, pass_fds=[number])
                await asyncio.wait_for(seat.closed.wait(), 20)
                assert await seat.game.stop() == 0
            ours.settimeout(10)
            return ours.recv(100)
        finally:
            ours.close()
            theirs.close()

    assert run(scenario()).startswith(b"hello from ")


def test_descriptors_below_three_or_twice_are_refused() -> None:
    async def scenario() -> None:
        with pytest.raises(ValueError):
            Seat(Spawner(command("echo")), pass_fds=[2])
        with pytest.raises(ValueError):
            Seat(Spawner(command("echo")), pass_fds=[7, 7])

    run(scenario())


def test_stopping_a_forked_game_ends_its_group_and_reaps_it() -> None:
    async def scenario() -> tuple[int, int, int]:
        async with template("stubborn") as forks:
            seat = Seat(forks)
            await seat.wait_for(b"child:")
            child = int(bytes(seat.output).split(b"child:")[1].split()[0])
            status = await seat.game.stop(grace=0.5)
            assert seat.game.pid is not None
            pid = seat.game.pid
            deadline = time.monotonic() + 10
            while state(pid) != "gone" and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            return pid, child, status

    pid, child, status = run(scenario())
    assert status == -signal.SIGKILL, "SIGKILL to the group after the grace period"
    assert state(pid) == "gone", "reaped by the template once the server was done with it"
    assert state(child) in ("gone", "Z"), "the child left in the group died too"


def test_an_exited_game_stays_unreaped_until_the_server_is_done_with_it() -> None:
    """Until `stop` reaps it, its process id (and its group's) names no other process."""

    async def scenario() -> tuple[str, str]:
        async with template("echo") as forks:
            seat = Seat(forks)
            seat.game.write(b"bye\n")
            await asyncio.wait_for(seat.closed.wait(), 10)
            assert seat.game.pid is not None and seat.game.launched is not None
            while not seat.game.launched.exited():
                await asyncio.sleep(0.02)
            held = state(seat.game.pid)
            await seat.game.stop()
            await asyncio.sleep(0.5)
            return held, state(seat.game.pid)

    held, after = run(scenario())
    assert held == "Z", "exited, reported, and kept as a zombie by the template"
    assert after == "gone"


def test_a_game_the_template_cannot_take_is_spawned() -> None:
    """An environment that differs where Python or Textual read it at startup, or a template
    that is not running: the player still gets a game, spawned."""

    async def scenario() -> list[str]:
        async with template("report") as forks:
            games = Games(LOG, forks, Spawner(command("report")))
            hows = []
            for env in (ENV, {**ENV, "TEXTUAL_ANIMATIONS": "none"}):
                seat = Seat(games, env)
                facts = await seat.report()
                assert facts["env"] == env
                await seat.game.stop()
                assert seat.game.launched is not None
                hows.append(seat.game.launched.how)
        with pytest.raises(Unforkable):
            await forks.start(ENV, 0)
        return hows

    assert run(scenario()) == ["forked", "spawned"]


def test_the_template_refuses_a_request_it_cannot_serve() -> None:
    async def scenario() -> list[dict[str, Any]]:
        ours, theirs = wire.pair()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pizzashop.hosting.template", str(theirs.fileno()),
            str(os.getpid()), ENTRY.format("echo"), env=ENV, pass_fds=(theirs.fileno(),),
        )  # fmt: skip
        theirs.close()
        ours.setblocking(False)
        master, slave = os.openpty()
        answers: list[dict[str, Any]] = []
        try:
            for message, fds in (
                ({"start": 1, "env": ENV, "fds": [2]}, [slave, slave]),
                ({"start": 2, "env": "no", "fds": []}, [slave]),
                ({"start": 3, "env": ENV, "fds": []}, []),
            ):
                wire.send(ours, message, fds)
            while len(answers) < 4:
                try:
                    got = wire.receive(ours)
                except BlockingIOError:
                    await asyncio.sleep(0.05)
                    continue
                assert got is not None, "the template is still there"
                answers.append(got[0])
        finally:
            ours.close()
            os.close(master)
            os.close(slave)
            await process.wait()
        return answers

    answers = run(scenario())
    assert "ready" in answers[0]
    assert [answer.get("failed") for answer in answers[1:]] == [1, 2, 3]
    assert "above 2" in answers[1]["error"] and "no environment" in answers[2]["error"]
    assert "no terminal" in answers[3]["error"]


def test_a_spent_terminal_is_replaced_before_the_game_starts() -> None:
    """A start that failed after the terminal was handed on (the template died meanwhile)
    starts the game again on a new terminal: whoever holds the old one cannot reach it."""

    class SpentOnce:
        def __init__(self) -> None:
            self.spent: int | None = None
            self.spawner = Spawner(command("echo"))

        async def start(self, env: Any, terminal: int, pass_fds: Any = ()) -> Spawned:
            if self.spent is None:
                self.spent = os.dup(terminal)  # as a late fork would hold it
                raise TerminalSpent("the template died")
            return await self.spawner.start(env, terminal, pass_fds)

    async def scenario() -> tuple[bytes, int, bool]:
        starter = SpentOnce()
        seat = Seat(starter)
        while seat.game.pid is None:
            await asyncio.sleep(0.02)
        seat.game.write(b"again\n")
        await seat.wait_for(b"got:again")
        assert starter.spent is not None
        try:
            os.write(starter.spent, b"x")
            hung_up = False
        except OSError:  # EIO: its master side is closed
            hung_up = True
        os.close(starter.spent)
        await asyncio.wait_for(seat.closed.wait(), 20)
        return bytes(seat.output), await seat.game.stop(), hung_up

    output, status, hung_up = run(scenario())
    assert hung_up, "the spent terminal was hung up: whoever holds it reaches nobody"
    assert b"got:again" in output, "the game plays on a new one"
    assert status == 3


def test_strays_are_reaped_and_tracked_games_are_left_alone() -> None:
    """A subreaper inherits orphans nobody tracks: they are reaped; a tracked game that has
    exited stays a zombie until its owner reaps it."""

    async def scenario() -> tuple[list[int], int, str, str, str]:
        games = Games(LOG, None, Spawner(("true",)))
        master, slave = os.openpty()
        tracked = await games.start(ENV, slave)
        os.close(slave)
        os.close(master)
        stray, elsewhere = os.fork(), 0
        if stray == 0:
            os._exit(0)
        elsewhere = os.fork()  # a browser's game that textual-serve spawned and waits for
        if elsewhere == 0:
            os._exit(0)
        games.reaped_elsewhere.add(elsewhere)
        while {state(stray), state(tracked.pid), state(elsewhere)} != {"Z"}:
            await asyncio.sleep(0.02)
        reaped = games.sweep()
        tracked_state, elsewhere_state = state(tracked.pid), state(elsewhere)
        tracked.reap()
        os.waitpid(elsewhere, 0)
        return reaped, stray, tracked_state, state(stray), elsewhere_state

    reaped, stray, tracked_state, stray_state, elsewhere_state = run(scenario())
    assert stray in reaped and stray_state == "gone"
    assert tracked_state == "Z", "the tracked game was not reaped by the sweep"
    assert elsewhere_state == "Z", "nor a child someone else waits for"


def test_the_rehearsal_leaves_nothing_behind(home: Path) -> None:
    """It plays in a folder of its own and leaves no thread, open file or event loop: a
    template with either could not fork safely, or would hand them to every game."""
    from pizzashop.hosting import rehearsal
    from pizzashop.hosting.template import open_fds, threads

    fds, count = set(open_fds()), threads()
    rehearsal.rehearse()
    assert threads() == count, "no thread left running"
    assert set(open_fds()) <= fds, "no descriptor left open"
    assert os.environ["PIZZASHOP_HOME"] == str(home), "the data directory is the player's again"
    assert not home.exists(), "and nothing was written there"


def test_a_failed_rehearsal_costs_speed_not_games(monkeypatch: pytest.MonkeyPatch) -> None:
    from pizzashop.hosting import rehearsal, template

    def fail() -> None:
        raise RuntimeError("the oven is cold")

    monkeypatch.setattr(rehearsal, "rehearse", fail)
    assert template.warm_up() == "RuntimeError: the oven is cold"


def test_with_tables_a_template_still_loading_is_waited_for_once() -> None:
    """A player who comes while the template loads waits for it once (not once for a table and
    again for a fork), then gets a spawned game."""

    async def scenario() -> tuple[str, float]:
        stuck = (sys.executable, "-c", "import time; time.sleep(60)")
        forks = GameTemplate(ENV, LOG, command=stuck)
        games = Games(LOG, forks, Spawner(command("report")), per_process=2)
        forks.open()
        try:
            started = time.monotonic()
            seat = Seat(games, PLAYER)
            await seat.report()
            waited = time.monotonic() - started
            await seat.game.stop()
            assert seat.game.launched is not None
            return seat.game.launched.how, waited
        finally:
            await forks.close(grace=0.1)

    how, waited = run(scenario())
    assert how == "spawned"
    assert READY_WAIT <= waited < 2 * READY_WAIT - 1, waited


def test_waiting_messages_are_read_until_none_is_left_or_the_peer_has_gone() -> None:
    ours, theirs = wire.pair()
    ours.setblocking(False)
    wire.send(theirs, {"n": 1})
    theirs.send(b"not json")
    read, write = os.pipe()
    wire.send(theirs, {"n": 2}, [read])
    os.close(read)
    bad: list[str] = []
    first = list(wire.waiting(ours, lambda error: bad.append(str(error))))
    theirs.close()
    second = list(wire.waiting(ours, bad.append))
    assert [message for message, _ in first if message] == [{"n": 1}, {"n": 2}]
    assert len(first[1][1]) == 1, "the descriptor came with its message"
    wire.close_all(first[1][1])
    os.close(write)
    assert bad and bad[0].startswith("not JSON")
    assert second == [None], "then only the end"
    ours.close()
