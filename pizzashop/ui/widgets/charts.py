"""Charts over a whole shift for the report: each with its title and unit, a scale, clock times
and, where a goal applies, the goal's threshold as a dashed line. Redrawn to the width."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Hashable
from typing import ClassVar, NamedTuple

from rich.text import Text

from pizzashop.ui.plot import THRESHOLD, plot, scale_label, time_axis
from pizzashop.ui.widgets.cells import line
from pizzashop.ui.widgets.lines import LinePanel

AXIS = 7
"""The scale's width, its tick included."""
HEIGHT = 4
"""Rows per chart: 32 steps of height."""


class Chart(NamedTuple):
    title: str
    note: str
    series: tuple[float, ...]
    bottom: float = 0.0
    top: float | None = None
    threshold: float | None = None
    goal: str = ""
    """What the dashed line is, e.g. "goal p95 ≤ 30 min"."""


class ChartTitle(NamedTuple):
    title: str
    goal: str


class ChartNote(NamedTuple):
    text: str


class PlotRow(NamedTuple):
    scale: str
    cells: str


class AxisRow(NamedTuple):
    text: str


class Gap(NamedTuple):
    pass


def chart_rows(
    charts: list[Chart], width: int, span: tuple[float, float], clock: Callable[[float], str]
) -> list[Hashable]:
    room = max(1, width - AXIS)
    rows: list[Hashable] = []
    for chart in charts:
        if rows:
            rows.append(Gap())
        rows.append(ChartTitle(chart.title, chart.goal))
        rows += [ChartNote(part) for part in textwrap.wrap(chart.note, max(10, width - 2))]
        cells = plot(chart.series, room, HEIGHT, chart.bottom, chart.top, chart.threshold)
        peak = max((*chart.series, chart.threshold or chart.bottom), default=chart.bottom)
        top = chart.top if chart.top is not None else peak
        for index, row in enumerate(cells):
            scale = scale_label(top) if index == 0 else ""
            scale = scale_label(chart.bottom) if index == HEIGHT - 1 else scale
            rows.append(PlotRow(scale, row))
        rows.append(AxisRow(" " * (AXIS - 1) + "└" + "─" * room))
        rows.append(AxisRow(" " * AXIS + time_axis(*span, room, clock)))
    return rows


class ShiftCharts(LinePanel):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "charts--chart",
        "charts--muted",
        "charts--title",
        "charts--goal",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.charts: list[Chart] = []
        self.span = (0.0, 1.0)
        self.clock: Callable[[float], str] = str

    def draw(
        self, charts: list[Chart], span: tuple[float, float], clock: Callable[[float], str]
    ) -> None:
        """Show `charts` over the shift's `span` (sim minutes), times printed by `clock`."""
        self.charts, self.span, self.clock = charts, span, clock
        self._redraw()

    def _redraw(self) -> None:
        rows = chart_rows(self.charts, self.scrollable_content_region.width, self.span, self.clock)
        self.styles.height = len(rows)
        self.show(rows)

    def on_resize(self) -> None:
        """Redraw to the new width (Textual also runs `LinePanel.on_resize`)."""
        if self.charts:
            self._redraw()

    def render_row(self, row: Hashable, width: int) -> Text:
        muted = self.style("charts--muted")
        if isinstance(row, ChartTitle):
            text = line((row.title, self.style("charts--title")))
            if row.goal:
                text.append(f"  {THRESHOLD * 2} {row.goal}", self.style("charts--goal"))
            return text
        if isinstance(row, ChartNote):
            return line(("  " + row.text, muted))
        if isinstance(row, PlotRow):
            text = line((row.scale.rjust(AXIS - 1) + ("┤" if row.scale else "│"), muted))
            chart, goal = self.style("charts--chart"), self.style("charts--goal")
            for cell in row.cells:
                text.append(cell, goal if cell == THRESHOLD else chart)
            return text
        if isinstance(row, AxisRow):
            return line((row.text, muted))
        return Text()
