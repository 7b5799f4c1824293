"""`LinePanel`: a Line API widget whose content is a list of plain-data rows.

A row is a hashable value (a NamedTuple) that fully describes one line on screen. `show` compares
the new rows with the previous ones and repaints only the lines that differ; each line's strip is
rendered once and cached until its row, the width or the theme changes. Nothing is recomposed or
laid out again when the sim ticks, so a frame costs (and writes to the terminal) only what changed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Self

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LinePanel(ScrollView):
    """Rows in, changed lines out. Subclasses say how a row looks in `render_row`."""

    DEFAULT_CSS = """
    LinePanel {
        overflow-x: hidden;
    }
    """

    FOLLOW = False
    """Keep the last row in view as rows are appended (until the player scrolls up)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._panel_rows: list[Hashable] = []
        self._panel_strips: dict[int, Strip] = {}
        self._following = self.FOLLOW
        self._base: Style | None = None
        self._styles: dict[str, Style] = {}

    @property
    def rows(self) -> Sequence[Hashable]:
        return self._panel_rows

    def render_row(self, row: Hashable, width: int) -> Text:
        """The text of one row at `width` cells (it is cropped to fit)."""
        raise NotImplementedError

    def style(self, component: str) -> Style:
        """A component class's style from the stylesheet (so themes and NO_COLOR apply).

        The full style, resolved against the widget's background: a partial one leaves "auto"
        and translucent colours unresolved (muted text came out white on the light theme, the
        cursor row solid orange). Kept until the next full repaint: Textual drops its own copy
        on every partial refresh.
        """
        style = self._styles.get(component)
        if style is None:
            style = self._styles[component] = self.get_component_rich_style(component)
        return style

    def show(self, rows: Sequence[Hashable]) -> None:
        """Replace the rows, repainting only the lines whose row changed."""
        old = self._panel_rows
        self._panel_rows = rows = list(rows)
        if len(rows) != len(old):
            self._update_virtual_size()
        for index in range(max(len(rows), len(old))):
            if index >= len(rows) or index >= len(old) or rows[index] != old[index]:
                self._invalidate(index)

    def append(self, rows: Sequence[Hashable]) -> None:
        """Add rows at the end; the view follows them unless the player scrolled up."""
        if not rows:
            return
        start = len(self._panel_rows)
        self._panel_rows.extend(rows)
        self._update_virtual_size()
        for index in range(start, len(self._panel_rows)):
            self._invalidate(index)
        if self._following:
            # Forced: many rows at once (a restored game, a long frame) outgrow the panel before
            # its scrollbar is laid out, and an unforced scroll would wait for a scrollbar.
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = self.FOLLOW and round(new_value) >= self.max_scroll_y

    def row_at(self, event: events.MouseEvent) -> int | None:
        """The index of the row under the mouse, if any."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = offset.y + self.scroll_offset.y
        return index if 0 <= index < len(self._panel_rows) else None

    def scroll_row_visible(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def _invalidate(self, index: int) -> None:
        self._panel_strips.pop(index, None)
        top = self.scroll_offset.y
        if top <= index < top + self.size.height:
            self.refresh_line(index)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._panel_rows))

    def on_resize(self) -> None:
        self._panel_strips.clear()
        self._update_virtual_size()
        if self._following:
            self.scroll_to(y=self.max_scroll_y, animate=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_styles()

    def refresh(self, *regions: Region, **kwargs: bool) -> Self:
        """A full repaint (a style, focus or theme change) renders every line again."""
        if not regions:
            self._forget_styles()
        return super().refresh(*regions, **kwargs)

    def _forget_styles(self) -> None:
        self._panel_strips.clear()
        self._styles.clear()
        self._base = None

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        strip = self._panel_strips.get(index)
        if strip is not None:
            return strip
        width = self.scrollable_content_region.width
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        if index >= len(self._panel_rows):
            return Strip.blank(width, base)
        text = self.render_row(self._panel_rows[index], width)
        text.truncate(width, overflow="ellipsis")
        strip = (
            Strip(list(text.render(self.app.console)), text.cell_len)
            .crop_extend(0, width, None)
            .apply_style(base)
        )
        self._panel_strips[index] = strip
        return strip
