"""Where a hosted seat's memory goes: one seat forked from a warmed game template, as `serve ssh`
forks it, played on a pseudo-terminal; then several games in one process, for comparison.

`bench/ssh_sessions.py` gives the PSS per seat of a whole room; this one explains it. A forked
seat shares the template's pages until it writes to one, and then has a private copy. It
prints:

- the seat's private dirty memory at each step: forked (nothing run yet), title screen, the
  default_day shift at 1×, then after `--seconds` at 4× with a key a second;
- what its private pages are, page by page, against the template (needs root, which can read
  page frame numbers): pages still shared; pages copied on write whose content is now the same
  as the template's (written and put back: reference counts that went up and down), copied pages
  whose only changes look like counts (small integers), copied pages with other changes (the
  seat's own objects placed in the template's free space, the interpreter's inline caches), and
  pages the template never had;
- then `--apps` games started one after another in one forked process (headless, the same
  shift), and the private memory after each: what a further game costs when the pages the first
  one copied are already the process's own.

A step that measured nothing (the game never reached its screen) fails the bench.

    .venv/bin/python bench/seat_memory.py [--seconds 10] [--apps 3]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import fcntl
import gc
import json
import os
import select
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
SIZE = (120, 40)
TITLE = "Opening"
DEFAULT_DAY = "concept: logging and metrics"
TO_DEFAULT_DAY = (b"\x1b[F", b"\x1b[A", b"\x1b[A")
KEYS = (b"\x1b[B", b"\x1b[A")
PFN_MASK = (1 << 55) - 1
PRESENT = 1 << 63
SMALL = 1 << 24
"""A changed word whose old and new values are both below this looks like a reference count."""


def private_dirty(pid: int) -> float:
    """MiB of `pid`'s pages that are its own and written (smaps_rollup's Private_Dirty)."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"no Private_Dirty for {pid}: the bench measured nothing")


def warm_template() -> Callable[[], int]:
    """This process becomes the template: everything loaded and rehearsed, then frozen."""
    from pizzashop.hosting.template import GAME, load_entry, warm_up

    entry = load_entry(GAME)
    problem = warm_up()
    if problem is not None:
        raise SystemExit(f"the rehearsal failed: {problem}")
    gc.collect()
    gc.freeze()
    return entry


def fork_seat(entry: Callable[[], int], home: str, slave: int) -> int:
    """A seat as the template forks it: its own session, the pty `slave` its terminal."""
    from pizzashop.hosting.template import fresh_standard_streams

    pid = os.fork()
    if pid == 0:
        os.setsid()
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        os.close(slave)
        os.environ.clear()
        os.environ.update(
            PIZZASHOP_HOME=home, TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8"
        )
        fresh_standard_streams()
        sys.argv = ["pizzashop"]
        os._exit(entry())
    os.close(slave)
    return pid


class Screen:
    """What the seat drew, read from the pty's master end."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.output = bytearray()

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.output.extend(os.read(self.master, 65536))
                except OSError:
                    return

    def wait_for(self, text: str, since: int = 0, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while text.encode() not in self.output[since:]:
            if time.monotonic() > end:
                raise SystemExit(f"the seat never showed {text!r}: the bench measured nothing")
            self.pump(0.05)

    def press(self, key: bytes, pause: float = 0.2) -> None:
        os.write(self.master, key)
        self.pump(pause)


def play_seat(pid: int, screen: Screen, seconds: int) -> list[tuple[str, float]]:
    steps = [("forked", private_dirty(pid))]
    screen.wait_for(TITLE)
    screen.pump(1.0)
    steps.append(("title screen", private_dirty(pid)))
    for key in TO_DEFAULT_DAY:
        screen.press(key)
    screen.wait_for(DEFAULT_DAY)
    mark = len(screen.output)
    screen.press(b"\r", 0)
    screen.wait_for("▶ 1×", mark)
    screen.pump(0.5)
    steps.append(("shift at 1×", private_dirty(pid)))
    mark = len(screen.output)
    screen.press(b"3", 0)
    screen.wait_for("▶ 4×", mark)
    for second in range(seconds):
        screen.press(KEYS[second % 2], 1.0)
    steps.append((f"{seconds} s at 4×", private_dirty(pid)))
    return steps


def anonymous(pid: int) -> list[tuple[int, int]]:
    """The [heap] and anonymous mappings of `pid`: where Python's objects live."""
    found = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) == 5 or fields[5] == "[heap]":
                start, end = (int(x, 16) for x in fields[0].split("-"))
                found.append((start, end))
    return found


def entries(pagemap: Any, start: int, end: int) -> tuple[int, ...]:
    pagemap.seek(start // PAGE * 8)
    data = pagemap.read((end - start) // PAGE * 8)
    return struct.unpack(f"{len(data) // 8}Q", data)


def attribute(seat: int, template: int) -> dict[str, float] | None:
    """MiB of the seat's anonymous pages by what they are against the template's; None when
    page frame numbers are hidden (not root)."""
    counts: collections.Counter[str] = collections.Counter()
    ours = {start: end for start, end in anonymous(template)}
    with (
        open(f"/proc/{seat}/pagemap", "rb") as seat_map,
        open(f"/proc/{template}/pagemap", "rb") as template_map,
        open(f"/proc/{seat}/mem", "rb") as seat_mem,
        open(f"/proc/{template}/mem", "rb") as template_mem,
    ):
        for start, end in anonymous(seat):
            for n, entry in enumerate(entries(seat_map, start, end)):
                if not entry & PRESENT:
                    continue
                if entry & PFN_MASK == 0:
                    return None
                address = start + n * PAGE
                inside = any(s <= address < e for s, e in ours.items())
                theirs = entries(template_map, address, address + PAGE)[0] if inside else 0
                if not theirs & PRESENT:
                    counts["new"] += 1
                elif theirs & PFN_MASK == entry & PFN_MASK:
                    counts["shared"] += 1
                else:
                    counts[copied(seat_mem, template_mem, address)] += 1
    return {kind: pages * PAGE / MIB for kind, pages in counts.items()}


def copied(seat_mem: Any, template_mem: Any, address: int) -> str:
    seat_mem.seek(address)
    template_mem.seek(address)
    words = PAGE // 8
    mine = struct.unpack(f"{words}Q", seat_mem.read(PAGE))
    theirs = struct.unpack(f"{words}Q", template_mem.read(PAGE))
    changed = [(a, b) for a, b in zip(theirs, mine, strict=True) if a != b]
    if not changed:
        return "copied, same content"
    if all(a < SMALL and b < SMALL for a, b in changed):
        return "copied, counts changed"
    return "copied, rewritten"


def apps_in_one_process(count: int, seconds: float) -> list[float]:
    """Private dirty MiB of one forked process after each of `count` headless games reached
    its shift (all kept running)."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        marks = asyncio.run(_apps(count, seconds))
        os.write(writing, json.dumps(marks).encode())
        os._exit(0)
    os.close(writing)
    received = b""
    while chunk := os.read(reading, 65536):
        received += chunk
    os.waitpid(pid, 0)
    if not received:
        raise SystemExit("the games in one process never reached a shift: measured nothing")
    return json.loads(received)  # type: ignore[no-any-return]


async def _apps(count: int, seconds: float) -> list[float]:
    from textual.pilot import Pilot

    from pizzashop.sim import load_scenario
    from pizzashop.ui.app import PizzaShopApp

    marks: list[float] = []
    started = [asyncio.Event() for _ in range(count)]
    done = asyncio.Event()

    async def game(n: int) -> None:
        if n:
            await started[n - 1].wait()
        app = PizzaShopApp(load_scenario("default_day"))

        async def script(pilot: Pilot[None]) -> None:
            await pilot.press("3")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                await pilot.press("down", "up")
                await asyncio.sleep(1.0)
            marks.append(private_dirty(os.getpid()))
            started[n].set()
            await done.wait()
            app.exit()

        await app.run_async(headless=True, size=SIZE, auto_pilot=script)

    async def last() -> None:
        await started[-1].wait()
        done.set()

    await asyncio.gather(*(game(n) for n in range(count)), last())
    return marks


def template(master: int, slave: int, home: str, to_bench: int, from_bench: int) -> None:
    """The template process: warm up, fork the seat, say its id, wait idle (as the server's
    template does) until the bench has measured it; then run the games in one process."""
    os.close(master)
    entry = warm_template()
    pid = fork_seat(entry, home, slave)
    os.write(to_bench, f"{pid}\n".encode())
    os.read(from_bench, 1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    apps, seconds = json.loads(os.read(from_bench, 1024))
    os.write(to_bench, json.dumps(apps_in_one_process(apps, seconds)).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--apps", type=int, default=3)
    args = parser.parse_args()
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    to_bench, from_template = os.pipe()[::-1]
    from_bench, to_template = os.pipe()
    with tempfile.TemporaryDirectory(prefix="pizzashop-seat-memory-") as home:
        keeper = os.fork()
        if keeper == 0:
            try:
                template(master, slave, home, to_bench, from_bench)
            finally:
                os._exit(0)
        os.close(slave)
        line = os.read(from_template, 64)
        if not line:
            raise SystemExit("the template never forked a seat: the bench measured nothing")
        pid = int(line)
        steps = play_seat(pid, Screen(master), args.seconds)
        pages = attribute(pid, keeper)
        os.write(to_template, b"x")
        os.write(to_template, json.dumps([args.apps, min(args.seconds, 5)]).encode())
        received = b""
        while chunk := os.read(from_template, 65536):
            received += chunk
            with contextlib.suppress(ValueError):
                marks = json.loads(received)
                break
        else:
            raise SystemExit("the games in one process never reached a shift: measured nothing")
        os.waitpid(keeper, 0)
        os.close(master)
    print(f"one seat forked from a warmed template, played on a {SIZE[0]}×{SIZE[1]} pty")
    for step, mib in steps:
        print(f"  {step:<22} private dirty {mib:5.1f} MiB")
    if pages is None:
        print("  page by page: needs root (page frame numbers are hidden)")
    else:
        print("  its Python heap, page by page against the template's:")
        for kind in ("shared", "copied, same content", "copied, counts changed",
                     "copied, rewritten", "new"):  # fmt: skip
            print(f"    {kind:<24} {pages.get(kind, 0.0):5.1f} MiB")
    print(f"{args.apps} games started one after another in one forked process (headless)")
    for n, mib in enumerate(marks, 1):
        extra = f"  (+{mib - marks[n - 2]:.1f} MiB for this game)" if n > 1 else ""
        print(f"  after game {n}: private dirty {mib:5.1f} MiB{extra}")
    print(json.dumps({
        "seat_private_dirty_mb": {step: round(mib, 1) for step, mib in steps},
        "seat_pages_mb": {k: round(v, 1) for k, v in (pages or {}).items()},
        "apps_private_dirty_mb": [round(m, 1) for m in marks],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
