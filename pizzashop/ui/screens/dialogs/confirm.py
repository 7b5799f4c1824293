"""A yes-or-no question before something that cannot be undone; Escape or "Keep it" says no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from pizzashop.ui.screens.dialogs.base import Dialog


class ConfirmDialog(Dialog[bool]):
    AUTO_FOCUS = "#cancel"

    def __init__(self, title: str, question: str, verb: str) -> None:
        super().__init__()
        self.title_text, self.question, self.verb = title, question, verb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Label(self.question, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.verb, variant="error", id="ok", compact=True)
                yield Button("Keep it", id="cancel", compact=True)

    def submit(self) -> None:
        self.dismiss(True)
