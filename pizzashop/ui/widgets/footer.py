"""The footers: every screen's, rebuilt only when the keys it shows change, and the shift's, which
shows every key when there is room and the essential ones at 80 columns — always pause, speed,
save, help and `q` (the way back to the title)."""

from __future__ import annotations

from collections.abc import Hashable

from textual import events
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

ROOMY = 100
"""Below this many columns, keys that are also in the help and the palette are left out."""

SPARE = frozenset({"choose", "menu", "codex", "step"})


class Footer(TextualFooter):
    """Textual's footer, rebuilt only when a key it shows changes.

    Textual's rebuilds its keys (a dozen widgets, each styled anew) whenever the screen's
    bindings may have changed: five times as the title screen opens, and on every arrow key
    that moves a list's highlight. That was the largest single cost of starting a hosted game.
    """

    _shown: Hashable = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            keys = tuple(
                (key, b.action, b.description, b.key_display, b.show, b.group, enabled, tip)
                for key, (_, b, enabled, tip) in screen.active_bindings.items()
            )
            if self._bindings_ready and keys == self._shown:
                return
            self._shown = keys
        super().bindings_changed(screen)


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
