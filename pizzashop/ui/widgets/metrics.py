"""The metrics panel: live charts, latency beside losses, the loss ledger, warnings, remap meter."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.text import Text

from pizzashop.sim import Simulation
from pizzashop.sim.live import GoalStanding, GoalState
from pizzashop.ui.game import HeldWarning
from pizzashop.ui.metric_rows import (
    LOSS_WIDTH,
    Figure,
    Heading,
    LatencyRow,
    LossRow,
    Note,
    RemapRow,
    RemapShare,
    Spark,
    SplitRow,
    WarningRow,
    metric_rows,
)
from pizzashop.ui.spark import bar, sparkline
from pizzashop.ui.widgets.cells import cell, line, marked
from pizzashop.ui.widgets.lines import LinePanel

LABEL = 11
VALUE = 8
BAR = 16
SPLIT_LABEL = 6
SPLIT_WIDTHS = (6, 5, 7, 5)
"""The columns of the latency split: queue, cook, driver, road (right-aligned)."""
SEVERE_WARNINGS = frozenset({"dark", "no_chef"})
STATE_CLASS = {
    GoalState.MET.value: "metrics--met",
    GoalState.AT_RISK.value: "metrics--risk",
    GoalState.MISSED.value: "metrics--missed",
    GoalState.PENDING.value: "metrics--muted",
}


class MetricsPanel(LinePanel):
    """Numbers and charts updated in place: a line repaints only when it would look different."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "metrics--heading",
        "metrics--muted",
        "metrics--chart",
        "metrics--loss",
        "metrics--warning",
        "metrics--severe",
        "metrics--used",
        "metrics--met",
        "metrics--risk",
        "metrics--missed",
    }

    def __init__(self, sim: Simulation, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sim = sim
        self._last: tuple[dict[str, Any], list[GoalStanding], list[HeldWarning]] | None = None

    def update_metrics(
        self, report: dict[str, Any], standings: list[GoalStanding], warnings: list[HeldWarning]
    ) -> None:
        self._last = (report, standings, warnings)
        width = self.scrollable_content_region.width
        self.show(metric_rows(self.sim, width, report, standings, warnings))

    def on_resize(self) -> None:
        """Warnings wrap to the width (Textual also runs `LinePanel.on_resize`)."""
        if self._last is not None:
            self.update_metrics(*self._last)

    def marked(self, text: Text, value: str, state: str) -> None:
        marked(text, value, state, self.style(STATE_CLASS[state]) if state else "")

    def render_row(self, row: Hashable, width: int) -> Text:
        muted = self.style("metrics--muted")
        if isinstance(row, Heading):
            text = line((row.text.upper(), self.style("metrics--heading")))
            if row.note:
                text.append(f"  {row.note}", muted)
            return text
        if isinstance(row, Spark):
            chart = width - LABEL - VALUE - 1
            spark = sparkline(row.series, chart, peak=row.peak) if chart > 3 else ""
            return line(
                (cell(row.label, LABEL), ""),
                (cell(row.value, VALUE, "right") + " ", ""),
                (spark, self.style("metrics--chart")),
            )
        if isinstance(row, Figure):
            text = line((row.label + " ", muted))
            self.marked(text, row.value, row.state)
            return text
        if isinstance(row, LatencyRow):
            text = line(("p50 ", muted), (row.p50, ""), (" · p95 ", muted))
            self.marked(text, row.p95, row.state)
            text.append(" · p99 ", muted)
            text.append(row.p99)
            return text
        if isinstance(row, SplitRow):
            style = muted if row.heading else ""
            text = line((cell(row.label, SPLIT_LABEL), muted))
            for value, room in zip(row.values, SPLIT_WIDTHS, strict=False):
                text.append(cell(value, room, "right"), style)
            return text
        if isinstance(row, LossRow):
            room = min(BAR, width - LOSS_WIDTH - 6)
            return line(
                (cell(row.cause, LOSS_WIDTH), ""),
                (cell(str(row.count), 5, "right") + " ", ""),
                (bar(row.count, row.peak, room), self.style("metrics--loss")),
            )
        if isinstance(row, WarningRow):
            style = "metrics--severe" if row.kind in SEVERE_WARNINGS else "metrics--warning"
            style = "metrics--muted" if row.cleared else style
            mark = "  " if row.continued else ("✓ " if row.cleared else "! ")
            return line((mark, self.style(style)), (row.text, self.style(style)))
        if isinstance(row, RemapRow):
            return line((f"{row.clock} {row.branch}: {row.before} → {row.after} chefs", ""))
        if isinstance(row, RemapShare):
            # The figure for the strategy in use (if it hashes customers) is marked.
            ring_used = row.actual is not None and row.actual == row.ring
            modulo_used = row.actual is not None and not ring_used
            chart, used = self.style("metrics--chart"), self.style("metrics--used")
            return line(
                ("  moved: ", muted),
                (
                    f"m%n {row.modulo:.0%}" + ("◂" if modulo_used else ""),
                    used if modulo_used else chart,
                ),
                (" · ", muted),
                (f"ring {row.ring:.0%}" + ("◂" if ring_used else ""), used if ring_used else chart),
            )
        if isinstance(row, Note):
            return line((row.text, muted))
        return Text()
