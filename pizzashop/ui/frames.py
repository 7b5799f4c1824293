"""The wall clock behind a running sim screen: a few frames a second, each advancing the game by
the wall time since the last one."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual.widget import Widget

FRAME_RATE = 15
MAX_FRAME_SECONDS = 0.25
"""A late frame (a suspended terminal, a slow link) never jumps the shop ahead by more."""


class FrameClock:
    """Calls `on_elapsed(wall_seconds)` at FRAME_RATE once started on a widget."""

    def __init__(self, on_elapsed: Callable[[float], None]) -> None:
        self._on_elapsed = on_elapsed
        self._last = 0.0

    def start(self, widget: Widget) -> None:
        self.restart()
        widget.set_interval(1 / FRAME_RATE, self._frame)

    def restart(self) -> None:
        """Forget the time since the last frame (after a pause, say): it is not to be played."""
        self._last = monotonic()

    def _frame(self) -> None:
        now = monotonic()
        elapsed, self._last = min(now - self._last, MAX_FRAME_SECONDS), now
        self._on_elapsed(elapsed)
