"""A hosted game's crash reports: on the host, never on the player's screen.

A game on a shared host that fails writes what it knows (the traceback, with host paths in it)
to a file of its own under the data directory, named by time and process id, and tells the
player one polite line, CRASHED; the server's log names the file. Reports are bounded in size
and number, so a player who finds a way to crash the game cannot fill the disk with them. The
game (pizzashop.ui) writes them and the server (pizzashop.hosting) finds them: neither imports
the other for it.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from pizzashop.paths import data_dir, prune, write_atomic

CRASHED = "Sorry, the game stopped on an error. Your saves are safe; please tell your instructor."
CRASHES = "crashes"
KEEP = 100
"""The newest reports kept; older ones are removed."""
REPORT_LIMIT = 64 * 1024
"""Characters kept of one report: its start and its end (where the error is)."""


def exit_status(returncode: int) -> int:
    """A game's status as a shell (and sshd) reports it: 128 + N for a game ended by signal N,
    which is how a killed game shows up as a crash."""
    return 128 - returncode if returncode < 0 else min(returncode, 255)


def save_report(text: str, name: str | None = None) -> Path:
    """Write a crash report named after this process, or `name` (a game's in a process of
    several: see `find_report`); returns its path."""
    if len(text) > REPORT_LIMIT:
        half, cut = REPORT_LIMIT // 2, len(text) - REPORT_LIMIT
        text = f"{text[:half]}\n[… {cut} characters left out …]\n{text[-half:]}"
    folder = data_dir() / CRASHES
    path = folder / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{name or os.getpid()}.txt"
    write_atomic(path, text)
    prune(folder, KEEP, (".txt",))
    return path


def find_report(name: int | str, since: float) -> Path | None:
    """The report a game named `name` (its process id, or the name its process of several gave
    it), started at `since` (seconds since the epoch), left, if any (an older one is another
    game's that had the same name)."""
    found = []
    for path in (data_dir() / CRASHES).glob(f"*-{name}.txt"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime >= since:
                found.append(path)
    return max(found, default=None)
