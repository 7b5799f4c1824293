"""A class opening the game in their browsers at once: `serve web` on loopback, N pages within S
seconds, each timed from its game connection to its first frame.

How it measures:
- Starts `pizzashop serve web` on a free loopback port (the probe's HostedServer, as the SSH
  bench does), its data directory in a temporary folder, a game cap above N and a rate limit
  that lets the class through; waits until it listens and, when it has a game template, until
  the log says the template is ready (a class arrives after the instructor started the server).
  For a before and after, run it from outside the checkout with PYTHONPATH naming the other
  build: the server is `python -m pizzashop`.
- N pages (WebSocket clients speaking textual-serve's protocol at 120×40, as the page does)
  connect at n·S/N seconds; each times connect → the title screen's first frame.
- CPU: the server and every process under it (template, games), from the first connection to
  the last first frame (1.0 = one core busy). Memory: each game's PSS, the template's shared
  out among them. How each game started (the log's "forked" or "spawned").
- Play (`--play-seconds`, 0 for none): every page opens a shift of default_day at 4× and
  presses ↓ or ↑ once a second (page n at n/N of each second), as bench/ssh_sessions.py's
  players do; key-to-screen latency is the time from sending the key until the board's cursor
  on the next chef arrives. CPU, PSS per seat and bytes per page over the window.
- Then every page leaves, and it checks that every game ended.

The pages run on one event loop on the same machine: they compete with the server for the cores.
A run in which no page got a first frame fails.

Prints a table, then one JSON line with `pages`, `first_frame_p50_s`, `first_frame_p95_s`,
`cpu_seconds`, `pss_per_seat_mb`, `forked`, `spawned`, `games_left` and `play_*`. A play
phase in which no key reached a screen fails too.
Targets (as for SSH, on a 2-core machine): 30 pages within 2 s, first frame p95 ≤ 1.0 s.

    .venv/bin/python bench/web_sessions.py [--pages 30] [--within 2] [--play-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from ssh_sessions import cpu_seconds, percentile, seat_memory, template_ready

from pizzashop.hosting.probe import HostedServer, visible

SIZE = "?width=120&height=40"
TITLE = "pizzashop"
"""On the title screen's first frame (the probe's FIRST_FRAME_MARK)."""
TO_DEFAULT_DAY = ("\x1b[F", "\x1b[A", "\x1b[A")
"""End, ↑, ↑ on the title list: default_day (as bench/ssh_sessions.py goes)."""
DEFAULT_DAY = "concept: logging and metrics"
KEYS = ("\x1b[B", "\x1b[A")
CURSOR = ("▸ Mario", "▸ Sofia")


class Page:
    """One browser page's game connection: keys in, frames read as they come."""

    def __init__(self, base: str, name: str) -> None:
        self.url = f"{base}/ws/{name}{SIZE}"
        self.http = aiohttp.ClientSession()
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.received = bytearray()
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.socket = await self.http.ws_connect(self.url, max_msg_size=0)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received += message.data

    def shows(self, text: str, since: int = 0) -> bool:
        return text in visible(bytes(self.received[max(0, since - 512) :]))

    async def wait_for(self, text: str, since: int = 0, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.shows(text, since):
            if time.monotonic() > deadline or (self._reader is not None and self._reader.done()):
                raise TimeoutError(text)
            await asyncio.sleep(0.005)

    async def press(self, key: str) -> None:
        assert self.socket is not None
        await self.socket.send_str(json.dumps(["stdin", key]))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            self._reader.cancel()
        await self.http.close()


async def join(page: Page, delay: float) -> float | None:
    """Connect after `delay` seconds; seconds to the first frame (None: none within 60 s)."""
    await asyncio.sleep(delay)
    started = time.monotonic()
    try:
        await page.open()
        await page.wait_for(TITLE)
    except (TimeoutError, aiohttp.ClientError):
        return None
    return time.monotonic() - started


async def to_the_shift(page: Page, speed_key: str) -> bool:
    """From the title to default_day's shift at 4×, as the SSH bench goes."""
    try:
        for key in TO_DEFAULT_DAY:
            await page.press(key)
        await page.wait_for(DEFAULT_DAY)
        mark = len(page.received)
        await page.press("\r")
        await page.wait_for("▶ 1×", mark)
        mark = len(page.received)
        await page.press(speed_key)
        await page.wait_for("▶ 4×", mark)
        return True
    except (TimeoutError, aiohttp.ClientError, ConnectionError):
        return False


async def keys(page: Page, phase: float, until: float) -> list[float]:
    """A key a second, `phase` seconds into each second; seconds from each key to the cursor's
    move on the screen."""
    latencies = []
    second = 0
    await asyncio.sleep(phase)
    while time.monotonic() < until:
        mark, sent = len(page.received), time.monotonic()
        await page.press(KEYS[second % 2])
        try:
            await page.wait_for(CURSOR[(second + 1) % 2], mark, timeout=5)
            latencies.append(time.monotonic() - sent)
        except TimeoutError:
            pass
        second += 1
        await asyncio.sleep(max(0.0, sent + 1.0 - time.monotonic()))
    return latencies


async def class_plays(
    server: HostedServer, count: int, within: float, seconds: float
) -> dict[str, Any]:
    """The class joins, then plays at 4× for `seconds`; the figures of both."""
    base = f"http://127.0.0.1:{server.port}"
    pages = [Page(base, f"seat{n}") for n in range(count)]

    def everyone() -> list[int]:
        return [server.pid, *server.templates(), *server.games()]

    try:
        before = cpu_seconds(everyone())
        joined = await asyncio.gather(*(join(p, within * n / count) for n, p in enumerate(pages)))
        join_cpu = cpu_seconds(everyone()) - before
        games = server.games()
        figures: dict[str, Any] = {
            "first_frames": [s for s in joined if s is not None],
            "join_cpu": join_cpu,
            "title_pss": seat_memory(server, games, len(games))["pss_per_seat"] if games else 0.0,
        }
        if seconds > 0:
            ready = await asyncio.gather(*(to_the_shift(p, "3") for p in pages))
            playing = [p for p, ok in zip(pages, ready, strict=True) if ok]
            watched = everyone()
            before, wall = cpu_seconds(watched), time.monotonic()
            received = sum(len(p.received) for p in playing)
            until = wall + seconds
            latencies = await asyncio.gather(
                *(keys(p, n / max(1, len(playing)), until) for n, p in enumerate(playing))
            )
            wall = time.monotonic() - wall
            figures.update(
                playing=len(playing),
                latencies=latencies,
                play_cores=(cpu_seconds(watched) - before) / wall,
                play_bytes=(sum(len(p.received) for p in playing) - received) / wall,
                play_pss=seat_memory(server, games, len(games))["pss_per_seat"] if games else 0.0,
            )
        return figures
    finally:
        for page in pages:
            await page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--within", type=float, default=2.0)
    parser.add_argument("--play-seconds", type=float, default=20.0, help="0: no play phase")
    args = parser.parse_args()
    options = ("--max-sessions", str(args.pages + 5), "--rate-limit", "100000")
    with (
        tempfile.TemporaryDirectory(prefix="pizzashop-web-bench-") as home,
        HostedServer(Path(home), *options, kind="web", timeout=60) as server,
    ):
        template = template_ready(server) < 60
        figures = asyncio.run(class_plays(server, args.pages, args.within, args.play_seconds))
        deadline = time.monotonic() + 30
        while (left := server.games()) and time.monotonic() < deadline:
            time.sleep(0.2)
        hows = [how for _, how in server.started().values()]
    seconds = figures["first_frames"]
    if not seconds:
        raise SystemExit("no page got a first frame: the bench measured nothing")
    result: dict[str, Any] = {
        "pages": args.pages,
        "within_s": args.within,
        "first_frames": len(seconds),
        "first_frame_p50_s": round(statistics.median(seconds), 3),
        "first_frame_p95_s": round(percentile(seconds, 95), 3),
        "first_frame_max_s": round(max(seconds), 3),
        "cpu_seconds": round(figures["join_cpu"], 2),
        "pss_per_seat_mb": round(figures["title_pss"], 1),
        "forked": hows.count("forked"),
        "spawned": hows.count("spawned"),
        "template": template,
        "games_left": len(left),
        "load_average": round(os.getloadavg()[0], 2),
    }
    mark = "met" if result["first_frame_p95_s"] <= 1.0 else "MISSED"
    print(f"{args.pages} pages within {args.within:g} s ({'with' if template else 'no'} template)")
    print(f"  first frame p50 / p95 / max  {result['first_frame_p50_s']} / "
          f"{result['first_frame_p95_s']} / {result['first_frame_max_s']} s "
          f"(target p95 ≤ 1.0: {mark}), {len(seconds)}/{args.pages} pages")
    print(f"  CPU until the last frame     {result['cpu_seconds']} s")
    print(f"  PSS per seat (title)         {result['pss_per_seat_mb']} MiB")
    if args.play_seconds > 0:
        measured = [x for seat in figures["latencies"] for x in seat]
        if not measured:
            raise SystemExit("no key reached a screen: the play phase measured nothing")
        per_seat = [percentile(seat, 95) for seat in figures["latencies"] if seat]
        result.update(
            play_pages=figures["playing"],
            play_keys=len(measured),
            play_key_p50_ms=round(statistics.median(measured) * 1000, 1),
            play_key_p95_ms=round(percentile(measured, 95) * 1000, 1),
            play_worst_page_key_p95_ms=round(max(per_seat) * 1000, 1),
            play_cpu_cores=round(figures["play_cores"], 3),
            play_pss_per_seat_mb=round(figures["play_pss"], 1),
            play_bytes_per_s_per_page=round(figures["play_bytes"] / max(1, figures["playing"])),
        )
        print(f"play: {figures['playing']} pages at 4× for {args.play_seconds:g} s, "
              f"{len(measured)} keys")
        print(f"  key to screen p50 / p95      {result['play_key_p50_ms']} / "
              f"{result['play_key_p95_ms']} ms; worst page's p95 "
              f"{result['play_worst_page_key_p95_ms']} ms")
        print(f"  CPU                          {result['play_cpu_cores']} cores")
        print(f"  PSS per seat                 {result['play_pss_per_seat_mb']} MiB")
        print(f"  output                       {result['play_bytes_per_s_per_page']:,} B/s a page")
    print(f"  games                        {result['forked']} forked, "
          f"{result['spawned']} spawned; {len(left)} left after the pages went")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
