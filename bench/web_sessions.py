"""A class opening the game in their browsers at once: `serve web` on loopback, N pages within S
seconds, each timed from its game connection to its first frame.

How it measures:
- Starts `pizzashop serve web` (with `--python`, another build's interpreter, for a before and
  after) on a free loopback port, its data directory in a temporary folder, a game cap above N
  and a rate limit that lets the class through; waits until it listens and, when it has a game
  template, until the log says the template is ready (a class arrives after the instructor
  started the server).
- N pages (WebSocket clients speaking textual-serve's protocol at 120×40, as the page does)
  connect at n·S/N seconds; each times connect → the title screen's first frame.
- CPU: the server and every process under it (template, games), from the first connection to
  the last first frame (1.0 = one core busy). Memory: each game's PSS, the template's shared
  out among them. How each game started (the log's "forked" or "spawned").
- Then every page leaves, and it checks that every game ended.

The pages run on one event loop on the same machine: they compete with the server for the cores.
A run in which no page got a first frame fails.

Prints a table, then one JSON line with `pages`, `first_frame_p50_s`, `first_frame_p95_s`,
`cpu_seconds`, `pss_per_seat_mb`, `forked`, `spawned`, `games_left`.
Targets (as for SSH, on a 2-core machine): 30 pages within 2 s, first frame p95 ≤ 1.0 s.

    .venv/bin/python bench/web_sessions.py [--pages 30] [--within 2] [--python PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

TICK = os.sysconf("SC_CLK_TCK")
SIZE = "?width=120&height=40"
TITLE = "pizzashop"
"""On the title screen's first frame (the probe's FIRST_FRAME_MARK)."""
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>78])")
STARTED = re.compile(r" start \S+ player '([^']*)' .*? pid (\d+)(?:, (\w+))? \(")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def is_template(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "pizzashop-tmpl"
    except OSError:
        return False


async def page(base: str, name: str, delay: float) -> tuple[float | None, aiohttp.ClientSession]:
    """Connect after `delay` seconds; seconds to the first frame (None: none within 60 s)."""
    await asyncio.sleep(delay)
    http = aiohttp.ClientSession()
    started = time.monotonic()
    try:
        socket = await http.ws_connect(f"{base}/ws/{name}{SIZE}", max_msg_size=0)
        received = b""
        while TITLE not in ESCAPES.sub(b"", received).decode("utf-8", "replace"):
            message = await asyncio.wait_for(socket.receive(), 60)
            if message.type != aiohttp.WSMsgType.BINARY:
                return None, http
            received += message.data
        seconds = time.monotonic() - started
        pages.append(socket)
        return seconds, http
    except (TimeoutError, aiohttp.ClientError):
        return None, http


pages: list[aiohttp.ClientWebSocketResponse] = []


async def class_joins(
    port: int, count: int, within: float, server: int
) -> tuple[list[float], float, list[int], list[aiohttp.ClientSession]]:
    base = f"http://127.0.0.1:{port}"
    watched = [server, *descendants(server)]
    before = cpu_seconds(watched)
    results = await asyncio.gather(
        *(page(base, f"seat{n}", within * n / count) for n in range(count))
    )
    games = [pid for pid in descendants(server) if not is_template(pid)]
    cpu = cpu_seconds([server, *descendants(server)]) - before
    seconds = [s for s, _ in results if s is not None]
    return seconds, cpu, games, [http for _, http in results]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p / 100 * len(ordered)) - 1)]


def wait_for(log: Path, pattern: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pattern in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--within", type=float, default=2.0)
    parser.add_argument("--python", default=sys.executable, help="the server's interpreter")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="pizzashop-web-bench-") as home:
        log = Path(home) / "server.stderr"
        command = [
            args.python, "-m", "pizzashop", "serve", "web", "--port", str(port),
            "--max-sessions", str(args.pages + 5), "--rate-limit", "100000",
        ]  # fmt: skip
        env = {**os.environ, "PIZZASHOP_HOME": home}
        with log.open("wb") as stderr:
            server = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stderr=stderr, start_new_session=True
            )
        try:
            if not wait_for(log, "listening on", 60):
                raise SystemExit("the server never listened: the bench measured nothing")
            template = wait_for(log, "game template ready", 60)
            seconds, cpu, games, sessions = asyncio.run(
                class_joins(port, args.pages, args.within, server.pid)
            )
            templates = [pid for pid in descendants(server.pid) if is_template(pid)]
            pss = (sum(map(pss_mb, games)) + sum(map(pss_mb, templates))) / max(1, len(games))

            async def leave() -> None:
                for socket in pages:
                    await socket.close()
                for http in sessions:
                    await http.close()

            asyncio.run(leave())
            deadline = time.monotonic() + 30
            while (left := [p for p in descendants(server.pid) if not is_template(p)]) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.2)
            text = log.read_text(errors="replace")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    if not seconds:
        raise SystemExit("no page got a first frame: the bench measured nothing")
    hows = [how or "spawned" for _, _, how in STARTED.findall(text)]
    result = {
        "pages": args.pages,
        "within_s": args.within,
        "first_frames": len(seconds),
        "first_frame_p50_s": round(statistics.median(seconds), 3),
        "first_frame_p95_s": round(percentile(seconds, 95), 3),
        "first_frame_max_s": round(max(seconds), 3),
        "cpu_seconds": round(cpu, 2),
        "pss_per_seat_mb": round(pss, 1),
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
    print(f"  PSS per seat                 {result['pss_per_seat_mb']} MiB")
    print(f"  games                        {result['forked']} forked, "
          f"{result['spawned']} spawned; {len(left)} left after the pages went")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
