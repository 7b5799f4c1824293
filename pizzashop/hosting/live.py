"""`pizzashop scores --live`: the instructor's view, redrawn until Ctrl+C.

The leaderboard is re-read on every redraw, so scores from every game on every host sharing the
store appear within one interval. Its rows are cleaned already; each frame is cleaned again on the
way out (every line printable, escapes shown as text, bounded in width and count), because it
goes straight to the projector.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from pizzashop.sim.files import one_line

CLEAR = "\x1b[H\x1b[2J"
INTERVAL = 2.0
MAX_LINES = 100
MAX_WIDTH = 160


def shown(text: str) -> str:
    """`text` as the projector may show it: at most MAX_LINES lines of MAX_WIDTH printable
    characters (an escape or a control character appears as `\\x1b`, never acts)."""
    lines = text.split("\n")[:MAX_LINES]
    return "\n".join(one_line(line)[:MAX_WIDTH] for line in lines)


def follow(title: str, render: Callable[[], str], out: TextIO, interval: float = INTERVAL) -> int:
    """Redraw `render()` under `title` every `interval` seconds until Ctrl+C, then return 0.

    On a terminal each redraw replaces the last; into a pipe or a file, redraws follow each other.
    """
    redraw = out.isatty()
    try:
        while True:
            body = render()
            frame = shown(f"{title} — {time.strftime('%H:%M:%S')} — Ctrl+C to stop\n{body}") + "\n"
            out.write(CLEAR + frame if redraw else frame + "\n")
            out.flush()
            time.sleep(interval)
    except KeyboardInterrupt:
        return 0
