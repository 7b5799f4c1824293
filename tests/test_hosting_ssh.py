"""The SSH server with real asyncssh clients on loopback: every session is its own game on its own
terminal; keys, resizes and hang-ups reach it; limits hold; nothing but a terminal is offered."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncssh
import pyte
import pytest
from helpers import environ, eventually, reporting

from pizzashop.crashes import CRASHED
from pizzashop.hosting.probe import (
    FIRST_FRAME_MARK,
    HostedServer,
    Player,
    connect,
    terminal_size,
)

T = TypeVar("T")
CTRL_C = b"\x03"


def run(coroutine: Awaitable[T], timeout: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def gone(pid: int) -> bool:
    """Exited and reaped: no /proc entry, not even a zombie."""
    return not Path(f"/proc/{pid}").exists()


def logged(server: HostedServer, pattern: str) -> bool:
    return re.search(pattern, server.log_text()) is not None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedServer]:
    """One server for the tests that need no special limits (the cap is not reached here),
    started from an instructor's SSH login with a class leaderboard of its own."""
    home = tmp_path_factory.mktemp("ssh")
    options = ("--max-sessions", "4", "--leaderboard", str(home / "class.sqlite3"))
    login = {"SSH_AUTH_SOCK": "/tmp/instructors-agent", "COLUMNS": "7"}
    login.update(reporting(tmp_path_factory.mktemp("site")))
    with HostedServer(home, *options, env=login) as hosted:
        yield hosted
    assert not hosted.games()


def test_a_session_is_a_game_on_its_own_terminal(server: HostedServer) -> None:
    async def play() -> tuple[int | None, list[int], dict[str, str], list[str], bytes]:
        async with Player(server.port, "ada <lovelace>!") as player:
            await player.first_frame()
            games = server.games()
            env = environ(server, games[0])
            stat = Path(f"/proc/{games[0]}/stat").read_text().rsplit(")", 1)[1].split()
            player.type(CTRL_C)
            return await player.exit_status(), games, env, stat, bytes(player.output)

    status, games, env, stat, output = run(play())
    assert status == 0, "Ctrl+C reached the game, which quit cleanly"
    assert b"38;2;" in output, "drawn in true colour (24-bit foreground colours)"
    assert len(games) == 1
    pid = games[0]
    session, tty, foreground = int(stat[3]), int(stat[4]), int(stat[5])
    assert session == pid and tty != 0 and foreground == pid, "leads its session, owns the pty"
    assert env["PIZZASHOP_PLAYER"] == "ada lovelace", "the SSH user name, cleaned"
    assert env["PIZZASHOP_HOSTED"] == "1"
    assert env["COLORTERM"] == "truecolor"
    assert env["TERM"] == "xterm-256color"
    assert env["PIZZASHOP_LEADERBOARD"] == str(server.home / "class.sqlite3"), "the shared board"
    assert "SSH_AUTH_SOCK" not in env and "COLUMNS" not in env, "not the instructor's session"
    assert eventually(lambda: gone(pid))
    assert "player 'ada lovelace'" in server.log_text()


def test_the_window_size_and_every_resize_reach_the_game(server: HostedServer) -> None:
    async def play() -> tuple[list[str], list[str], tuple[int, int], tuple[int, int]]:
        async with Player(server.port, "grace", size=(100, 30)) as player:
            await player.first_frame()
            (game,) = server.games()
            size_before = terminal_size(game)
            await asyncio.sleep(0.5)
            before = _screen(bytes(player.output), 100, 30)
            mark = len(player.output)
            player.resize(60, 20)
            await player.wait_for(FIRST_FRAME_MARK, since=mark)
            await asyncio.sleep(0.5)
            after = _screen(bytes(player.output[mark:]), 60, 20)
            size_after = terminal_size(game)
            player.type(CTRL_C)
            await player.exit_status()
            return before, after, size_before, size_after

    before, after, size_before, size_after = run(play())
    assert (size_before, size_after) == ((100, 30), (60, 20)), "the game's pty has each size"
    assert before[29].strip(), "the footer is drawn on row 30 of a 100×30 terminal"
    assert after[19].strip(), "after the resize, the whole screen is redrawn for 60×20"
    assert any(FIRST_FRAME_MARK in line for line in after)
    assert max(len(line.rstrip()) for line in before) > 60


def _screen(data: bytes, columns: int, rows: int) -> list[str]:
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(data)
    return list(screen.display)


def test_a_dropped_connection_ends_the_game_and_its_group(server: HostedServer) -> None:
    async def play() -> int:
        async with Player(server.port, "linus") as player:
            await player.first_frame()
            (pid,) = server.games()
            player.abort()
            return pid

    pid = run(play())
    assert eventually(lambda: gone(pid)), "the game was killed and reaped"
    assert eventually(lambda: not server.games())
    assert "linus" in server.log_text() and "disconnected" in server.log_text()


def test_a_session_that_drops_while_the_game_starts_leaves_nothing(server: HostedServer) -> None:
    async def connect_and_leave() -> None:
        async with Player(server.port, "hasty"):
            pass

    for _ in range(3):
        run(connect_and_leave())
    assert eventually(lambda: not server.games())


def test_exec_sftp_forwarding_and_a_second_session_are_refused(server: HostedServer) -> None:
    attempts: dict[str, Callable[[asyncssh.SSHClientConnection], Awaitable[object]]] = {
        "exec": lambda conn: conn.run("id", check=True),
        "sftp": lambda conn: conn.start_sftp_client(),
        "subsystem": lambda conn: conn.create_process(subsystem="anything"),
        "direct-tcpip": lambda conn: conn.open_connection("127.0.0.1", server.port),
        "remote forward": lambda conn: conn.forward_remote_port("127.0.0.1", 0, "x", 1),
        "second session": lambda conn: conn.create_process(term_type="xterm"),
    }

    async def refused(name: str) -> bool:
        async with asyncssh.connect(
            "127.0.0.1", server.port, username="mallory", known_hosts=None,
            client_keys=None, agent_path=None, config=None,
        ) as conn:  # fmt: skip
            if name == "second session":
                await conn.create_process(term_type="xterm")
            try:
                await attempts[name](conn)
            except (asyncssh.Error, asyncssh.ChannelListenError, OSError):
                return True
            return False

    outcome = {name: run(refused(name)) for name in attempts}
    assert outcome == dict.fromkeys(attempts, True), outcome
    assert eventually(lambda: not server.games())
    log = server.log_text()
    assert "refused exec 'id'" in log and "refused subsystem 'sftp'" in log
    assert "a second session" in log


def test_a_session_without_a_terminal_is_told_to_ask_for_one(server: HostedServer) -> None:
    async def attempt() -> tuple[str, int | None]:
        async with asyncssh.connect(
            "127.0.0.1", server.port, username="pipe", known_hosts=None,
            client_keys=None, agent_path=None, config=None,
        ) as conn:  # fmt: skip
            result = await conn.run(term_type=None, check=False)
            return str(result.stdout), result.exit_status

    text, status = run(attempt())
    assert "needs a terminal" in text and status == 1


def test_garbage_does_not_hurt_the_server(server: HostedServer) -> None:
    payloads = [
        os.urandom(4096),
        b"SSH-2.0-garbage\r\n" + os.urandom(4096),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x00" * 70000,
        b"SSH-2.0-" + b"x" * 300 + b"\r\n",
    ]
    for payload in payloads:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.settimeout(5)
            try:
                sock.sendall(payload)
                while sock.recv(65536):
                    pass
            except OSError:
                pass  # a reset is a fine answer to garbage

    async def odd_player() -> int | None:
        """Odd but valid SSH: a huge name, a hostile TERM, a 0×0 and a huge window, binary keys."""
        async with asyncssh.connect(
            "127.0.0.1", server.port, username="$(reboot)" + "é" * 400,
            known_hosts=None, client_keys=None, agent_path=None, config=None,
        ) as conn:  # fmt: skip
            process = await conn.create_process(
                term_type="xterm\x1b[2J;rm -rf", term_size=(0, 0), encoding=None
            )
            process.change_terminal_size(100000, 100000)
            process.stdin.write(bytes(byte | 0x80 for byte in os.urandom(2048)))
            process.stdin.write(b"\x1b[999;999R\x1b[<0;5000;5000M\x1b]52;c;AAAA\x07\x1b[200~")
            process.change_terminal_size(80, 24)
            await asyncio.sleep(1.0)
            process.stdin.write(CTRL_C * 3)
            await asyncio.wait_for(process.wait_closed(), 20)
            return process.exit_status

    run(odd_player())

    async def normal_player() -> float:
        async with Player(server.port, "after") as player:
            seconds = await player.first_frame()
            player.type(CTRL_C)
            await player.exit_status()
            return seconds

    assert run(normal_player()) > 0, "the server still serves games"
    assert server.process is not None and server.process.poll() is None
    assert "Traceback" not in server.log_text()
    assert "\x1b" not in server.log_text(), "no escape from a client reaches the log"


def test_the_session_cap_refuses_politely_and_frees_places(tmp_path: Path) -> None:
    async def crowd(server: HostedServer) -> tuple[str, int | None, float]:
        async with Player(server.port, "one") as first, Player(server.port, "two") as second:
            await first.first_frame()
            await second.first_frame()
            async with Player(server.port, "three") as third:
                await third.wait_for("full")
                refusal, status = third.text, await third.exit_status()
            first.type(CTRL_C)
            await first.exit_status()
        async with Player(server.port, "four") as fourth:
            seconds = await fourth.first_frame()
            fourth.type(CTRL_C)
            await fourth.exit_status()
        return refusal, status, seconds

    with HostedServer(tmp_path, "--max-sessions", "2") as server:
        refusal, status, seconds = run(crowd(server))
        assert "The pizza shop is full (2 players at most)" in refusal
        assert status == 1
        assert seconds > 0, "a place freed up and the next player got a game"
        assert "server full" in server.log_text()
        assert eventually(lambda: not server.games())


def test_an_idle_session_is_closed_and_its_game_ended(tmp_path: Path) -> None:
    async def idle(server: HostedServer) -> tuple[list[int], str, int | None]:
        async with Player(server.port, "sleepy") as player:
            while not server.games():
                await asyncio.sleep(0.05)
            games = server.games()
            await player.wait_for("without a key press", timeout=30)
            return games, player.text, await player.exit_status()

    with HostedServer(tmp_path, "--idle-timeout", "3") as server:
        games, text, status = run(idle(server))
        assert "Closed after 3 seconds without a key press" in text
        assert status is not None and status != 0
        assert len(games) == 1 and eventually(lambda: gone(games[0]))
        assert ": idle" in server.log_text()


def test_connections_beyond_the_rate_limit_are_refused(tmp_path: Path) -> None:
    async def knock(server: HostedServer) -> list[bool]:
        accepted = []
        for _ in range(3):
            try:
                async with asyncssh.connect(
                    "127.0.0.1", server.port, username="knock", known_hosts=None,
                    client_keys=None, agent_path=None, config=None,
                ):  # fmt: skip
                    accepted.append(True)
            except (asyncssh.Error, OSError):
                accepted.append(False)
        return accepted

    with HostedServer(tmp_path, "--rate-limit", "2") as server:
        assert run(knock(server)) == [True, True, False]
        assert "more than 2 connections a minute from 127.0.0.1" in server.log_text()


def test_with_a_keys_file_each_key_plays_under_its_own_name(tmp_path: Path) -> None:
    ada, bob, stranger = (asyncssh.generate_private_key("ssh-ed25519") for _ in range(3))
    keys = tmp_path / "keys"
    keys.write_bytes(
        b"# the class\nada " + ada.export_public_key() + b"Bob Builder " + bob.export_public_key()
    )
    (tmp_path / "home" / "players" / "ada").mkdir(parents=True)  # from an older pizzashop

    async def plays_as(server: HostedServer, key: asyncssh.SSHKey | None, asks: str) -> str | None:
        try:
            async with Player(server.port, asks, key=key) as player:
                await player.first_frame()
                (game,) = server.games()
                name = environ(server, game)["PIZZASHOP_PLAYER"]
                player.type(CTRL_C)
                await player.exit_status()
                return name
        except asyncssh.PermissionDenied:
            return None

    site = reporting(tmp_path / "site")
    with HostedServer(tmp_path / "home", "--authorized-keys", str(keys), env=site) as server:
        assert run(plays_as(server, ada, "bob")) == "ada", "the key's name, not the one asked for"
        assert run(plays_as(server, bob, "ada")) == "Bob Builder"
        assert run(plays_as(server, stranger, "ada")) is None
        assert run(plays_as(server, None, "ada")) is None
        assert eventually(lambda: not server.games())
        log = server.log_text()
    assert f"{ada.get_fingerprint()} plays as 'ada' (asked for 'bob')" in log
    assert f"{bob.get_fingerprint()} plays as 'Bob Builder' (asked for 'ada')" in log
    assert f"no key from the keys file ({stranger.get_fingerprint()})" in log
    assert f"keys from {keys} (2)" in log
    assert "players/ in the data directory holds 1 folder(s) from an older pizzashop" in log


def test_the_host_key_is_made_once_and_kept(tmp_path: Path) -> None:
    async def fingerprint(server: HostedServer) -> str:
        async with asyncssh.connect(
            "127.0.0.1", server.port, username="k", known_hosts=None,
            client_keys=None, agent_path=None, config=None,
        ) as conn:  # fmt: skip
            key = conn.get_server_host_key()
            assert key is not None
            return str(key.get_fingerprint())

    with HostedServer(tmp_path) as server:
        first = run(fingerprint(server))
    key_file = tmp_path / "ssh_host_ed25519_key"
    assert key_file.stat().st_mode & 0o077 == 0, "readable by its owner only"
    with HostedServer(tmp_path) as server:
        assert run(fingerprint(server)) == first


def test_stopping_the_server_ends_every_game_and_says_so(tmp_path: Path) -> None:
    async def playing(server: HostedServer) -> tuple[list[int], int | None]:
        async with Player(server.port, "a") as first, Player(server.port, "b") as second:
            await first.first_frame()
            await second.first_frame()
            games = server.games()
            status = server.stop()
            await first.wait_for("The server is stopping")
            await second.wait_for("The server is stopping")
            return games, status

    with HostedServer(tmp_path) as server:
        games, status = run(playing(server))
    assert status == 0
    assert len(games) == 2
    assert all(gone(pid) for pid in games)


def test_a_killed_server_leaves_no_game_behind(tmp_path: Path) -> None:
    """The pty's hang-up reaches each game even when the server gets no chance to clean up."""

    async def playing(server: HostedServer) -> list[int]:
        async with Player(server.port, "a") as player:
            await player.first_frame()
            games = server.games()
            assert server.process is not None
            server.process.kill()
            server.process.wait()
            return games

    with HostedServer(tmp_path) as server:
        assert eventually(lambda: "game template ready" in server.log_text(), timeout=60)
        (template,) = server.templates()
        (pid,) = run(playing(server))
        assert eventually(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid))
        assert eventually(lambda: not Path(f"/proc/{template}").exists() or _zombie(template)), (
            "the game template died with its server (the kernel's parent-death signal)"
        )


def test_a_template_that_dies_costs_no_game(tmp_path: Path) -> None:
    """Its games play on (the server adopts them), a player who joins meanwhile gets a game
    spawned the slow way, and another template takes its place."""

    async def play(server: HostedServer) -> None:
        async with Player(server.port, "before") as before:
            await before.first_frame(timeout=60)
            (template,) = server.templates()
            os.kill(template, signal.SIGKILL)
            while not logged(server, r"game template pid \d+ ended"):
                await asyncio.sleep(0.05)
            async with Player(server.port, "during") as during:
                await during.first_frame(timeout=60)
                during.type(CTRL_C)
                assert await during.exit_status() == 0
            mark = len(before.output)
            before.type(b"\x1b[B")  # the adopted game still reads its keys and draws
            await before.wait_for("Lunch rush", since=mark)
            before.type(CTRL_C)
            assert await before.exit_status() == 0
        while server.log_text().count("game template ready") < 2:
            await asyncio.sleep(0.1)
        async with Player(server.port, "after") as after:
            await after.first_frame(timeout=60)
            after.type(CTRL_C)
            assert await after.exit_status() == 0

    with HostedServer(tmp_path) as server:
        run(play(server), timeout=120)
        started = server.started()
        assert eventually(lambda: not server.games())
        log = server.log_text()
    assert started["before"][1] == "forked"
    assert started["during"][1] == "spawned", "no template: the game was spawned"
    assert started["after"][1] == "forked", "forked again from the new template"
    assert re.search(r"player 'before' pid \d+: quit, status 0", log), "adopted, reaped, logged"
    assert "Traceback" not in log


def _zombie(pid: int) -> bool:
    """A child of a dead server is reparented and reaped by init; until then it is a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_keys_that_are_not_utf8_do_not_end_the_game(server: HostedServer) -> None:
    """A Latin-1 terminal's "é" (0xE9), broken sequences and 8-bit Meta keys."""

    async def play() -> tuple[int | None, str]:
        async with Player(server.port, "zoé") as player:
            await player.first_frame()
            player.type(b"Zo\xe9 \xe9t\xe9 \xff\xfe \xc3( \xe2\x82")
            player.type(bytes(range(0x80, 0x100)))
            player.type(CTRL_C)
            return await player.exit_status(), player.text

    status, text = run(play())
    assert "Traceback" not in text and "UnicodeDecodeError" not in text and CRASHED not in text
    assert status == 0, "Ctrl+C after the bytes still quit cleanly"
    assert eventually(lambda: logged(server, r"player 'zoé' pid \d+: quit, status 0"))


def test_a_client_that_sends_eof_is_closed_not_left_hanging(server: HostedServer) -> None:
    async def play() -> tuple[list[int], int | None]:
        async with Player(server.port, "eof") as player:
            await player.first_frame()
            games = server.games()
            player.end_input()
            return games, await player.exit_status(timeout=20)

    games, status = run(play())
    assert status is not None, "the server sent an exit status and closed the channel"
    assert len(games) == 1 and eventually(lambda: gone(games[0]))
    assert eventually(lambda: logged(server, r"player 'eof' pid \d+: eof, status"))


def test_a_connection_without_a_game_is_closed(server: HostedServer) -> None:
    """Authenticated and idle, a finished game's connection kept open, a TCP connection that
    never speaks SSH: none is held for more than about ten seconds."""

    async def hold() -> tuple[bytes, float]:
        started = asyncio.get_running_loop().time()
        idle = await connect(server.port, "idle")
        raw, _ = await asyncio.open_connection("127.0.0.1", server.port)
        async with Player(server.port, "done") as player:
            await player.first_frame()
            player.type(CTRL_C)
            assert await player.exit_status() == 0
            await asyncio.wait_for(idle.wait_closed(), 20)
            await player.disconnected(timeout=20)
            silent = await asyncio.wait_for(raw.read(), 20)
        return silent, asyncio.get_running_loop().time() - started

    banner, seconds = run(hold())
    assert banner.startswith(b"SSH-2.0-pizzashop"), "all it ever got was the server's banner"
    assert seconds < 30
    assert server.log_text().count("no game for 10 seconds") >= 2


def test_open_connections_are_capped_per_address_and_in_all(tmp_path: Path) -> None:
    """Each 127.0.0.x is a client of its own; a refused connection is closed at once. Every
    connection here plays (one without a game would be closed after 10 seconds)."""

    async def crowd(server: HostedServer) -> list[bool]:
        async with contextlib.AsyncExitStack() as held:

            async def attempt(source: str) -> bool:
                player = Player(server.port, "crowd", source=source)
                try:
                    await player.__aenter__()
                except (asyncssh.Error, OSError):
                    return False
                held.push_async_exit(player.__aexit__)
                return True

            outcome = [await attempt(source) for source in ("127.0.0.1",) * 3]
            outcome += [await attempt("127.0.0.2"), await attempt("127.0.0.3")]
            await held.aclose()  # all leave
            deadline = asyncio.get_running_loop().time() + 20
            while not await attempt("127.0.0.3"):  # the server counts them out
                assert asyncio.get_running_loop().time() < deadline, "no place freed up"
            return outcome

    options = ("--max-per-address", "2", "--max-connections", "3")
    with HostedServer(tmp_path, *options) as server:
        assert run(crowd(server)) == [True, True, False, True, False]
        assert eventually(lambda: not server.games())
        log = server.log_text()
    assert "refused 127.0.0.1:" in log and "2 connections open from 127.0.0.1" in log
    assert "3 connections open in all" in log
    assert "3 connections (2 per address)" in log


def test_a_flood_on_a_host_with_few_open_files_stays_bounded(tmp_path: Path) -> None:
    """300 connections at once from one address against a server that may open 400 files: the
    caps hold, the log stays small, and a player from elsewhere still plays."""

    async def flood(server: HostedServer) -> float:
        async def knock() -> None:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection(
                    "127.0.0.1", server.port, local_addr=("127.0.0.2", 0)
                )
                flooding.append(writer)

        flooding: list[asyncio.StreamWriter] = []
        await asyncio.gather(*(knock() for _ in range(300)))
        async with Player(server.port, "through") as player:
            seconds = await player.first_frame(timeout=30)
            player.type(CTRL_C)
            await player.exit_status()
        for writer in flooding:
            writer.close()
        return seconds

    options = ("--rate-limit", "100000")
    with HostedServer(tmp_path, *options, open_files=400) as server:
        assert run(flood(server)) > 0
        assert server.process is not None and server.process.poll() is None
        stderr = server.log_text()
    assert "68 connections (60 per address), 400 open files" in stderr
    assert "at most 68 connections: 400 open files allow no more" in stderr
    assert "Traceback" not in stderr and "out of system resource" not in stderr
    assert stderr.count("refused 127.0.0.2") <= 10 and "more like this not logged" not in stderr
    assert len(stderr) < 20_000


def test_a_game_killed_on_the_host_is_logged_as_a_crash(server: HostedServer) -> None:
    async def play() -> tuple[int | None, str]:
        async with Player(server.port, "unlucky") as player:
            await player.first_frame()
            (game,) = server.games()
            os.kill(game, signal.SIGKILL)
            await player.wait_for(CRASHED)
            return await player.exit_status(), player.text

    status, text = run(play())
    assert status == 128 + signal.SIGKILL
    assert "Traceback" not in text
    assert eventually(lambda: logged(server, r"player 'unlucky' pid \d+: crashed, status 137"))


CRASHING_GAME = """
import os
if os.environ.get("PIZZASHOP_HOSTED"):  # the games, not the server
    from pizzashop.ui.app import PizzaShopApp

    def fail(self):
        raise RuntimeError("the oven caught fire")

    PizzaShopApp.action_quit = fail
"""


def test_a_game_that_fails_tells_its_player_one_line_and_the_host_the_rest(
    tmp_path: Path,
) -> None:
    """A game whose `q` raises (installed through sitecustomize): the player reads one polite
    line, never a traceback or a host path; the report is on the host and the log names it."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(CRASHING_GAME)

    async def play(server: HostedServer) -> tuple[int | None, str, int]:
        async with Player(server.port, "ada") as player:
            await player.first_frame()
            (game,) = server.games()
            player.type(b"q")
            await player.wait_for(CRASHED)
            return await player.exit_status(), player.text, game

    env = {"PYTHONPATH": str(tmp_path / "site")}
    with HostedServer(tmp_path / "home", env=env) as server:
        status, text, pid = run(play(server))
        assert eventually(lambda: ": crashed (report" in server.log_text())
        log = server.log_text()
    assert status == 1
    assert "Traceback" not in text and "caught fire" not in text
    assert str(Path(asyncssh.__file__).parents[1]) not in text, "no host path"
    (report,) = (tmp_path / "home" / "crashes").glob(f"*-{pid}.txt")
    assert "RuntimeError: the oven caught fire" in report.read_text()
    assert f"crashed (report {report}), status 1" in log
