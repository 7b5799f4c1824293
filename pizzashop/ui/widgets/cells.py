"""Small helpers to lay out fixed-width columns in a rich `Text` line."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text


def cell(text: str, width: int, align: str = "left") -> str:
    """`text` cut or padded to exactly `width` cells (an ellipsis marks a cut)."""
    if width <= 0:
        return ""
    if len(text) > width:
        return text[: width - 1] + "…" if width > 1 else text[:1]
    return text.rjust(width) if align == "right" else text.ljust(width)


def line(*parts: tuple[str, Style | str]) -> Text:
    """A line from (text, style) parts."""
    text = Text(no_wrap=True, end="")
    for part, style in parts:
        text.append(part, style)
    return text


def clock_hours(hour: float) -> str:
    """14.5 -> '14:30'."""
    minutes = round(hour * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
