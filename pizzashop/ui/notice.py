"""A notification, kept as data so a screen can show it in its own line instead of a toast."""

from __future__ import annotations

from typing import NamedTuple

from textual.notifications import SeverityLevel

TOAST_SECONDS = 5.0
"""Every toast goes away by itself."""
HELD_TOASTS = 3
"""Toasts raised under a modal screen wait for it to close; only the latest few."""


class Notice(NamedTuple):
    message: str
    title: str = ""
    severity: SeverityLevel = "information"
    timeout: float = TOAST_SECONDS
    markup: bool = True

    def plain(self) -> str:
        """One line: the title, then the message."""
        text = " ".join(self.message.split())
        return f"{self.title}: {text}" if self.title else text
