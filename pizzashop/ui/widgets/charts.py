"""Charts over a whole shift for the report: one sparkline per series, stretched to the width."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.text import Text

from pizzashop.ui.metric_rows import Spark
from pizzashop.ui.spark import sparkline
from pizzashop.ui.widgets.cells import cell, line
from pizzashop.ui.widgets.lines import LinePanel

LABEL = 14
VALUE = 10


class ShiftCharts(LinePanel):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"charts--chart", "charts--muted"}

    def render_row(self, row: Hashable, width: int) -> Text:
        assert isinstance(row, Spark)
        chart = width - LABEL - VALUE - 1
        return line(
            (cell(row.label, LABEL), ""),
            (cell(row.value, VALUE, "right") + " ", self.style("charts--muted")),
            (sparkline(row.series, chart, stretch=True), self.style("charts--chart")),
        )
