"""Leaving a shift: save and go back to the title, abandon it, or quit the game. `q` asks here
instead of quitting the whole app mid-shift; Enter does the choice that loses nothing. A seat in
an instructor's room can only leave the room: the server keeps the seat for its return."""

from __future__ import annotations

from enum import StrEnum

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Label

from pizzashop.ui.screens.dialogs.base import Dialog


class Leave(StrEnum):
    SAVE = "save"
    ABANDON = "abandon"
    QUIT = "quit"


class LeaveDialog(Dialog[Leave]):
    def __init__(self, can_save: bool, watching: bool = False, seated: bool = False) -> None:
        super().__init__()
        self.can_save = can_save
        self.watching = watching
        self.seated = seated

    def compose(self) -> ComposeResult:
        if self.seated:
            with Vertical(classes="dialog") as box:
                box.border_title = "Leave the room?"
                yield Label(
                    "The room's clock keeps running while you choose. Your seat is kept: "
                    "connect again with the same name to get it back where you left it.",
                    classes="note",
                )
                yield Button("Leave the room", id="quit", compact=True)
                yield Button("Keep playing", id="cancel", variant="primary", compact=True)
            return
        with Vertical(classes="dialog") as box:
            box.border_title = "Stop watching?" if self.watching else "Leave this shift?"
            yield Label(
                "The shop is paused while you choose. Escape goes back to it.", classes="note"
            )
            if self.can_save:
                yield Button(
                    "Save, then back to the title", id="save", variant="primary", compact=True
                )
            abandon = "Back to the title" if self.watching else "Abandon it, back to the title"
            yield Button(abandon, id="abandon", compact=True)
            yield Button("Quit pizzashop", id="quit", compact=True)
            yield Button(
                "Keep playing" if not self.watching else "Keep watching", id="cancel", compact=True
            )

    def submit(self) -> None:
        if self.seated:
            self.dismiss(None)
        else:
            self.dismiss(Leave.SAVE if self.can_save else Leave.ABANDON)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in tuple(Leave):
            self.dismiss(Leave(event.button.id))
