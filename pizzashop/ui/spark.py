"""Text charts: sparklines and bars drawn with block characters, so they work in any terminal."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = " ▁▂▃▄▅▆▇█"
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def fit(values: Sequence[float], width: int, stretch: bool = False) -> list[float]:
    """At most `width` columns, each the largest value of its share of the series.

    With `stretch` a short series is widened (each value repeated) so a whole shift fills the
    chart; without it a live chart grows from the right at one column per sample.
    """
    count = len(values)
    if count == 0 or width <= 0:
        return []
    if count <= width:
        repeat = max(1, width // count) if stretch else 1
        return [value for value in values for _ in range(repeat)]
    step = count / width
    return [
        max(values[int(column * step) : max(int(column * step) + 1, int((column + 1) * step))])
        for column in range(width)
    ]


def sparkline(
    values: Sequence[float], width: int, stretch: bool = False, peak: float | None = None
) -> str:
    """One row of blocks scaled to `peak` (by default the largest value), padded on the left to
    `width`. A share is drawn on a fixed 0–1 scale, so 40 % never looks like 100 %."""
    columns = fit(values, width, stretch)
    peak = max(columns, default=0.0) if peak is None else peak
    last = len(BLOCKS) - 1
    cells = "".join(
        BLOCKS[max(1, min(last, round(value / peak * last)))] if peak > 0 and value > 0 else "▁"
        for value in columns
    )
    return cells.rjust(width)


def bar(value: float, peak: float, width: int) -> str:
    """A horizontal bar of at most `width` cells, drawn in eighths of a cell."""
    if width <= 0 or peak <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / peak * width * 8))
    full, part = divmod(min(eighths, width * 8), 8)
    return "█" * full + EIGHTHS[part]
