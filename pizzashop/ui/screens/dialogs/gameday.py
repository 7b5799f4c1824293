"""The instructor's dialogs in `room watch`: a game-day disruption (an outage, a rush, a chef's
leave) and a notice for every screen. Each returns the command's fields; the room checks them."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from pizzashop.sim.actions import MAX_DISRUPTION_MINUTES, MAX_RUSH_FACTOR
from pizzashop.ui.screens.dialogs.base import Dialog

TITLES = {
    "outage": "Game day: cut the power",
    "rush": "Game day: a rush of orders",
    "leave": "Game day: call a chef away",
}
NOTES = {
    "outage": "Every seat loses the power at this branch (or every branch of this area) at "
    "the same sim minute, a little ahead of the furthest seat.",
    "rush": "Orders come faster at every seat: the same customers, sooner. A rush only ever "
    "makes the day harder (×1 to ×10).",
    "leave": "The chef leaves after the current job at every seat; a backup on call is called "
    "in, as for any leave.",
}


class GameDayDialog(Dialog[dict[str, Any]]):
    """Dismissed with {"command", "target", "factor", "minutes"}, or None."""

    AUTO_FOCUS = "#minutes"

    def __init__(self, command: str, targets: dict[str, list[str]]) -> None:
        super().__init__()
        self.command = command
        self.targets = targets

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = TITLES[self.command]
            yield Label(NOTES[self.command], classes="note")
            if self.command == "outage":
                places = [*self.targets["branches"], *self.targets["areas"]]
                yield Label("branch or area")
                yield Select([(p, p) for p in dict.fromkeys(places)], allow_blank=False,
                             compact=True, id="target")  # fmt: skip
            elif self.command == "leave":
                yield Label("chef")
                yield Select([(c, c) for c in self.targets["chefs"]], allow_blank=False,
                             compact=True, id="target")  # fmt: skip
            else:
                yield Label(f"factor (1 to {MAX_RUSH_FACTOR:g})")
                yield Input("2", type="number", compact=True, id="factor")
            yield Label(f"minutes of sim time (at most {MAX_DISRUPTION_MINUTES:g})")
            yield Input("20", type="number", compact=True, id="minutes")
            yield from self.buttons("Send to every seat")

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        fields: dict[str, Any] = {"command": self.command}
        try:
            fields["minutes"] = float(self.query_one("#minutes", Input).value)
            if self.command == "rush":
                fields["factor"] = float(self.query_one("#factor", Input).value)
        except ValueError:
            self.notify("Give the minutes (and a rush's factor) as numbers.", severity="error")
            return
        targets = self.query("#target")
        if targets:
            fields["target"] = str(targets.first(Select).value)
        self.dismiss(fields)


class AnnounceDialog(Dialog[dict[str, Any]]):
    """A one-line notice on every seat's screen."""

    AUTO_FOCUS = "#text"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "A notice for every screen"
            yield Label("One line; shown as plain text on every seat.", classes="note")
            yield Input(placeholder="Back at 15:00 sharp", max_length=120, compact=True, id="text")
            yield from self.buttons("Announce")

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if text:
            self.dismiss({"command": "announce", "text": text})
