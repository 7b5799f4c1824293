"""`pizzashop scores --live`: the instructor's view, redrawn until Ctrl+C.

The leaderboard is re-read on every redraw, so scores from every game on every host sharing the
store appear within one interval. Names on it are cleaned already (no escapes reach the screen).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

CLEAR = "\x1b[H\x1b[2J"
INTERVAL = 2.0


def follow(title: str, render: Callable[[], str], out: TextIO, interval: float = INTERVAL) -> int:
    """Redraw `render()` under `title` every `interval` seconds until Ctrl+C, then return 0.

    On a terminal each redraw replaces the last; into a pipe or a file, redraws follow each other.
    """
    redraw = out.isatty()
    try:
        while True:
            body = render()
            frame = f"{title} — {time.strftime('%H:%M:%S')} — Ctrl+C to stop\n{body}\n"
            out.write(CLEAR + frame if redraw else frame + "\n")
            out.flush()
            time.sleep(interval)
    except KeyboardInterrupt:
        return 0
