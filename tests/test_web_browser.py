"""`pizzashop serve web` in a real browser: headless Chromium (Debian's package) with every
request that is not to the server blocked, as in a firewalled room. It gets the name page, types
a name, sees the title screen, presses keys without clicking anything and sees the screen change;
a reload in a full room gets its game back, and a page refused a game says the room is full.

Skipped without Chromium, except in CI (the environment variable CI set), where .ci/run installs
it and a skip would hide a broken page.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest
from browser import Browser, chromium

from pizzashop.hosting.messages import FULL
from pizzashop.hosting.probe import HostedServer, visible

T = TypeVar("T")
TITLE_SCREEN = "CAMPAIGN"
HELP_SCREEN = "Keys"


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if chromium() is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    pytest.skip("needs Debian's chromium package (apt-get install chromium)")


def run(coroutine: Awaitable[T], timeout: float = 120.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


async def until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout}s")
        await asyncio.sleep(0.05)


def shows(browser: Browser, text: str, since: int = 0) -> Callable[[], bool]:
    """Has the game sent the page `text` (in the frames after byte `since`)?"""
    return lambda: text in visible(bytes(browser.received[since:]))


def only_this_host(browser: Browser, port: int) -> None:
    assert browser.blocked == [], "the page asked for something outside the host"
    outside = [
        url for url in browser.requests
        if not re.match(rf"(https?|wss?)://127\.0\.0\.1:{port}/", url)
    ]  # fmt: skip
    assert outside == []


def test_a_browser_plays_from_a_name_to_the_keys_with_nothing_from_elsewhere(
    tmp_path: Path,
) -> None:
    async def play(server: HostedServer) -> dict[str, object]:
        base = f"http://127.0.0.1:{server.port}"
        seen: dict[str, object] = {}
        async with Browser(tmp_path / "profile", allowed=base) as browser:
            await browser.open(f"{base}/")
            seen["title"] = await browser.evaluate("document.title")
            seen["focus"] = await browser.evaluate("document.activeElement.id")
            seen["icon"] = await browser.evaluate("document.querySelector('link[rel=icon]').href")
            await browser.screenshot(tmp_path / "name.png")
            await browser.insert_text("Ada Lovelace")
            await browser.press("Enter")
            await browser.wait_for("document.title === 'pizzashop · Ada Lovelace'")
            await until(shows(browser, TITLE_SCREEN), "title screen")
            await browser.wait_for("document.getElementById('starting').hidden")
            await browser.wait_for("document.activeElement.className.includes('xterm')")
            title_screen = await browser.screenshot(tmp_path / "title.png")
            seen["players"] = sorted(server.started())
            drawn = len(browser.received)
            await browser.press("?")  # nothing was clicked: the page gave the game the keys
            await until(shows(browser, HELP_SCREEN, drawn), "help screen")
            deadline = time.monotonic() + 20
            while await browser.screenshot(tmp_path / "help.png") == title_screen:
                assert time.monotonic() < deadline, "the screen did not change"
                await asyncio.sleep(0.1)
            seen["font"] = await browser.evaluate("document.fonts.check('16px \"Roboto Mono\"')")
            seen["sent"] = list(browser.sent)
            seen["console"] = list(browser.console)
            only_this_host(browser, server.port)
            seen["requests"] = list(browser.requests)
        return seen

    with HostedServer(tmp_path / "home", "--max-sessions", "2", kind="web") as server:
        seen = run(play(server))
    assert seen["title"] == "pizzashop" and seen["focus"] == "name"
    assert str(seen["icon"]).endswith("/favicon.svg")
    assert seen["players"] == ["Ada Lovelace"]
    assert '["stdin","?"]' in seen["sent"]  # type: ignore[operator]
    assert seen["font"] is True, "the terminal's font came from the host"
    requests = " ".join(seen["requests"])  # type: ignore[arg-type]
    assert "/static/js/textual.js" in requests and "RobotoMono" in requests
    console = " ".join(seen["console"])  # type: ignore[arg-type]
    assert "Content Security Policy" not in console and "Uncaught" not in console


def test_a_reload_in_a_full_room_plays_on_and_a_refused_page_says_full(tmp_path: Path) -> None:
    async def crowd(server: HostedServer) -> dict[str, object]:
        base = f"http://127.0.0.1:{server.port}"
        seen: dict[str, object] = {}
        async with (
            Browser(tmp_path / "ada", allowed=base) as ada,
            Browser(tmp_path / "bob", allowed=base) as bob,
            aiohttp.ClientSession() as carol,
        ):
            await ada.open(f"{base}/?name=ada")
            await until(shows(ada, TITLE_SCREEN), "ada's title screen")
            # Bob's page is served with a place free, but carol takes it before his game starts.
            served, go_on = bob.hold("/static/js/textual.js")
            opening = asyncio.ensure_future(bob.open(f"{base}/?name=bob"))
            await asyncio.wait_for(served.wait(), 30)
            async with carol.ws_connect(f"{base}/ws/carol?width=80&height=24") as socket:
                while TITLE_SCREEN not in visible((await socket.receive()).data):
                    pass
                go_on.set()
                await opening
                await bob.wait_for("!document.getElementById('ended').hidden")
                seen["bob"] = await bob.evaluate(
                    "[document.getElementById('ended-message').textContent,"
                    " document.getElementById('again').textContent]"
                )
                await bob.screenshot(tmp_path / "full.png")
                # The room is full; ada reloads and plays on.
                drawn = len(ada.received)
                await ada.send("Page.reload", page=True)
                await until(shows(ada, TITLE_SCREEN, drawn), "ada's title screen after reload")
                await ada.wait_for("document.getElementById('starting').hidden")
                seen["ada ended"] = await ada.evaluate("!document.getElementById('ended').hidden")
                await ada.screenshot(tmp_path / "reloaded.png")
                only_this_host(ada, server.port)
                only_this_host(bob, server.port)
        return seen

    with HostedServer(tmp_path / "home", "--max-sessions", "2", kind="web") as server:
        seen = run(crowd(server))
        log = server.log_text()
    assert seen["bob"] == [FULL.format(places=2), "Try again"]
    assert seen["ada ended"] is False
    assert len(re.findall(r"start \S+ player 'ada'", log)) == 2, "the reload got a new game"
    refusals = re.findall(r"refused .*", log)
    assert len(refusals) == 1
    assert re.fullmatch(r"refused \S+ player 'bob': server full", refusals[0])
