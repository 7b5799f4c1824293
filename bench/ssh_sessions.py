"""Concurrent SSH sessions on loopback: a class joining, a burst, a room at play, then a soak.

How it measures:
- Starts `pizzashop serve ssh` on a free loopback port with its data directory in a temporary
  folder, a session cap above the largest phase and a rate limit that lets the load through.
  Games are forked from the server's game template (the log says, per game, "forked" or
  "spawned"; the table counts them), or with `--games-per-process N` seated up to N to a
  process forked from it ("seated"). Memory per seat is then a process's over its seats.
- Load: once the server's game template is ready, N scripted players (asyncssh clients on
  120×40 pseudo-terminals, true colour) join over `--ramp` seconds, as a class does, each
  timing its first frame: connect → the title screen drawn. Then all N play for `--seconds`:
  each presses ↓ or ↑ on the title list once a second (every press redraws the level details).
  Over that window it reads, from /proc, the CPU time of the server, its game template and
  every game (1.0 = one core busy), each game's resident and proportional set size (PSS splits
  shared pages fairly between the games and the template), and counts the bytes the players
  receive.
- Bursts (`--burst N:S`, repeatable): N players connect within S seconds, as a class does when
  the instructor says "connect now"; first frame p50 / p95 / max, and the CPU seconds the server,
  the template and the games spent until the last first frame. Then they quit.
- Play (`--play N`): N players join (over `--play-ramp` s), each opens a shift of default_day
  and sets 4× (`--speed`), then for `--play-seconds` presses ↓ or ↑ once a second (seat n at
  n/N of each second: a room does not press in step), moving the board's chef cursor;
  key-to-screen latency is the time from sending the key until the row with the cursor on the
  next chef ("▸ Sofia", "▸ Mario") arrives. Per seat p95 and the worst
  seat's; CPU (server, template, games) over the window; PSS and RSS per seat (the template's
  PSS shared out among the seats); bytes per second per seat.
- Soak: `--cycles` connect/disconnect cycles, `--parallel` at a time, rotating through four ways
  of leaving: at once while the game starts, after the first byte, after the first frame with
  Ctrl+C (a clean quit), after the first frame by dropping the connection. Then it counts leaked
  processes (anything still running with the bench's data directory, orphans included, besides
  the server and its template) and the server's open file descriptors beyond those it had
  before the soak.
- Attack, beside the players while they join and play (`--attack N`, 0 for none), from other
  loopback addresses, as a hostile participant would: N authenticated SSH connections that
  never open a session plus N/10 TCP connections that never speak, all at once (a burst far
  beyond the per-address cap); sessions that type bytes that are not UTF-8 (a Latin-1 "é",
  8-bit Meta keys) and then quit; sessions whose client sends EOF. It counts the attack's
  connections still open 15 s after they were opened, the games that crashed (the server's
  log, whole run), the EOF sessions left hanging, and whether every player got a first frame.

The client plays every player on one event loop on the same machine: its own CPU (SSH
encryption, reading the screens) is not counted, but it competes with the server for the cores.

Prints a table, then one JSON line (the last line) with at least `sessions`,
`first_frame_p95_s`, `rss_per_session_mb`, `leaked_processes`, `leaked_fds`,
`attack_connections_held`, `games_crashed`, `players_first_frame`, `bursts` (one object per
burst) and `play_*` (the play phase).
Targets (on a 2-core machine): 20 sessions joining over 20 s with first frame p95 ≤ 2 s; 30
players within 2 s with first frame p95 ≤ 1.0 s, 60 within 5 s with p95 ≤ 2.0 s; 60 seats at
play with every seat's key-to-screen p95 ≤ 150 ms, CPU ≤ 1.6 cores, PSS ≤ 20 MiB per seat; 200
cycles with nothing leaked; under attack 0 connections held, 0 games crashed, every player a
first frame. A phase that measured nothing fails the run.

With `--room`, it measures an instructor's room instead (`serve ssh --room`, a level behind a
start gate): N players join over `--ramp` seconds and wait in the lobby; `room start`; while
they play it times `--status-calls` round trips of `room status` on the room's socket (a
connection each, as the command makes them) and one `pizzashop room status` process; then a
game day — an outage, a rush and a chef's leave, `--seconds` apart — each timed from the
command to its notice on every player's screen; then `room end` to every seat ranked. Prints
a table and a JSON line with at least `room_seats`, `status_p50_ms`, `status_p95_ms`,
`notice_every_seat_s` (the slowest of the three). Target: the notice on every screen in
under 1 s with 30 seats.

Needs the ssh extra (`pip install -e '.[ssh]'`) and Linux (/proc):

    .venv/bin/python bench/ssh_sessions.py [--sessions 20] [--ramp 20] [--seconds 20]
        [--burst 30:2 --burst 60:5] [--play 60] [--play-seconds 30] [--speed 4]
        [--cycles 200] [--parallel 4] [--attack 300] [--games-per-process 1]
    .venv/bin/python bench/ssh_sessions.py --room [--sessions 30] [--ramp 30]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncssh

from pizzashop.hosting.probe import HostedServer, Player, children, connect, open_fds
from pizzashop.workshop.roomclient import RoomClient, RoomError

ROOM = '[room]\ntitle = "bench"\nlevel = "blackout"\nseed = 42\ngate = true\nspeeds = [1, 2, 4]\n'
GAME_DAY = (
    ("outage", {"target": "Central", "minutes": 20}, "game day: the instructor cuts the power"),
    ("rush", {"factor": 2, "minutes": 30}, "game day: a rush of orders"),
    ("leave", {"target": "Mario", "minutes": 30}, "game day: Mario is called away"),
)

SPEED_KEYS = {1: b"1", 2: b"2", 4: b"3", 8: b"4"}
"""The shift's speed keys."""
TO_DEFAULT_DAY = (b"\x1b[F", b"\x1b[A", b"\x1b[A")
"""End, ↑, ↑ on the title list: the scenario default_day (the list ends with the lab)."""
DEFAULT_DAY = "concept: logging and metrics"
"""What the title's details pane shows for default_day: Enter must wait for it (the title's
Enter is a priority binding and overtakes arrow keys still queued for the list)."""
CURSOR = ("▸ Mario", "▸ Sofia")
"""The board's cursor on default_day's first and second chef: ↓ moves it to Sofia, ↑ back."""
KEY_TIMEOUT = 5.0
TARGETS = {
    "burst": {30: 1.0, 60: 2.0},
    "key_p95_ms": 150.0,
    "play_cpu_cores": 1.6,
    "pss_per_seat_mb": 20.0,
}
SIZE = (120, 40)
KEYS = (b"\x1b[B", b"\x1b[A")
CTRL_C = b"\x03"
TICK = os.sysconf("SC_CLK_TCK")
FLOODER, TYPIST = "127.0.0.2", "127.0.0.3"
"""The attack's addresses: one floods connections, one plays hostile sessions."""
ATTACK_SESSIONS = 3
"""Sessions of each hostile kind (bytes that are not UTF-8, EOF)."""
HELD_AFTER = 15.0
NOT_UTF8 = (b"Zo\xe9 \xe9t\xe9 \xff\xfe \xc3( \xe2\x82", bytes(range(0x80, 0x100)))


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


def games_of(server: HostedServer, players: list[Player]) -> tuple[list[int], dict[str, int]]:
    """The processes running these players' games (from the server's log: a forked game's
    /proc environ is its template's; a table's games share its process), and how many games
    were forked, spawned and seated at a table."""
    started = server.started()
    running = set(server.games()) | set(server.tables())
    found = [started[p.name] for p in players if started.get(p.name, (0, ""))[0] in running]
    processes = sorted({pid for pid, _ in found})
    kinds = {"forked": 0, "spawned": 0, "seated": 0}
    for _, how in found:
        kinds[how] = kinds.get(how, 0) + 1
    return processes, kinds


def seat_memory(server: HostedServer, processes: list[int], seats: int) -> dict[str, float]:
    """RSS and PSS per seat (the games' processes over the seats in them), and PSS per seat
    with the template's shared out among them too."""
    memory = [memory_mb(pid) for pid in processes]
    template = sum(memory_mb(pid)[1] for pid in server.templates())
    pss = sum(p for _, p in memory)
    return {
        "rss": sum(r for r, _ in memory) / seats,
        "pss": pss / seats,
        "pss_per_seat": (pss + template) / seats,
        "template_pss": template,
        "processes": len(memory),
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p / 100 * len(ordered)) - 1)]


def processes_using(home: Path, besides: set[int]) -> list[int]:
    """Every process whose environment names the bench's data directory (orphans included)."""
    needle = f"PIZZASHOP_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in {*besides, os.getpid()}:
            with contextlib.suppress(OSError):
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


async def load(
    server: HostedServer, sessions: int, ramp: float, seconds: float, attackers: int
) -> dict[str, Any]:
    players = [Player(server.port, f"player{n}", SIZE) for n in range(sessions)]
    first_frames: list[float] = []

    async with contextlib.AsyncExitStack() as stack:
        for player in players:
            stack.push_async_exit(player.__aexit__)
        beside = asyncio.create_task(attack(server, attackers))
        await join(players, ramp, first_frames)
        if not first_frames:
            raise SystemExit("no player got a first frame: nothing was measured")
        games, kinds = games_of(server, players)
        if not games:
            raise SystemExit("no game of the players was found: nothing was measured")
        pids = [server.pid, *server.templates(), *games]
        bytes_before = sum(len(p.output) for p in players)
        cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
        for second in range(int(seconds)):
            for player in players:
                player.type(KEYS[second % 2])
            await asyncio.sleep(1.0)
        wall = time.monotonic() - wall_before
        cpu = (cpu_seconds(pids) - cpu_before) / wall
        received = (sum(len(p.output) for p in players) - bytes_before) / wall
        memory = seat_memory(server, games, sum(kinds.values()))
        server_rss = memory_mb(server.pid)[0]
        await quit_all(players)
        attacked = await beside
    ordered = sorted(first_frames)
    return {
        **attacked,
        "players_first_frame": "yes" if len(first_frames) == sessions else "no",
        "players_without_first_frame": sessions - len(first_frames),
        "sessions": sessions,
        "games_running": sum(kinds.values()),
        "game_processes": len(games),
        "games_forked": kinds["forked"],
        "games_spawned": kinds["spawned"],
        "games_seated": kinds["seated"],
        "first_frame_p50_s": round(statistics.median(ordered), 3),
        "first_frame_p95_s": round(percentile(ordered, 95), 3),
        "first_frame_max_s": round(ordered[-1], 3),
        "rss_per_session_mb": round(memory["rss"], 1),
        "pss_per_session_mb": round(memory["pss"], 1),
        "pss_per_seat_mb": round(memory["pss_per_seat"], 1),
        "template_pss_mb": round(memory["template_pss"], 1),
        "server_rss_mb": round(server_rss, 1),
        "cpu_cores": round(cpu, 3),
        "bytes_per_s": round(received),
        "bytes_per_s_per_session": round(received / sessions),
    }


async def join(players: list[Player], over: float, first_frames: list[float]) -> None:
    """The players connect one after another over `over` seconds, each timing its first frame
    into `first_frames` (one that gets none is counted by its absence)."""

    async def one(n: int, player: Player) -> None:
        await asyncio.sleep(over * n / len(players))
        with contextlib.suppress(Exception):
            await player.__aenter__()
            first_frames.append(await player.first_frame(timeout=120))

    await asyncio.gather(*(one(n, player) for n, player in enumerate(players)))


async def quit_all(players: list[Player]) -> None:
    """Ctrl+C in every game (it quits from any screen), then wait for each to end."""
    for player in players:
        with contextlib.suppress(Exception):
            player.type(CTRL_C)
    for player in players:
        with contextlib.suppress(Exception):
            await player.exit_status(timeout=30)


async def burst(server: HostedServer, players: int, within: float, tag: str) -> dict[str, Any]:
    """`players` connect within `within` seconds; their first frames, and the CPU it took."""
    crowd = [Player(server.port, f"{tag}{n}", SIZE) for n in range(players)]
    first_frames: list[float] = []
    cpu_before = cpu_seconds([server.pid, *server.templates()])
    async with contextlib.AsyncExitStack() as stack:
        for player in crowd:
            stack.push_async_exit(player.__aexit__)
        await join(crowd, within, first_frames)
        games, kinds = games_of(server, crowd)
        cpu = cpu_seconds([server.pid, *server.templates(), *games]) - cpu_before
        await quit_all(crowd)
    if not first_frames:
        raise SystemExit(f"no player of the burst of {players} got a first frame: nothing was "
                         "measured")  # fmt: skip
    ordered = sorted(first_frames)
    return {
        "players": players,
        "within_s": within,
        "first_frame_p50_s": round(statistics.median(ordered), 3),
        "first_frame_p95_s": round(percentile(ordered, 95), 3),
        "first_frame_max_s": round(ordered[-1], 3),
        "without_first_frame": players - len(first_frames),
        "forked": kinds["forked"],
        "spawned": kinds["spawned"],
        "seated": kinds["seated"],
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_player": round(cpu / players, 3),
    }


async def play(
    server: HostedServer, seats: int, ramp: float, seconds: float, speed: int
) -> dict[str, Any]:
    """`seats` players in a shift at `speed`, each moving the board's cursor once a second."""
    players = [Player(server.port, f"seat{n}", SIZE) for n in range(seats)]
    latencies: dict[str, list[float]] = {p.name: [] for p in players}
    missed = 0

    async def join(n: int, player: Player) -> bool:
        await asyncio.sleep(ramp * n / seats)
        with contextlib.suppress(Exception):
            await player.__aenter__()
            await player.first_frame(timeout=120)
            mark = len(player.output)
            for key in TO_DEFAULT_DAY:
                player.type(key)
            await player.wait_for(DEFAULT_DAY, since=mark, timeout=60)
            mark = len(player.output)
            player.type(b"\r")  # default_day has no briefing: its shift starts at 1×
            await player.wait_for("▶ 1×", since=mark, timeout=60)
            mark = len(player.output)
            player.type(SPEED_KEYS[speed])
            await player.wait_for(f"▶ {speed}×", since=mark, timeout=60)
            return True
        return False

    async def keys(player: Player, phase: float, until: float) -> None:
        """A key a second, `phase` seconds into each second: players do not press in step."""
        nonlocal missed
        second = 0
        await asyncio.sleep(phase)
        while time.monotonic() < until:
            mark, sent = len(player.output), time.monotonic()
            player.type(KEYS[second % 2])
            try:
                await player.wait_for(CURSOR[(second + 1) % 2], since=mark, timeout=KEY_TIMEOUT)
                latencies[player.name].append(time.monotonic() - sent)
            except (TimeoutError, EOFError):
                missed += 1
            second += 1
            await asyncio.sleep(max(0.0, sent + 1.0 - time.monotonic()))

    async with contextlib.AsyncExitStack() as stack:
        for player in players:
            stack.push_async_exit(player.__aexit__)
        ready = await asyncio.gather(*(join(n, p) for n, p in enumerate(players)))
        playing = [p for p, ok in zip(players, ready, strict=True) if ok]
        if not playing:
            raise SystemExit("no seat reached a shift: the play phase measured nothing")
        games, kinds = games_of(server, playing)
        pids = [server.pid, *server.templates(), *games]
        bytes_before = sum(len(p.output) for p in playing)
        cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
        server_before = cpu_seconds([server.pid])
        until = wall_before + seconds
        await asyncio.gather(*(keys(p, n / len(playing), until) for n, p in enumerate(playing)))
        wall = time.monotonic() - wall_before
        cpu = (cpu_seconds(pids) - cpu_before) / wall
        server_cpu = (cpu_seconds([server.pid]) - server_before) / wall
        received = (sum(len(p.output) for p in playing) - bytes_before) / wall
        memory = seat_memory(server, games, len(playing))
        await quit_all(players)
    measured = [ms for name in latencies for ms in latencies[name]]
    if not measured:
        raise SystemExit("no key reached a screen: the play phase measured nothing")
    per_seat = [percentile(values, 95) for values in latencies.values() if values]
    return {
        "play_seats": seats,
        "play_seats_playing": len(playing),
        "play_forked": kinds["forked"],
        "play_spawned": kinds["spawned"],
        "play_seated": kinds["seated"],
        "play_processes": memory["processes"],
        "play_speed": speed,
        "play_seconds": seconds,
        "play_keys": len(measured),
        "play_keys_missed": missed,
        "play_key_p50_ms": round(statistics.median(measured) * 1000, 1),
        "play_key_p95_ms": round(percentile(measured, 95) * 1000, 1),
        "play_key_max_ms": round(max(measured) * 1000, 1),
        "play_worst_seat_key_p95_ms": round(max(per_seat) * 1000, 1),
        "play_cpu_cores": round(cpu, 3),
        "play_server_cpu_cores": round(server_cpu, 3),
        "play_rss_per_seat_mb": round(memory["rss"], 1),
        "play_pss_per_seat_mb": round(memory["pss_per_seat"], 1),
        "play_template_pss_mb": round(memory["template_pss"], 1),
        "play_bytes_per_s_per_seat": round(received / len(playing)),
    }


async def attack(server: HostedServer, connections: int) -> dict[str, Any]:
    """The hostile participant, beside the players (see the module's docstring)."""
    if connections <= 0:
        return {"attack_connections": 0}
    loop = asyncio.get_running_loop()
    held: list[asyncssh.SSHClientConnection] = []
    silent: list[asyncio.Task[bytes]] = []

    async def idle(n: int) -> None:
        with contextlib.suppress(asyncssh.Error, OSError, TimeoutError):
            conn = await asyncio.wait_for(connect(server.port, f"idle{n}", source=FLOODER), 30)
            held.append(conn)

    async def mute() -> None:
        with contextlib.suppress(OSError):
            reader, _ = await asyncio.open_connection(
                "127.0.0.1", server.port, local_addr=(FLOODER, 0)
            )
            silent.append(asyncio.create_task(reader.read()))

    opened = loop.time()
    hostile = [typist(server, n) for n in range(ATTACK_SESSIONS)]
    hostile += [quitter(server, n) for n in range(ATTACK_SESSIONS)]
    playing = asyncio.gather(*hostile)
    await asyncio.gather(*(idle(n) for n in range(connections)))
    await asyncio.gather(*(mute() for _ in range(connections // 10)))
    await asyncio.sleep(max(0.0, opened + HELD_AFTER - loop.time()))
    still_open = sum(not conn.is_closed() for conn in held)
    still_open += sum(not task.done() for task in silent)
    outcomes = await playing
    for conn in held:
        conn.abort()
    for task in silent:
        task.cancel()
    typed, hung = outcomes[:ATTACK_SESSIONS], outcomes[ATTACK_SESSIONS:]
    return {
        "attack_connections": connections + connections // 10,
        "attack_connections_admitted": len(held) + len(silent),
        "attack_connections_held": still_open,
        "attack_not_utf8_sessions_ok": sum(typed),
        "attack_eof_sessions_hung": sum(hung),
    }


async def typist(server: HostedServer, n: int) -> bool:
    """A session that types bytes that are not UTF-8, then Ctrl+C: did it quit cleanly, with
    no traceback on the player's screen?"""
    with contextlib.suppress(Exception):
        async with Player(server.port, f"typist{n}", SIZE, source=TYPIST) as player:
            await player.first_frame(timeout=120)
            for keys in NOT_UTF8:
                player.type(keys)
            player.type(CTRL_C)
            return await player.exit_status(timeout=30) == 0 and "Traceback" not in player.text
    return False


async def quitter(server: HostedServer, n: int) -> bool:
    """A session whose client sends EOF: is it left hanging (no exit status in 20 s)?"""
    with contextlib.suppress(Exception):
        async with Player(server.port, f"eof{n}", SIZE, source=TYPIST) as player:
            await player.first_frame(timeout=120)
            player.end_input()
            await player.exit_status(timeout=20)
            return False
    return True


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


def template_ready(server: HostedServer, timeout: float = 60.0) -> float:
    """Seconds until the server's game template was ready (a class joins a server that has
    been up a while, not one still loading its template); `timeout` for a server without."""
    started = time.monotonic()
    while "game template ready" not in server.log_text():
        if time.monotonic() - started > timeout:
            break
        time.sleep(0.1)
    return time.monotonic() - started


async def room_round(
    server: HostedServer, sessions: int, ramp: float, seconds: float, calls: int
) -> dict[str, Any]:
    """An instructor's round (see the module's docstring); the figures as a dict."""
    socket = server.home / "room.sock"
    players = [Player(server.port, f"player{n}", SIZE) for n in range(sessions)]
    seated: list[Player] = []

    async def ask(command: str, **fields: Any) -> dict[str, Any]:
        async with RoomClient(socket) as room:
            return await room.ask(command, **fields)

    async def join(n: int, player: Player) -> None:
        await asyncio.sleep(ramp * n / sessions)
        with contextlib.suppress(Exception):  # counted: not seated
            await player.__aenter__()
            await player.wait_for("players here", timeout=120)
            seated.append(player)

    async def until(check: Any, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not check(reply := await ask("status")):
            if time.monotonic() > deadline:
                raise SystemExit(f"the room never got there: {reply['phase']}")
            await asyncio.sleep(0.2)
        return reply

    async with contextlib.AsyncExitStack() as stack:
        for player in players:
            stack.push_async_exit(player.__aexit__)
        await asyncio.gather(*(join(n, p) for n, p in enumerate(players)))
        if not seated:
            raise SystemExit("no player took a seat: nothing was measured")
        await ask("start")
        await until(lambda r: sum(s["state"] == "playing" for s in r["seats"]) == len(seated))
        await asyncio.sleep(2.0)  # every seat reporting its clock
        latencies = []
        for _ in range(calls):
            started = time.monotonic()
            reply = await ask("status")
            latencies.append(time.monotonic() - started)
        started = time.monotonic()
        command = [sys.executable, "-m", "pizzashop", "room", "status"]
        subprocess.run(command, env=server.env, capture_output=True, check=True)
        process_s = time.monotonic() - started
        notices: list[float] = []
        for kind, fields, text in GAME_DAY:
            marks = [len(player.output) for player in seated]
            started = time.monotonic()
            await ask(kind, **fields)
            pairs = zip(seated, marks, strict=True)
            waits = (player.wait_for(text, since=mark, timeout=30) for player, mark in pairs)
            seen = await asyncio.gather(*waits)  # seconds since each player connected
            shown = max(p.started + s for p, s in zip(seated, seen, strict=True))
            notices.append(shown - started)
            await asyncio.sleep(seconds / len(GAME_DAY))
        started = time.monotonic()
        await ask("end")
        reply = await until(lambda r: len(r["ranking"]) == len(seated))
        ranked_s = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "room_seats": len(seated),
        "sessions": sessions,
        "status_calls": calls,
        "status_p50_ms": round(1000 * statistics.median(ordered), 2),
        "status_p95_ms": round(1000 * ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        "status_max_ms": round(1000 * ordered[-1], 2),
        "status_bytes": len(json.dumps(reply)),
        "status_process_s": round(process_s, 3),
        "notice_every_seat_s": round(max(notices), 3),
        "notices_s": [round(notice, 3) for notice in notices],
        "end_to_ranking_s": round(ranked_s, 3),
    }


def room_main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pizzashop-bench-") as folder:
        home = Path(folder)
        (home / "room.toml").write_text(ROOM)
        options = ("--room", str(home / "room.toml"), "--max-sessions", str(args.sessions + 2),
                   "--rate-limit", "100000")  # fmt: skip
        with HostedServer(home, *options) as server:
            try:
                result = asyncio.run(
                    room_round(server, args.sessions, args.ramp, args.seconds, args.status_calls)
                )
            except RoomError as error:
                raise SystemExit(f"the room did not answer: {error}") from None
            crashed = server.log_text().count(": crashed")
    result.update(games_crashed=crashed, cores=os.cpu_count(), load_average_before=load_before)
    rows = [
        ("seats (of sessions)", f"{result['room_seats']} ({result['sessions']})"),
        ("room status round trip",
         f"p50 {result['status_p50_ms']} / p95 {result['status_p95_ms']} / max "
         f"{result['status_max_ms']} ms over {result['status_calls']} calls "
         f"({result['status_bytes']:,} B a reply)"),
        ("pizzashop room status", f"{result['status_process_s']} s (a process, start to exit)"),
        ("notice on every screen",
         f"{result['notice_every_seat_s']} s at most (outage, rush, leave: "
         f"{' / '.join(f'{n:g}' for n in result['notices_s'])} s)"),
        ("room end to every seat ranked", f"{result['end_to_ranking_s']} s"),
        ("games crashed", str(crashed)),
        ("load average before", f"{load_before:.2f} on {result['cores']} cores"),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps(result))


def settle(server: HostedServer, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while children(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def burst_spec(text: str) -> tuple[int, float]:
    """`N:S`: N players within S seconds."""
    players, _, within = text.partition(":")
    try:
        spec = int(players), float(within)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not PLAYERS:SECONDS") from None
    if spec[0] < 0 or spec[1] < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: players and seconds are not negative")
    return spec


def mark(value: float, target: float) -> str:
    return f"(target ≤ {target:g}: {'met' if value <= target else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which they join")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds all of them play")
    parser.add_argument(
        "--burst", type=burst_spec, action="append", default=None, metavar="N:S",
        help="N players joining within S seconds (repeatable; default 30:2 and 60:5; 0:0 none)",
    )  # fmt: skip
    parser.add_argument("--play", type=int, default=60, help="seats in a shift (0: none)")
    parser.add_argument("--play-ramp", type=float, default=10.0, help="seconds they join over")
    parser.add_argument("--play-seconds", type=float, default=30.0, help="seconds they play")
    parser.add_argument("--speed", type=int, choices=sorted(SPEED_KEYS), default=4)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=4, help="soak cycles at a time")
    parser.add_argument(
        "--attack", type=int, default=300, help="idle connections of the attack (0: no attack)"
    )
    parser.add_argument(
        "--games-per-process", type=int, default=1, metavar="N",
        help="the server's --games-per-process (default 1: a process per game)",
    )  # fmt: skip
    parser.add_argument("--room", action="store_true", help="measure an instructor's room")
    parser.add_argument(
        "--status-calls", type=int, default=50, help="room status round trips (--room)"
    )
    args = parser.parse_args()
    if args.room:
        room_main(args)
        return
    bursts = [b for b in (args.burst or [(30, 2.0), (60, 5.0)]) if b[0] > 0]
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure

    with tempfile.TemporaryDirectory(prefix="pizzashop-bench-") as folder:
        home = Path(folder)
        largest = max([args.sessions, args.play, *(n for n, _ in bursts)])
        places = largest + max(args.parallel, 2 * ATTACK_SESSIONS)
        options = ("--max-sessions", str(places), "--rate-limit", "100000",
                   "--games-per-process", str(args.games_per_process))  # fmt: skip
        with HostedServer(home, *options) as server:
            ready = template_ready(server)
            result = asyncio.run(load(server, args.sessions, args.ramp, args.seconds, args.attack))
            result["template_ready_s"] = round(ready, 1)
            settle(server)
            result["bursts"] = []
            for number, (players, within) in enumerate(bursts):
                found = asyncio.run(burst(server, players, within, f"burst{number}-"))
                result["bursts"].append(found)
                result[f"burst_{players}_in_{within:g}s_first_frame_p95_s"] = found[
                    "first_frame_p95_s"
                ]
                settle(server)
            if args.play > 0:
                result.update(
                    asyncio.run(
                        play(server, args.play, args.play_ramp, args.play_seconds, args.speed)
                    )
                )
                settle(server)
            fds_before = open_fds(server.pid)
            started = time.monotonic()
            completed = asyncio.run(soak(server, args.cycles, args.parallel))
            soak_s = time.monotonic() - started
            settle(server)
            leaked_fds = max(0, open_fds(server.pid) - fds_before)
            leaked = processes_using(home, besides={server.pid, *server.templates()})
            crashed = server.log_text().count(": crashed")
        leaked_after_stop = processes_using(home, besides=set())
    result.update(
        soak_cycles=args.cycles,
        soak_cycles_completed=completed,
        soak_s=round(soak_s, 1),
        leaked_processes=len(leaked),
        leaked_after_stop=len(leaked_after_stop),
        leaked_fds=leaked_fds,
        games_crashed=crashed,
        ramp_s=args.ramp,
        seconds=args.seconds,
        cores=os.cpu_count(),
        load_average_before=round(load_before, 2),
        load_average_after=round(os.getloadavg()[0], 2),
    )
    rows = [
        ("sessions (games running)", f"{result['sessions']} ({result['games_running']}: "
                                     f"{result['games_forked']} forked, "
                                     f"{result['games_spawned']} spawned, "
                                     f"{result['games_seated']} seated at "
                                     f"--games-per-process {args.games_per_process}; "
                                     f"{result['game_processes']} processes)"),
        ("joined over", f"{args.ramp:g} s, once the game template was ready "
                        f"({result['template_ready_s']} s after the server listened)"),
        ("first frame p50 / p95 / max",
         f"{result['first_frame_p50_s']} / {result['first_frame_p95_s']} / "
         f"{result['first_frame_max_s']} s {mark(result['first_frame_p95_s'], 2.0)}"),
        ("memory per session", f"RSS {result['rss_per_session_mb']} MiB, "
                               f"PSS {result['pss_per_session_mb']} MiB "
                               f"({result['pss_per_seat_mb']} MiB with the template's share)"),
        ("server RSS", f"{result['server_rss_mb']} MiB"),
        ("CPU while playing", f"{result['cpu_cores']} cores of {result['cores']} "
                              f"(load average {load_before:.2f} before the bench, "
                              f"{result['load_average_after']:.2f} after)"),
        ("output", f"{result['bytes_per_s']:,} B/s "
                   f"({result['bytes_per_s_per_session']:,} B/s per session)"),
    ]  # fmt: skip
    for found in result["bursts"]:
        target = TARGETS["burst"].get(found["players"])
        rows += [
            (f"burst: {found['players']} within {found['within_s']:g} s",
             f"first frame {found['first_frame_p50_s']} / {found['first_frame_p95_s']} / "
             f"{found['first_frame_max_s']} s (p50 / p95 / max) "
             + (mark(found["first_frame_p95_s"], target) if target else "")),
            ("  CPU until the last first frame",
             f"{found['cpu_seconds']} s ({found['cpu_seconds_per_player']} s a player; "
             f"{found['forked']} forked, {found['spawned']} spawned, {found['seated']} seated, "
             f"{found['without_first_frame']} without a first frame)"),
        ]  # fmt: skip
    if args.play > 0:
        rows += [
            (f"play: {result['play_seats']} seats at {args.speed}×",
             f"{result['play_seats_playing']} in a shift ({result['play_forked']} forked, "
             f"{result['play_spawned']} spawned, {result['play_seated']} seated; "
             f"{result['play_processes']} processes), {result['play_keys']} keys, "
             f"{result['play_keys_missed']} missed"),
            ("  key to screen p50 / p95 / max",
             f"{result['play_key_p50_ms']} / {result['play_key_p95_ms']} / "
             f"{result['play_key_max_ms']} ms"),
            ("  worst seat's p95", f"{result['play_worst_seat_key_p95_ms']} ms "
                                   f"{mark(result['play_worst_seat_key_p95_ms'], 150)}"),
            ("  CPU", f"{result['play_cpu_cores']} cores "
                      f"{mark(result['play_cpu_cores'], TARGETS['play_cpu_cores'])}, "
                      f"of which the server {result['play_server_cpu_cores']}"),
            ("  memory per seat", f"PSS {result['play_pss_per_seat_mb']} MiB "
                                  f"{mark(result['play_pss_per_seat_mb'], 20)}, "
                                  f"RSS {result['play_rss_per_seat_mb']} MiB "
                                  f"(template PSS {result['play_template_pss_mb']} MiB)"),
            ("  output", f"{result['play_bytes_per_s_per_seat']:,} B/s per seat"),
        ]  # fmt: skip
    rows += [
        ("soak", f"{completed}/{args.cycles} cycles as expected in {result['soak_s']} s"),
        ("leaked processes / fds", f"{len(leaked)} / {leaked_fds} "
                                   f"({len(leaked_after_stop)} after the server stopped)"),
        ("games crashed", str(crashed)),
    ]  # fmt: skip
    if args.attack > 0:
        rows += [
            ("attack connections", f"{result['attack_connections']} at once, "
                                   f"{result['attack_connections_admitted']} let in"),
            (f"  held after {HELD_AFTER:g} s", str(result["attack_connections_held"])),
            ("  not-UTF-8 sessions ok",
             f"{result['attack_not_utf8_sessions_ok']}/{ATTACK_SESSIONS}"),
            ("  EOF sessions hung", f"{result['attack_eof_sessions_hung']}/{ATTACK_SESSIONS}"),
            ("players got a first frame", f"{result['players_first_frame']} "
                                          f"({result['players_without_first_frame']} without)"),
        ]  # fmt: skip
    if args.attack > 0 and not result["attack_connections_admitted"]:
        raise SystemExit("no attack connection got in: the attack measured nothing")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
