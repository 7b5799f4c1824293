"""The footer of the shift: every key when there is room, the essential ones at 80 columns —
always pause, speed, save, help and `q` (the way back to the title)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer

ROOMY = 100
"""Below this many columns, keys that are also in the help and the palette are left out."""

SPARE = frozenset({"choose", "menu", "codex", "step"})


class ShopFooter(Footer):
    narrow: reactive[bool] = reactive(False, recompose=True)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if self.narrow and getattr(widget, "action", None) in SPARE:
                continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        self.narrow = event.size.width < ROOMY
        self.show_command_palette = not self.narrow
