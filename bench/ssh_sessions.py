"""Concurrent SSH sessions on loopback, then a soak of connect/disconnect cycles.

How it measures:
- Starts `pizzashop serve ssh` on a free loopback port with its data directory in a temporary
  folder, a session cap above N and a rate limit that lets the load through.
- Load: N scripted players (asyncssh clients on 120×40 pseudo-terminals, true colour) join over
  `--ramp` seconds, as a class does, each timing its first frame: connect → the title screen
  drawn. Then all N play for `--seconds`: each presses ↓ or ↑ on the title list once a second
  (every press redraws the level details). Over that window it reads, from /proc, the CPU time
  of the server and every game (1.0 = one core busy), each game's resident and proportional set
  size (PSS splits shared library pages fairly between the games), and counts the bytes the
  players receive.
- Soak: `--cycles` connect/disconnect cycles, `--parallel` at a time, rotating through four ways
  of leaving: at once while the game starts, after the first byte, after the first frame with
  Ctrl+C (a clean quit), after the first frame by dropping the connection. Then it counts leaked
  processes (anything still running with the bench's data directory, orphans included) and the
  server's open file descriptors beyond those it had before the soak.

Prints a table, then one JSON line (the last line) with at least `sessions`,
`first_frame_p95_s`, `rss_per_session_mb`, `leaked_processes`, `leaked_fds`.
Targets: 20 concurrent sessions on a 2-core machine with first frame p95 ≤ 2 s; 200 cycles with
nothing leaked.

Needs the ssh extra (`pip install -e '.[ssh]'`) and Linux (/proc):

    .venv/bin/python bench/ssh_sessions.py [--sessions 20] [--ramp 20] [--seconds 20]
                                           [--cycles 200] [--parallel 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pizzashop.hosting.probe import HostedServer, Player, children, open_fds

SIZE = (120, 40)
KEYS = (b"\x1b[B", b"\x1b[A")
CTRL_C = b"\x03"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of `pid` in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def processes_using(home: Path, besides: int) -> list[int]:
    """Every process whose environment names the bench's data directory (orphans included)."""
    needle = f"PIZZASHOP_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in (besides, os.getpid()):
            with contextlib.suppress(OSError):
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


async def load(server: HostedServer, sessions: int, ramp: float, seconds: float) -> dict[str, Any]:
    players = [Player(server.port, f"player{n}", SIZE) for n in range(sessions)]
    first_frames: list[float] = []

    async def join(n: int, player: Player) -> None:
        await asyncio.sleep(ramp * n / sessions)
        await player.__aenter__()
        first_frames.append(await player.first_frame(timeout=120))

    async with contextlib.AsyncExitStack() as stack:
        for player in players:
            stack.push_async_exit(player.__aexit__)
        await asyncio.gather(*(join(n, p) for n, p in enumerate(players)))
        games = server.games()
        pids = [server.pid, *games]
        bytes_before = sum(len(p.output) for p in players)
        cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
        for second in range(int(seconds)):
            for player in players:
                player.type(KEYS[second % 2])
            await asyncio.sleep(1.0)
        wall = time.monotonic() - wall_before
        cpu = (cpu_seconds(pids) - cpu_before) / wall
        received = (sum(len(p.output) for p in players) - bytes_before) / wall
        memory = [memory_mb(pid) for pid in games]
        server_rss = memory_mb(server.pid)[0]
        for player in players:
            player.type(CTRL_C)
        for player in players:
            with contextlib.suppress(Exception):
                await player.exit_status(timeout=30)
    ordered = sorted(first_frames)
    return {
        "sessions": sessions,
        "games_running": len(games),
        "first_frame_p50_s": round(statistics.median(ordered), 3),
        "first_frame_p95_s": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "first_frame_max_s": round(ordered[-1], 3),
        "rss_per_session_mb": round(statistics.mean(rss for rss, _ in memory), 1),
        "pss_per_session_mb": round(statistics.mean(pss for _, pss in memory), 1),
        "server_rss_mb": round(server_rss, 1),
        "cpu_cores": round(cpu, 3),
        "bytes_per_s": round(received),
        "bytes_per_s_per_session": round(received / sessions),
    }


async def soak(server: HostedServer, cycles: int, parallel: int) -> int:
    """Connect and leave `cycles` times; returns the cycles that ended as expected."""
    done = 0
    queue = iter(range(cycles))

    async def cycle(n: int) -> bool:
        way = n % 4
        async with Player(server.port, f"soak{n}", SIZE) as player:
            if way == 0:
                return True
            if way == 1:
                while not player.output:
                    await asyncio.sleep(0.01)
                return True
            await player.first_frame(timeout=60)
            if way == 2:
                player.type(CTRL_C)
                return await player.exit_status(timeout=30) == 0
            return True

    async def worker() -> None:
        nonlocal done
        for n in queue:
            with contextlib.suppress(Exception):
                ok = await asyncio.wait_for(cycle(n), 90)
                done += ok  # after the await: `done += await …` would read `done` before it

    await asyncio.gather(*(worker() for _ in range(parallel)))
    return done


def settle(server: HostedServer, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while children(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which they join")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds all of them play")
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=4, help="soak cycles at a time")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure

    with tempfile.TemporaryDirectory(prefix="pizzashop-bench-") as folder:
        home = Path(folder)
        options = ("--max-sessions", str(args.sessions + args.parallel), "--rate-limit", "100000")
        with HostedServer(home, *options) as server:
            result = asyncio.run(load(server, args.sessions, args.ramp, args.seconds))
            settle(server)
            fds_before = open_fds(server.pid)
            started = time.monotonic()
            completed = asyncio.run(soak(server, args.cycles, args.parallel))
            soak_s = time.monotonic() - started
            settle(server)
            leaked_fds = max(0, open_fds(server.pid) - fds_before)
            leaked = processes_using(home, besides=server.pid)
        leaked_after_stop = processes_using(home, besides=-1)
    result.update(
        soak_cycles=args.cycles,
        soak_cycles_completed=completed,
        soak_s=round(soak_s, 1),
        leaked_processes=len(leaked),
        leaked_after_stop=len(leaked_after_stop),
        leaked_fds=leaked_fds,
        ramp_s=args.ramp,
        seconds=args.seconds,
        cores=os.cpu_count(),
        load_average_before=round(load_before, 2),
    )
    rows = [
        ("sessions (games running)", f"{result['sessions']} ({result['games_running']})"),
        ("joined over", f"{args.ramp:g} s"),
        ("first frame p50 / p95 / max",
         f"{result['first_frame_p50_s']} / {result['first_frame_p95_s']} / "
         f"{result['first_frame_max_s']} s"),
        ("memory per session", f"RSS {result['rss_per_session_mb']} MiB, "
                               f"PSS {result['pss_per_session_mb']} MiB"),
        ("server RSS", f"{result['server_rss_mb']} MiB"),
        ("CPU while playing", f"{result['cpu_cores']} cores of {result['cores']} "
                              f"(load average {load_before:.2f} before the bench)"),
        ("output", f"{result['bytes_per_s']:,} B/s "
                   f"({result['bytes_per_s_per_session']:,} B/s per session)"),
        ("soak", f"{completed}/{args.cycles} cycles as expected in {result['soak_s']} s"),
        ("leaked processes / fds", f"{len(leaked)} / {leaked_fds} "
                                   f"({len(leaked_after_stop)} after the server stopped)"),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
