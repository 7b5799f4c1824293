"""`pizzashop serve web` with real WebSocket clients on loopback: each page's game is its own
process under its player's name; the cap, the idle timeout and the rate limit hold; a reload
gets its own place back; whatever a page sends, the server and the game stay up.

(tests/test_web_browser.py plays the same server in a real, headless browser.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from helpers import environ, eventually, invoke, reporting

from pizzashop.crashes import CRASHED
from pizzashop.hosting.environment import game_environment
from pizzashop.hosting.games import Games
from pizzashop.hosting.launch import TerminalSpent
from pizzashop.hosting.messages import FULL, REPLACED, STOPPING, TOO_MANY
from pizzashop.hosting.probe import FIRST_FRAME_MARK, HostedServer, visible
from pizzashop.hosting.web import TRY_AGAIN_LATER
from pizzashop.hosting.web_game import WebGame

T = TypeVar("T")
SIZE = "?width=100&height=30"


def run(coroutine: Awaitable[T], timeout: float = 90.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def browser_session() -> aiohttp.ClientSession:
    """A client that keeps cookies, as a browser does (even for an address like 127.0.0.1)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def frames(socket: aiohttp.ClientWebSocketResponse, until: str, timeout: float = 30) -> str:
    """What the game drew until `until` showed."""
    received = b""
    deadline = time.monotonic() + timeout
    while until not in visible(received):
        message = await asyncio.wait_for(socket.receive(), max(0.1, deadline - time.monotonic()))
        assert message.type == aiohttp.WSMsgType.BINARY, (message, visible(received)[-300:])
        received += message.data
    return visible(received)


async def closing(socket: aiohttp.ClientWebSocketResponse, timeout: float = 30) -> tuple[int, str]:
    """Read until the server closes the connection: its code and reason."""
    deadline = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(socket.receive(), max(0.1, deadline - time.monotonic()))
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return int(socket.close_code or 0), str(message.extra or "")


def key(text: str) -> str:
    return json.dumps(["stdin", text])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedServer]:
    """One server for the tests that need no special limits, started from an SSH login."""
    home = tmp_path_factory.mktemp("web")
    login = {"SSH_AUTH_SOCK": "/tmp/instructors-agent", "COLUMNS": "7"}
    login.update(reporting(tmp_path_factory.mktemp("site")))
    with HostedServer(home, "--max-sessions", "4", kind="web", env=login) as hosted:
        yield hosted
    assert not hosted.games()


def test_a_browser_gets_a_game_and_the_cap_holds(tmp_path: Path) -> None:
    async def browse(base: str) -> tuple[str, tuple[int, str], int, str, int]:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base}/ws/ada{SIZE}") as first:
                frame = await frames(first, FIRST_FRAME_MARK)
                async with http.ws_connect(f"{base}/ws/bob{SIZE}") as second:
                    refused = await closing(second)
                async with http.get(f"{base}/?name=bob") as page:
                    full_status, full_page = page.status, await page.text()
            deadline = time.monotonic() + 20
            while True:
                async with http.get(f"{base}/?name=bob") as page:
                    if page.status == 200 or time.monotonic() > deadline:
                        return frame, refused, full_status, full_page, page.status
                await asyncio.sleep(0.1)

    with HostedServer(tmp_path, "--max-sessions", "1", kind="web") as server:
        frame, refused, full_status, full_page, later_status = run(
            browse(f"http://127.0.0.1:{server.port}")
        )
        assert FIRST_FRAME_MARK in frame
        assert refused == (TRY_AGAIN_LATER, FULL.format(places=1))
        assert full_status == 503 and "The pizza shop is full" in full_page
        assert later_status == 200, "the place was freed when the first browser left"
        assert eventually(lambda: not server.games()), "and its game ended"
        log = server.log_text()
        started = r"start 127\.0\.0\.1:\d+ player 'ada' 100x30 pid \d+, (forked|spawned) \(1/1"
        assert re.search(started, log)
        assert re.search(r"refused 127\.0\.0\.1:\d+ player 'bob': server full", log)
        assert re.search(r"end 127\.0\.0\.1:\d+ player 'ada' pid \d+: left, status 0", log)


def test_each_name_plays_in_a_folder_of_its_own_and_the_log_tells_them_apart(
    server: HostedServer,
) -> None:
    """Names come cleaned into the game's environment (so into its folder), never the server's
    own login; markup and escapes in a name reach neither the game nor the log."""
    names = {"Ada%20Lovelace": "Ada Lovelace", "bob": "bob", "%1B%5B31m%3Cb%3Eeve": "31mbeve"}

    async def play(base: str) -> dict[str, dict[str, str]]:
        async with aiohttp.ClientSession() as http:
            sockets = [await http.ws_connect(f"{base}/ws/{name}{SIZE}") for name in names]
            for socket in sockets:
                await frames(socket, FIRST_FRAME_MARK)
            found = {}
            for game in server.games():
                env = environ(server, game)
                found[env["PIZZASHOP_PLAYER"]] = env
            for socket in sockets:
                await socket.close()
            return found

    found = run(play(f"http://127.0.0.1:{server.port}"))
    assert sorted(found) == sorted(names.values())
    for env in found.values():
        assert env["PIZZASHOP_HOSTED"] == "1"
        assert "SSH_AUTH_SOCK" not in env and "COLUMNS" in env, "the page's size, not the login's"
        assert env["COLUMNS"] == "100" and env["ROWS"] == "30"
    assert eventually(lambda: not server.games())
    log = server.log_text()
    peers = re.findall(r"start (127\.0\.0\.1:\d+) player '(?:Ada Lovelace|bob|31mbeve)'", log)
    assert len(set(peers)) == 3, "each game's line names its own connection"
    assert "\x1b" not in log and "<b>" not in log


def test_the_first_page_asks_for_a_name_and_every_page_is_only_text(server: HostedServer) -> None:
    async def pages(base: str) -> dict[str, tuple[int, str, str]]:
        found = {}
        async with aiohttp.ClientSession() as http:
            for query in ("", "?name=%20%20", "?name=%3C%3E%21", "?name=%3Cscript%3Ealert(1)",
                          "?name=" + "z" * 5000, "?name=Zo%C3%AB&fontsize=99",
                          "?name=O'Brien"):  # fmt: skip
                async with http.get(f"{base}/{query}", allow_redirects=False) as page:
                    found[query[:40]] = (page.status, await page.text(), page.headers.get(
                        "Location", ""))  # fmt: skip
                    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        return found

    found = run(pages(f"http://127.0.0.1:{server.port}"))
    status, form, _ = found[""]
    assert status == 200 and '<input id="name" name="name"' in form and "<title>pizzashop<" in form
    assert "Please type a name." in found["?name=%20%20"][1]
    assert "at least one letter or digit" in found["?name=%3C%3E%21"][1]
    assert found["?name=%3Cscript%3Ealert(1)"][::2] == (303, "?name=scriptalert1")
    assert found["?name=" + "z" * 34][::2] == (303, "?name=" + "z" * 24)
    status, game, _ = found["?name=Zo%C3%AB&fontsize=99"]
    assert status == 200 and "<title>pizzashop · Zoë</title>" in game
    assert 'data-socket="ws/Zo%C3%AB"' in game and 'data-font-size="16"' in game
    status, game, _ = found["?name=O'Brien"]
    assert "<title>pizzashop · O&#x27;Brien</title>" in game
    assert 'data-socket="ws/O%27Brien"' in game
    for _, page, _ in found.values():
        assert "alert(" not in page
        assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", page), "nothing from elsewhere"


def test_the_pages_need_nothing_but_this_host(server: HostedServer) -> None:
    async def fetch_all(base: str) -> dict[str, int]:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/?name=ada") as page:
                html = await page.text()
            wanted = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
            wanted += ["static/fonts/RobotoMono-VariableFont_wght.ttf", "favicon.ico"]
            statuses = {}
            for path in wanted:
                async with http.get(f"{base}/{path}") as got:
                    statuses[path] = got.status
                    await got.read()
            return statuses

    statuses = run(fetch_all(f"http://127.0.0.1:{server.port}"))
    assert {"static/js/textual.js", "assets/page.js", "favicon.svg"} <= set(statuses)
    assert set(statuses.values()) == {200}, statuses


def test_a_reload_in_a_full_room_gets_its_own_game_back(tmp_path: Path) -> None:
    """With every place taken, the page reloaded by a player (same browser, same name) is served
    and its new game takes the old one's place; a stranger still hears "full"."""

    async def reload(base: str) -> tuple[int, int, str, tuple[int, str], tuple[int, str], int]:
        async with browser_session() as ada, aiohttp.ClientSession() as stranger:
            async with ada.get(f"{base}/?name=ada") as page:
                assert page.status == 200
            first = await ada.ws_connect(f"{base}/ws/ada{SIZE}")
            await frames(first, FIRST_FRAME_MARK)
            async with ada.get(f"{base}/?name=ada") as page:  # the reload, while it plays
                reloaded = page.status
            async with stranger.get(f"{base}/?name=ada") as page:
                strangers = page.status
            await first.close()  # the old page goes as the new one loads
            second = await ada.ws_connect(f"{base}/ws/ada{SIZE}")
            again = await frames(second, FIRST_FRAME_MARK)
            # A second tab of the same browser under the same name takes the seat over.
            third = await ada.ws_connect(f"{base}/ws/ada{SIZE}")
            replaced = await closing(second)
            await frames(third, FIRST_FRAME_MARK)
            async with stranger.ws_connect(f"{base}/ws/ada{SIZE}") as other:
                refused = await closing(other)
            await third.close()
            return reloaded, strangers, again, replaced, refused, len(server.games())

    with HostedServer(tmp_path, "--max-sessions", "1", kind="web") as server:
        reloaded, strangers, again, replaced, refused, playing = run(
            reload(f"http://127.0.0.1:{server.port}")
        )
        assert reloaded == 200, "the page of a player who holds a place is served"
        assert strangers == 503
        assert FIRST_FRAME_MARK in again, "the reloaded page got a game"
        assert replaced == (1000, REPLACED)
        assert refused[0] == TRY_AGAIN_LATER
        assert playing <= 1
        assert eventually(lambda: not server.games())
        log = server.log_text()
        assert len(re.findall(r"start \S+ player 'ada'", log)) == 3
        assert ": replaced, status 0" in log


def test_an_idle_game_is_ended_and_its_page_told_why(tmp_path: Path) -> None:
    async def idle(base: str) -> tuple[tuple[int, str], list[int]]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{base}/ws/sleepy{SIZE}") as socket,
        ):
            await frames(socket, FIRST_FRAME_MARK)
            games = server.games()
            return await closing(socket), games

    with HostedServer(tmp_path, "--idle-timeout", "3", kind="web") as server:
        (code, reason), games = run(idle(f"http://127.0.0.1:{server.port}"))
        assert code == 1000 and "Closed after 3 seconds without a key press" in reason
        assert len(games) == 1 and eventually(lambda: not Path(f"/proc/{games[0]}").exists())
        assert ": idle, status 0" in server.log_text()


def test_games_beyond_the_rate_limit_are_refused(tmp_path: Path) -> None:
    async def knock(base: str) -> list[tuple[int, str]]:
        closes = []
        async with aiohttp.ClientSession() as http:
            for _ in range(2):
                async with http.ws_connect(f"{base}/ws/knock{SIZE}") as socket:
                    await socket.close()
                    closes.append((int(socket.close_code or 0), ""))
            async with http.ws_connect(f"{base}/ws/knock{SIZE}") as socket:
                closes.append(await closing(socket))
        return closes

    with HostedServer(tmp_path, "--rate-limit", "2", kind="web") as server:
        closes = run(knock(f"http://127.0.0.1:{server.port}"))
        assert closes[-1] == (1008, TOO_MANY)
        assert "more than 2 games a minute from 127.0.0.1" in server.log_text()
        assert eventually(lambda: not server.games())


def test_garbage_from_a_page_does_not_hurt_the_game_or_the_server(server: HostedServer) -> None:
    garbage = [
        "not json", "[]", "{}", '["stdin"]', '["stdin", 5]', '["resize", {"width": "a"}]',
        '["resize", {"width": true, "height": 2}]', '["ping", "' + "x" * 100 + '"]',
        '["who knows", 1]', "[" * 30_000 + "]" * 30_000, '["stdin", "\\ud800\\udfff\\ud800"]',
    ]  # fmt: skip

    async def attack(base: str) -> tuple[str, tuple[int, str]]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{base}/ws/mallory{SIZE}", max_msg_size=0) as socket,
        ):
            await frames(socket, FIRST_FRAME_MARK)
            for text in garbage:
                await socket.send_str(text)
            await socket.send_bytes(b"\xff\xfe binary")
            await socket.send_str(json.dumps(["resize", {"width": 10**9, "height": -5}]))
            await socket.send_str(key("?"))
            help_screen = await frames(socket, "Keys")
            await socket.send_str(key("x" * 70_000))  # beyond one message's limit
            return help_screen, await closing(socket)

    help_screen, (code, _) = run(attack(f"http://127.0.0.1:{server.port}"))
    assert "Keys" in help_screen, "the game still plays after all that"
    assert code == 1009, "a message too large closes its connection"
    assert eventually(lambda: not server.games())
    assert eventually(lambda: "ignored 10 message(s) from 127.0.0.1:" in server.log_text())
    log = server.log_text()
    assert "Traceback" not in log
    assert re.search(r"player 'mallory' pid \d+: left, status 0", log)


def test_a_page_from_another_site_cannot_start_a_game(server: HostedServer) -> None:
    async def cross_site(base: str) -> int:
        async with aiohttp.ClientSession() as http:
            try:
                await http.ws_connect(f"{base}/ws/ada", headers={"Origin": "http://evil.test"})
            except aiohttp.WSServerHandshakeError as error:
                return error.status
        return 101

    assert run(cross_site(f"http://127.0.0.1:{server.port}")) == 403
    assert "a page from 'http://evil.test'" in server.log_text()


def test_stopping_the_server_ends_every_game_and_says_so(tmp_path: Path) -> None:
    async def stop(base: str, server: HostedServer) -> tuple[tuple[int, str], list[int]]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{base}/ws/ada{SIZE}") as socket,
        ):
            await frames(socket, FIRST_FRAME_MARK)
            games = server.games()
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            return await closing(socket), games

    with HostedServer(tmp_path, kind="web") as server:
        closed, games = run(stop(f"http://127.0.0.1:{server.port}", server))
        assert server.process is not None and server.process.wait(30) == 0
        assert closed == (1001, STOPPING)
        assert games and all(not Path(f"/proc/{pid}").exists() for pid in games)
        assert "stopping: ending 1 game(s)" in server.log_text()


CRASHING_GAME = """
import os
if os.environ.get("PIZZASHOP_HOSTED"):  # the games, not the server
    from pizzashop.ui.app import PizzaShopApp

    def fail(self):
        raise RuntimeError("the oven caught fire")

    PizzaShopApp.action_quit = fail
"""


def test_a_game_that_fails_tells_its_page_one_line_and_the_host_the_rest(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(CRASHING_GAME)

    async def play(base: str) -> tuple[tuple[int, str], int]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{base}/ws/ada{SIZE}") as socket,
        ):
            await frames(socket, FIRST_FRAME_MARK)
            (game,) = server.games()
            await socket.send_str(key("q"))
            return await closing(socket), game

    env = {"PYTHONPATH": str(tmp_path / "site")}
    with HostedServer(tmp_path / "home", kind="web", env=env) as server:
        closed, pid = run(play(f"http://127.0.0.1:{server.port}"))
        assert eventually(lambda: ": crashed (report" in server.log_text())
        log = server.log_text()
    assert closed == (1011, CRASHED)
    (report,) = (tmp_path / "home" / "crashes").glob(f"*-{pid}.txt")
    assert "RuntimeError: the oven caught fire" in report.read_text()
    assert f"crashed (report {report}), status 1" in log


def test_browser_players_take_seats_in_a_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve web --room` seats browser players as `serve ssh --room` seats SSH players: the
    lobby, the room's level and seed, and the instructor's `room start` for everyone."""
    home = tmp_path / "server"
    home.mkdir()
    room_file = tmp_path / "room.toml"
    room_file.write_text('[room]\nlevel = "blackout"\nseed = 42\ngate = true\n')
    monkeypatch.setenv("PIZZASHOP_HOME", str(home))

    def status() -> dict[str, dict[str, Any]]:
        result = invoke("room", "status", "--json")
        assert result.code == 0, result.err
        return {seat["player"]: seat for seat in json.loads(result.out)}

    async def play(base: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        async with aiohttp.ClientSession() as http:
            sockets = [await http.ws_connect(f"{base}/ws/{name}{SIZE}") for name in ("ada", "bob")]
            for socket in sockets:
                await frames(socket, "Waiting for the instructor")
            waiting = await asyncio.to_thread(status)
            started = await asyncio.to_thread(invoke, "room", "start")
            assert started.code == 0, started.err
            for socket in sockets:
                await frames(socket, "ROOM")
            deadline = time.monotonic() + 30
            playing = await asyncio.to_thread(status)
            while any(seat["state"] != "playing" for seat in playing.values()):
                assert time.monotonic() < deadline, playing
                await asyncio.sleep(0.2)
                playing = await asyncio.to_thread(status)
            for socket in sockets:
                await socket.close()
            return waiting, playing

    with HostedServer(home, "--room", str(room_file), kind="web") as server:
        waiting, playing = run(play(f"http://127.0.0.1:{server.port}"))
        assert "room " in server.log_text() and "blackout seed 42" in server.log_text()
    assert sorted(waiting) == ["ada", "bob"]
    assert {seat["state"] for seat in waiting.values()} == {"lobby"}
    for seat in playing.values():
        assert (seat["level"], seat["seed"], seat["state"]) == ("blackout", 42, "playing")


def test_a_page_s_game_is_forked_from_the_template_with_its_own_environment(
    server: HostedServer,
) -> None:
    """Once the template is ready a page's game is forked from it (not a fresh interpreter):
    a child of the template, with the player's name, the page's size and textual-serve's
    driver, playing, and reaped when the page goes."""
    assert eventually(lambda: "game template ready" in server.log_text(), timeout=60)

    async def play(base: str) -> tuple[str, str]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{base}/ws/forked-ada{SIZE}") as socket,
        ):
            await frames(socket, FIRST_FRAME_MARK)
            await socket.send_str(key("?"))
            return await frames(socket, "Keys"), str(server.templates())

    help_screen, templates = run(play(f"http://127.0.0.1:{server.port}"))
    assert "Keys" in help_screen
    pid, how = server.started()["forked-ada"]
    assert how == "forked"
    env = environ(server, pid)
    assert env["PIZZASHOP_PLAYER"] == "forked-ada"
    assert (env["COLUMNS"], env["ROWS"]) == ("100", "30")
    assert env["TEXTUAL_DRIVER"].endswith("WebDriver")
    assert templates != "[]"
    assert eventually(lambda: not Path(f"/proc/{pid}").exists()), "ended and reaped"
    assert re.search(r"player 'forked-ada' pid \d+: left, status 0", server.log_text())


class FailingTemplate:
    """A template that fails a fork after the pipes were handed on (it died meanwhile)."""

    def __init__(self) -> None:
        self.asked = 0

    async def start_piped(self, env: object, stdio: object) -> None:
        self.asked += 1
        raise TerminalSpent("the game template did not answer")

    def known(self) -> set[int]:
        return set()


class QuietSocket:
    async def send_bytes(self, data: bytes) -> None:
        return None

    async def send_str(self, data: str) -> None:
        return None


def test_a_fork_that_fails_after_the_pipes_went_is_spawned_instead(tmp_path: Path) -> None:
    """The page's game is spawned the slow way, on new pipes, and none of the failed fork's
    pipe ends stays open in the server."""

    async def scenario() -> tuple[str, int, bool, int, int]:
        template = FailingTemplate()
        games = Games(logging.getLogger("test-web"), template)  # type: ignore[arg-type]

        async def quit_() -> None:
            return None

        env = {**game_environment("ada"), "PIZZASHOP_HOME": str(tmp_path)}
        open_before = len(os.listdir("/proc/self/fd"))
        game = WebGame(env, QuietSocket(), quit_, games)  # type: ignore[arg-type]
        await game.begin(80, 24)
        spawned_watched = game.pid in games.reaped_elsewhere
        status = await game.end(lambda: None, 5.0)
        return game.how, template.asked, spawned_watched, status, (
            len(os.listdir("/proc/self/fd")) - open_before
        )

    how, asked, watched, status, leaked = run(scenario())
    assert asked == 1 and how == "spawned"
    assert watched, "the spawned game is left to asyncio, not to the server's sweep"
    assert status == 0
    assert leaked == 0
