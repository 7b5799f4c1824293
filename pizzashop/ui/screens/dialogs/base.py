"""What every dialog shares: a centred box, Escape to cancel, and OK/Cancel buttons."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal box; the shop keeps running behind it (pause first to think)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def buttons(self, ok: str) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(ok, variant="primary", id="ok", compact=True)
            yield Button("Cancel", id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """OK and Cancel. Textual also calls a subclass's own handler, for its other buttons."""
        if event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id == "ok":
            self.submit()

    def submit(self) -> None:
        """Dismiss with the result of the form (dialogs with an OK button override this)."""
        self.dismiss(None)
