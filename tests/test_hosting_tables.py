"""`serve ssh --games-per-process N`: games seated at tables of N, one process each, and every
seat still its own: its player, terminal and size; a crash, a dropped connection or a stalled
client ends or stalls only its own game; a killed table ends only its own games; a table its
last player left is let go and reaped."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

import pyte
import pytest
from helpers import eventually, invoke, rejected

from pizzashop.crashes import CRASHED
from pizzashop.hosting.probe import FIRST_FRAME_MARK, HostedServer, Player, children

T = TypeVar("T")
CTRL_C = b"\x03"
TABLE_REPORTER = """
import json, os
if os.environ.get("PIZZASHOP_HOSTED"):  # the template and its tables, not the server
    from pizzashop.paths import data_dir
    from pizzashop.ui import terminal_game

    play = terminal_game.TerminalGame.play

    async def reporting(self):
        seen = data_dir() / "seen"
        seen.mkdir(exist_ok=True)
        (seen / f"{self.name}.json").write_text(json.dumps(dict(os.environ)))
        return await play(self)

    terminal_game.TerminalGame.play = reporting
"""
ADA_CRASHES = """
import os
if os.environ.get("PIZZASHOP_HOSTED"):
    from pizzashop.ui.app import PizzaShopApp

    quit_ = PizzaShopApp.action_quit

    async def fail(self):
        if os.environ.get("PIZZASHOP_PLAYER") == "ada":  # her game's environment, not bob's
            raise RuntimeError("the oven caught fire")
        await quit_(self)

    PizzaShopApp.action_quit = fail
"""


def run(coroutine: Awaitable[T], timeout: float = 90.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def serving(home: Path, site: str, per_process: int = 2) -> HostedServer:
    (home / "site").mkdir(parents=True)
    (home / "site" / "sitecustomize.py").write_text(site)
    env = {"PYTHONPATH": str(home / "site")}
    options = ("--games-per-process", str(per_process), "--max-sessions", "6")
    return HostedServer(home / "home", *options, env=env)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedServer]:
    with serving(tmp_path_factory.mktemp("tables"), TABLE_REPORTER) as hosted:
        yield hosted
        assert eventually(lambda: not hosted.tables()), "every table let go"


def seated(server: HostedServer) -> dict[str, str]:
    """Each player's game name at a table (`PID.N`), from the server's log."""
    return dict(re.findall(r"player '(\w+)' .*? seated as game ([\d.]+) ", server.log_text()))


async def help_opens(player: Player) -> bool:
    """The game still answers keys: `?` opens its help, Escape closes it."""
    mark = len(player.output)
    player.type(b"?")
    await player.wait_for("esc close", since=mark, timeout=10)
    player.type(b"\x1b")
    await asyncio.sleep(0.3)
    return True


def test_players_share_tables_each_with_their_own_game(server: HostedServer) -> None:
    async def play() -> tuple[list[int], list[int], list[str], list[int | None]]:
        async with (
            Player(server.port, "ada") as ada,
            Player(server.port, "bob", size=(100, 30)) as bob,
            Player(server.port, "cy") as cy,
        ):
            for player in (ada, bob, cy):
                await player.first_frame()
            tables, games = server.tables(), server.games()
            mark = len(bob.output)
            bob.resize(60, 20)
            await bob.wait_for(FIRST_FRAME_MARK, since=mark)
            await asyncio.sleep(0.5)
            screen = pyte.Screen(60, 20)
            pyte.ByteStream(screen).feed(bytes(bob.output[mark:]))
            for player in (ada, bob, cy):
                player.type(CTRL_C)
            statuses = [await player.exit_status() for player in (ada, bob, cy)]
            return tables, games, list(screen.display), statuses

    tables, games, after, statuses = run(play())
    assert len(tables) == 2 and games == [], "three games at two tables of two, no game process"
    assert statuses == [0, 0, 0]
    assert after[19].strip() and any(FIRST_FRAME_MARK in line for line in after), (
        "bob's resize reached his game: redrawn for 60×20"
    )
    names = seated(server)
    assert {int(name.split(".")[0]) for name in names.values()} == set(tables)
    for player in ("ada", "bob", "cy"):
        env = json.loads((server.home / "seen" / f"{names[player]}.json").read_text())
        assert env["PIZZASHOP_PLAYER"] == player, "each game reads its own player"
        assert env["TERM"] == "xterm-256color" and env["PIZZASHOP_HOSTED"] == "1"
    assert eventually(lambda: not server.tables()), "a table its players left is let go"
    (template,) = server.templates()
    assert eventually(lambda: not children(template)), "and reaped"


def test_a_dropped_player_leaves_the_others_at_the_table_playing(server: HostedServer) -> None:
    async def play() -> tuple[list[int], list[int], int | None]:
        async with Player(server.port, "dora") as dora, Player(server.port, "eli") as eli:
            await dora.first_frame()
            await eli.first_frame()
            before = server.tables()
            dora.abort()
            assert await help_opens(eli)
            during = server.tables()
            eli.type(CTRL_C)
            return before, during, await eli.exit_status()

    before, during, status = run(play())
    assert len(before) == 1 and during == before, "the table stays for eli"
    assert status == 0
    assert eventually(
        lambda: re.search(r"player 'dora' pid \d+: disconnected, status 129", server.log_text())
        is not None
    )
    assert eventually(lambda: not server.tables())


def test_a_stalled_client_never_stalls_the_others_at_its_table(server: HostedServer) -> None:
    """fay's client stops reading in a shift at 8× (a 1 KiB window): her game's output backs
    up, and gus, at the same table, is answered as quickly as ever."""

    async def play() -> tuple[int, list[float]]:
        async with (
            Player(server.port, "fay", window=1024) as fay,
            Player(server.port, "gus") as gus,
        ):
            await fay.first_frame()
            await gus.first_frame()
            tables = server.tables()
            for key, shows in ((b"\r", "start the shift"), (b"\r", "▶ 1×"), (b"4", "▶ 8×")):
                mark = len(fay.output)
                fay.type(key)
                await fay.wait_for(shows, since=mark)
            fay.stall()
            delays = []
            until = time.monotonic() + 8
            while time.monotonic() < until:
                started = time.monotonic()
                await help_opens(gus)
                delays.append(time.monotonic() - started - 0.3)
            gus.type(CTRL_C)
            assert await gus.exit_status() == 0
            return len(tables), delays

    tables, delays = run(play())
    assert tables == 1
    assert len(delays) >= 4 and max(delays) < 2.0, delays


def test_a_crash_at_a_table_ends_only_its_own_game(tmp_path: Path) -> None:
    async def play(server: HostedServer) -> tuple[int | None, str, int | None]:
        async with Player(server.port, "ada") as ada, Player(server.port, "bob") as bob:
            await ada.first_frame()
            await bob.first_frame()
            ada.type(b"q")
            await ada.wait_for(CRASHED)
            ada_status = await ada.exit_status()
            assert await help_opens(bob), "bob plays on"
            bob.type(b"q")
            return ada_status, ada.text, await bob.exit_status()

    with serving(tmp_path, ADA_CRASHES) as server:
        ada_status, text, bob_status = run(play(server))
        assert eventually(lambda: ": crashed (report" in server.log_text())
        log = server.log_text()
        names = seated(server)
    assert ada_status == 1 and bob_status == 0
    assert names["ada"].split(".")[0] == names["bob"].split(".")[0], "at one table"
    assert "Traceback" not in text and "caught fire" not in text
    (report,) = (tmp_path / "home" / "crashes").glob(f"*-{names['ada']}.txt")
    assert "RuntimeError: the oven caught fire" in report.read_text()
    assert f"player 'ada' pid {names['ada'].split('.')[0]}: crashed (report {report})" in log
    assert "player 'bob'" in log and not re.search(r"player 'bob' [^\n]*crashed", log)


def test_a_killed_table_ends_its_games_and_the_next_player_gets_a_new_one(
    tmp_path: Path,
) -> None:
    async def play(server: HostedServer) -> tuple[list[int | None], int, int | None]:
        async with Player(server.port, "ann") as ann, Player(server.port, "ben") as ben:
            await ann.first_frame()
            await ben.first_frame()
            (table,) = server.tables()
            os.kill(table, signal.SIGKILL)
            for player in (ann, ben):
                await player.wait_for(CRASHED)
            statuses = [await player.exit_status() for player in (ann, ben)]
        async with Player(server.port, "cat") as cat:
            await cat.first_frame()
            (new_table,) = server.tables()
            cat.type(CTRL_C)
            return statuses, table if new_table != table else -1, await cat.exit_status()

    with serving(tmp_path, "") as server:
        statuses, table, status = run(play(server))
        assert eventually(lambda: len(re.findall(r"crashed, status 137", server.log_text())) == 2)
    assert statuses == [128 + signal.SIGKILL] * 2
    assert table > 0, "a new table for the next player"
    assert status == 0


def test_games_per_process_is_checked() -> None:
    rejected(invoke("serve", "ssh", "--games-per-process", "0"), "--games-per-process")
    rejected(invoke("serve", "ssh", "--games-per-process", "17"), "1 to 16")
