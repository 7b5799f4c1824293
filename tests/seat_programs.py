"""Small programs a seat runs instead of the game, forked from a template (`entry`) or spawned
(`command`), for the tests of how games start: each is a function returning an exit status."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

ENTRY = "seat_programs:{}"
"""How a template names one of these (the tests folder is on its PYTHONPATH)."""


def command(name: str) -> tuple[str, ...]:
    """How a spawned game runs one of these."""
    return (sys.executable, "-c", f"import seat_programs as p; raise SystemExit(p.{name}())")


def report() -> int:
    """Print what a game starts with, as JSON on one line, then wait for a line to exit."""

    def disposition(signum: int) -> str:
        handler = signal.getsignal(signum)
        return getattr(handler, "__name__", str(handler))

    with open(f"/proc/{os.getpid()}/stat") as proc:
        stat = proc.read().rsplit(")", 1)[1].split()
    facts = {
        "handlers": {
            str(int(s)): disposition(s)
            for s in sorted(signal.valid_signals())
            if s not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(s) is not None
        },
        "blocked": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
        "env": dict(os.environ),
        "leads_session": int(stat[3]) == os.getpid(),
        "controlling_tty": int(stat[4]) != 0,
        "foreground": int(stat[5]) == os.getpid(),
        "cwd": os.getcwd(),
        "stdout_line_buffered": sys.stdout.line_buffering,
        "stdout_tty": sys.stdout.isatty(),
        "stdin_tty": sys.stdin.isatty(),
        "threads": threading.active_count(),
        "random": random.random(),
        "argv": sys.argv[0],
    }
    print("REPORT " + json.dumps(facts), flush=True)
    sys.stdin.readline()
    return 0


def sizes() -> int:
    """Print the terminal's size now and after each SIGWINCH."""

    # The handler only notes the signal: writing from it could re-enter a write the signal
    # interrupted ("reentrant call inside BufferedWriter"), and the program would die.
    resized = [True]
    signal.signal(signal.SIGWINCH, lambda *_: resized.append(True))
    while True:
        if resized:
            resized.clear()
            size = os.get_terminal_size(0)
            sys.stdout.write(f"size {size.columns}x{size.lines}\n")
            sys.stdout.flush()
        time.sleep(0.05)


def echo() -> int:
    """Read a line, say what it was, exit with status 3."""
    line = sys.stdin.readline().strip()
    print(f"got:{line}", flush=True)
    return 3


def stubborn() -> int:
    """Ignore the hang-up and leave a child behind in the process group."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "300"])
    print(f"child:{child.pid}", flush=True)
    child.wait()
    return 0


def write_to_passed() -> int:
    """Write to the descriptor named by SEAT_FD (inherited at that number), then exit."""
    fd = int(os.environ["SEAT_FD"])
    os.write(fd, f"hello from {os.getpid()}".encode())
    print("written", flush=True)
    return 0
