"""The event log: the sim's structured log, newest at the bottom, filterable by kind and branch.

In a game it follows every order (placed, cooking, delivered, late with where its time went,
lost with its cause) and the money as it moves, beside the shop's own events."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import ClassVar

from rich.text import Text

from pizzashop.sim import LOG_LIMIT, ORDER_KINDS, LogEntry
from pizzashop.ui.widgets.cells import cell, line
from pizzashop.ui.widgets.lines import LinePanel

TRIM = 500
"""Past the sim's own log limit, the oldest lines go this many at a time (one repaint each)."""
BATCH_SECONDS = 1.0
"""While the game runs, the orders' and the money's lines are shown once a second rather than
every frame: each showing scrolls, and so repaints, the whole log (at 8× most frames bring one,
and the bytes sent to the terminal doubled)."""
EVERYDAY = ORDER_KINDS | {"money"}
"""The lines that may wait for the next showing; any other (a warning, an action, a power cut)
shows everything waiting at once."""

KIND_CLASS = {
    "lost": "log--bad",
    "late": "log--bad",
    "refused": "log--bad",
    "warning": "log--warning",
    "power": "log--warning",
    "staff": "log--warning",
    "action": "log--good",
    "remap": "log--accent",
    "menu": "log--accent",
    "money": "log--accent",
}
"""Kinds not listed (placed, cooking, delivered, shift) are muted: the everyday."""
LOUD = frozenset({"lost", "late", "refused", "warning"})
"""Kinds whose text is coloured too, not only their kind."""
KIND_WIDTH = max(len(kind) for kind in ("delivered", *KIND_CLASS))


class EventLog(LinePanel):
    """Append-only Line API view: new entries repaint only their own lines (or scroll)."""

    can_focus = True
    FOLLOW = True

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log--time",
        "log--bad",
        "log--warning",
        "log--good",
        "log--accent",
        "log--muted",
    }

    def __init__(
        self, clock: Callable[[float], str], *, branches: bool = True, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.branches = branches
        """Whether to give each line its branch (not in a one-branch shop, to leave room)."""
        self.kind: str | None = None
        self.branch: str | None = None
        self._waiting: list[LogEntry] = []
        self._shown_at = 0.0

    def accepts(self, entry: LogEntry) -> bool:
        return (self.kind is None or entry.kind == self.kind) and (
            self.branch is None or entry.branch == self.branch
        )

    def add(self, entries: Iterable[LogEntry], playing: float | None = None) -> None:
        """New entries. While the game runs (`playing`: its wall seconds played so far), the
        everyday lines wait up to BATCH_SECONDS to be shown together; any other line shows them
        at once, and so does a paused game (None)."""
        waiting = self._waiting
        waiting.extend(entry for entry in entries if self.accepts(entry))
        if not waiting:
            return
        if (
            playing is not None
            and playing - self._shown_at < BATCH_SECONDS
            and all(entry.kind in EVERYDAY for entry in waiting)
        ):
            return
        self._waiting = []
        self._shown_at = playing if playing is not None else self._shown_at
        self.append(waiting)
        if len(self.rows) > LOG_LIMIT + TRIM:
            self.show(self.rows[TRIM:])

    def refilter(self, kind: str | None, branch: str | None, entries: Iterable[LogEntry]) -> None:
        """Show only one kind and/or one branch (None: all), from the whole log."""
        self.kind, self.branch = kind, branch
        self._waiting = []
        self.show([entry for entry in entries if self.accepts(entry)])
        self.scroll_to(y=self.max_scroll_y, animate=False)

    @property
    def filter_text(self) -> str:
        return f"{self.kind or 'all kinds'} · {self.branch or 'all branches'}"

    def render_row(self, row: Hashable, width: int) -> Text:
        assert isinstance(row, LogEntry)
        style = self.style(KIND_CLASS.get(row.kind, "log--muted"))
        branch = cell(row.branch, 9) if self.branches and width >= 60 else ""
        return line(
            (self.clock(row.time) + " ", self.style("log--time")),
            (cell(row.kind, KIND_WIDTH + 1), style),
            (branch, self.style("log--muted")),
            (row.text, style if row.kind in LOUD else ""),
        )
