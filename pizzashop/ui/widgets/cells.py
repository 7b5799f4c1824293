"""Small helpers to lay out fixed-width columns in a rich `Text` line."""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

from pizzashop.sim.live import GoalState

MARKS = {
    GoalState.MET.value: "✓",
    GoalState.AT_RISK.value: "!",
    GoalState.MISSED.value: "✗",
    GoalState.PENDING.value: "·",
}
"""A goal's state as a symbol too, so it reads without colour (NO_COLOR)."""


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


def marked(text: Text, value: str, state: str, style: Style | str) -> None:
    """Append `value` in `style` and, if it has a goal (`state` is not ""), the goal's mark."""
    text.append(value, style)
    if state:
        text.append(" " + MARKS[state], style)


def shop_clock(open_hour: float, minutes: float) -> str:
    """The shop's clock `minutes` after opening, cut to the minute as the shift's header shows
    it (a save taken at 12:35:40 is "12:35", not "12:36")."""
    total = int(minutes + open_hour * 60)
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def plural(count: int, noun: str) -> str:
    """ "1 driver", "3 drivers"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


ONE_OF = re.compile(r"\b1 (customer|order|chef|driver|base|pizza)s\b")


def singular_counts(text: str) -> str:
    """Text filled in from figures, with "1 customers gave up" read as "1 customer gave up"."""
    return ONE_OF.sub(r"1 \1", text)
