"""The wall clock behind a running sim screen: a frame only when something on screen can have
changed, each advancing the game by the wall time since the last one.

What a shift shows changes with its clock, which reads in whole minutes: a frame when the next
minute begins (one a second at 1×, eight at 8×, at most FRAME_RATE), none while paused. A
player's key repaints at once, without waiting for a frame. On a host with sixty games this is
most of what a game costs while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual.timer import Timer
from textual.widget import Widget

FRAME_RATE = 15
"""Frames a second at most, whatever the speed (the lab runs hours a second)."""
MAX_LATE = 0.25
"""A late frame (a suspended terminal, a busy host) never jumps the shop ahead by more than
this beyond when it was due."""
SLACK = 0.005
"""A frame comes this much after the minute it waits for, so the sim is surely past it."""


class FrameClock:
    """Calls `on_elapsed(wall_seconds)` when `next_change()` says something can have changed:
    in that many wall seconds, or never (None: paused, or over) until told otherwise."""

    def __init__(
        self, on_elapsed: Callable[[float], None], next_change: Callable[[], float | None]
    ) -> None:
        self.on_elapsed = on_elapsed
        """The frame's work: called with the wall seconds since the last frame."""
        self._next_change = next_change
        self._widget: Widget | None = None
        self._timer: Timer | None = None
        self._last = 0.0
        self._due = 0.0

    def start(self, widget: Widget) -> None:
        """Run frames for `widget` (a screen). The timer is the app's, not the screen's: a
        screen under a dialog that handles any message of its own (a timer's) is repainted
        whole by Textual, and the dialog with it."""
        self._widget = widget.app
        self.restart()

    def restart(self) -> None:
        """Forget the time since the last frame (after a pause, say): it is not to be played.
        Then wait for the next change, if any."""
        self._last = monotonic()
        self.reschedule()

    def catch_up(self) -> None:
        """Play the time since the last frame now (before the pace changes, say)."""
        if self._timer is not None:
            self._timer.stop()
            self._frame()

    def reschedule(self) -> None:
        """The next change may come sooner or later than the frame waiting for it (a new
        speed, a resume): wait for it instead."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._widget is None:
            return
        delay = self._next_change()
        if delay is None:
            return
        delay = max(delay + SLACK, 1 / FRAME_RATE)
        self._due = monotonic() + delay
        self._timer = self._widget.set_timer(delay, self._frame, name="frame")

    def _frame(self) -> None:
        self._timer = None
        now = monotonic()
        elapsed = min(now - self._last, max(0.0, self._due - self._last) + MAX_LATE)
        self._last = now
        self.on_elapsed(elapsed)
        if self._timer is None:  # the frame itself may have rescheduled (a pause, say)
            self.reschedule()
