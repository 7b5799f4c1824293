"""The queueing lab's panels: one Line API widget that draws the lab's rows (clock, parameters,
measured beside theory), repainting only the lines whose figures changed."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.text import Text

from pizzashop.ui.lab_rows import Compare, LabClock, Setting, Share
from pizzashop.ui.metric_rows import Heading, Note, Spark
from pizzashop.ui.spark import bar, sparkline
from pizzashop.ui.widgets.cells import cell, line
from pizzashop.ui.widgets.lines import LinePanel

LABEL = 15
SHARE_FIXED = 21
"""A share row without its bars: n (4), two figures (7 each) and the divider (3)."""
SETTING = 13
VALUE = 12


class LabPanel(LinePanel):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lab--heading",
        "lab--muted",
        "lab--cursor",
        "lab--chart",
        "lab--bad",
        "lab--clock",
        "lab--paused",
        "lab--running",
    }

    def render_row(self, row: Hashable, width: int) -> Text:
        muted = self.style("lab--muted")
        if isinstance(row, LabClock):
            return self._clock(row)
        if isinstance(row, Setting):
            style = self.style("lab--cursor") if row.selected else ""
            bad = self.style("lab--bad") if row.note == "unstable" else muted
            return line(
                ("▸ " if row.selected else "  ", style),
                (cell(row.label, SETTING), style),
                (cell(row.value, 6, "right"), style),
                ("  " + row.note, bad),
            )
        if isinstance(row, Compare):
            if row.header:
                return line(
                    (cell("", LABEL), ""),
                    (cell(row.measured, VALUE, "right"), self.style("lab--heading")),
                    (cell(row.theory, VALUE + 2, "right"), self.style("lab--heading")),
                )
            return line(
                (cell(row.label, LABEL), muted),
                (cell(row.measured, VALUE, "right"), ""),
                ("  " + row.theory.rjust(VALUE), self.style("lab--bad") if row.bad else ""),
            )
        if isinstance(row, Share):
            room = max(0, (width - SHARE_FIXED) // 2)

            def half(value: float | None) -> str:
                if value is None:
                    return cell("–", 6, "right") + " " + " " * room
                return (
                    cell(f"{value:.1%}", 6, "right") + " " + cell(bar(value, row.peak, room), room)
                )

            return line(
                (cell(row.n, 3, "right") + " ", muted),
                (half(row.measured), self.style("lab--chart")),
                (" │ ", muted),
                (half(row.theory), ""),
            )
        if isinstance(row, Heading):
            return line((row.text, self.style("lab--heading")), ("  " + row.note, muted))
        if isinstance(row, Spark):
            chart = width - LABEL - 6
            return line(
                (cell(row.label, LABEL - 6), muted),
                (cell(row.value, 5, "right") + " ", ""),
                (sparkline(row.series, chart) if chart > 3 else "", self.style("lab--chart")),
            )
        if isinstance(row, Note):
            return line((row.text, muted))
        return Text()

    def _clock(self, row: LabClock) -> Text:
        text = line((f" {row.elapsed} ", self.style("lab--clock")))
        if row.finished:
            text.append(" run over ", self.style("lab--paused"))
        elif row.paused:
            text.append(" ‖ paused ", self.style("lab--paused"))
        else:
            text.append(f" ▶ {row.speed}× ", self.style("lab--running"))
        text.append(f"  seed {row.seed}  orders {row.placed:,}", self.style("lab--muted"))
        return text
