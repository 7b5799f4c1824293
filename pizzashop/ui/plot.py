"""Charts with axes for the report: a series drawn as columns of block characters several rows
high, a scale on the left, clock times along the bottom, and a goal's threshold as a dashed line.

Plain text and theme colours only, so it works in any terminal, at 80 columns, and without
colour (the threshold is a dashed line, not only a colour).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from pizzashop.ui.spark import BLOCKS, fit

THRESHOLD = "┄"


def scale_label(value: float) -> str:
    """A scale mark: whole numbers, thousands as k."""
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if abs(value) >= 10 or value == round(value) else f"{value:.1f}"


def plot(
    values: Sequence[float],
    width: int,
    height: int,
    bottom: float = 0.0,
    top: float | None = None,
    threshold: float | None = None,
) -> list[str]:
    """`height` rows of `width` cells, top row first: each column a value, filled in eighths of
    a cell from `bottom` up to `top` (default the largest value or the threshold). Cells above a
    column, on the threshold's row, hold a dashed line."""
    columns = fit(values, width, stretch=True)
    if not columns or width <= 0 or height <= 0:
        return [" " * max(0, width) for _ in range(max(0, height))]
    peak = max(max(columns), threshold if threshold is not None else -math.inf)
    top = peak if top is None else top
    span = top - bottom if top > bottom else 1.0
    mark = None
    if threshold is not None and bottom <= threshold <= top:
        mark = min(height - 1, max(0, math.ceil((threshold - bottom) / span * height) - 1))
    rows = []
    for row in range(height - 1, -1, -1):  # the top row first
        cells = []
        for value in columns:
            fill = (value - bottom) / span * height - row
            if fill >= 1:
                cells.append(BLOCKS[-1])
            elif fill > 0:
                cells.append(BLOCKS[max(1, round(fill * 8))])
            else:
                cells.append(THRESHOLD if row == mark else " ")
        rows.append("".join(cells).ljust(width))
    return rows


def time_axis(start: float, end: float, width: int, clock: Callable[[float], str]) -> str:
    """Clock times under the columns, one about every 14 cells, on whole hours when they fit."""
    if width < 6 or end <= start:
        return " " * max(0, width)
    cells = [" "] * width
    every = max(1, math.ceil((end - start) / 60 / max(1, width // 14)))  # hours between labels
    first = math.ceil(start / 60) * 60
    for minute in range(int(first), int(end) + 1, 60 * every):
        column = round((minute - start) / (end - start) * (width - 1))
        label = clock(float(minute))
        at = min(max(0, column - len(label) // 2), width - len(label))
        if all(cell == " " for cell in cells[max(0, at - 1) : at + len(label) + 1]):
            cells[at : at + len(label)] = label
    return "".join(cells)
