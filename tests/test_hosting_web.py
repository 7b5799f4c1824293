"""`pizzashop serve web`: the game in a browser through textual-serve, under the same cap."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
from helpers import eventually

from pizzashop.hosting.probe import FIRST_FRAME_MARK, HostedServer, visible
from pizzashop.hosting.web import TRY_AGAIN_LATER


async def first_frame(socket: aiohttp.ClientWebSocketResponse) -> str:
    """What the game sent until its title was drawn."""
    received = b""
    while FIRST_FRAME_MARK not in visible(received):
        message = await asyncio.wait_for(socket.receive(), 20)
        assert message.type == aiohttp.WSMsgType.BINARY, message
        received += message.data
    return visible(received)


def test_a_browser_gets_a_game_and_the_cap_holds(tmp_path: Path) -> None:
    async def browse(base: str) -> tuple[str, int | None, int, str, int]:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base}/ws?width=100&height=30") as first:
                frame = await first_frame(first)
                async with http.ws_connect(f"{base}/ws?width=100&height=30") as second:
                    await asyncio.wait_for(second.receive(), 20)
                    refused_code = second.close_code
                async with http.get(f"{base}/") as page:
                    full_status, full_page = page.status, await page.text()
            deadline = time.monotonic() + 20
            while True:
                async with http.get(f"{base}/") as page:
                    if page.status == 200 or time.monotonic() > deadline:
                        return frame, refused_code, full_status, full_page, page.status
                await asyncio.sleep(0.1)

    with HostedServer(tmp_path, "--max-sessions", "1", kind="web") as server:
        frame, refused_code, full_status, full_page, later_status = asyncio.run(
            browse(f"http://127.0.0.1:{server.port}")
        )
        assert FIRST_FRAME_MARK in frame
        assert refused_code == TRY_AGAIN_LATER
        assert full_status == 503 and "The pizza shop is full" in full_page
        assert later_status == 200, "the place was freed when the first browser left"
        assert eventually(lambda: not server.games()), "and its game ended"
        log = server.log_text()
        assert "start 127.0.0.1" in log and "refused 127.0.0.1: server full" in log
        assert "end 127.0.0.1" in log
