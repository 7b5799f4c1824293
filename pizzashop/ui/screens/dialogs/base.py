"""What every dialog shares: a centred box, Escape to cancel, Enter for its main action, OK and
Cancel buttons, and a line of its own for problems (never a toast over the dialog)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from pizzashop.ui.notice import Notice

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal box; the shop keeps running behind it (pause first to think).

    Enter does the dialog's main action (`submit`) wherever the focused field does not use
    Enter itself (a button presses, a list picks, a select opens); ← and → move between the
    buttons as Tab does.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("enter", "submit", "OK", show=False),
        # Between the buttons (a field that uses the arrows, such as a text box, keeps them).
        Binding("left", "app.focus_previous", "previous", show=False),
        Binding("right", "app.focus_next", "next", show=False),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        self.submit()

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

    def notice(self, notice: Notice) -> None:
        """A problem with the form, shown in the dialog itself."""
        found = self.query(".problem")
        if found:
            label = found.first(Label)
        else:
            label = Label(classes="problem")
            self.query_one(".dialog").mount(label)
        label.update(Text(notice.plain()))
