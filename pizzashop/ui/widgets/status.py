"""The header: sim clock, speed or pause, money, goodput, lost orders and orders in flight; a
replay or sandbox says so beside the clock, and a versus game shows the algorithm's goodput. Its
second line holds the level's goals, each with its value now and a mark: met, at risk or missed."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.text import Text

from pizzashop.sim.live import GoalStanding, GoalState
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.metric_rows import GoalsRow, StatusRow, goals_row, status_row
from pizzashop.ui.widgets.cells import MARKS, marked
from pizzashop.ui.widgets.lines import LinePanel

REPLAY_NOTE = "watching: actions from the file · "
ROOM_TAG = "ROOM"
HELD_TAG = "HELD BY THE INSTRUCTOR"
STATE_CLASS = {
    GoalState.MET.value: "status--met",
    GoalState.AT_RISK.value: "status--risk",
    GoalState.MISSED.value: "status--missed",
    GoalState.PENDING.value: "status--label",
}


class StatusBar(LinePanel):
    """Two lines, each repainted only when one of its figures changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--clock",
        "status--paused",
        "status--running",
        "status--label",
        "status--bad",
        "status--title",
        "status--tag",
        "status--met",
        "status--risk",
        "status--missed",
    }

    def __init__(self, game: Game, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.game = game

    def update_status(self, report: dict[str, Any], standings: list[GoalStanding]) -> None:
        game = self.game
        tag = "" if game.mode is Mode.PLAY else game.mode.name
        if game.seated:
            tag = HELD_TAG if game.held else ROOM_TAG
        goals = game.sim.scenario.goals is not None
        paused = game.paused or game.held
        self.show(
            [
                status_row(game.sim, game.speed, paused, report, standings, tag, game.rival),
                goals_row(standings, goals, game.mode.value),
            ]
        )

    def render_row(self, row: Hashable, width: int) -> Text:
        if isinstance(row, GoalsRow):
            return self._goals(row, width)
        assert isinstance(row, StatusRow)
        label = self.style("status--label")
        text = Text(no_wrap=True, end="")
        text.append(f" {row.clock} ", self.style("status--clock"))
        if row.finished:
            text.append(" shift over ", self.style("status--paused"))
        elif row.paused:
            text.append(" ‖ paused ", self.style("status--paused"))
        else:
            text.append(f" ▶ {row.speed}× ", self.style("status--running"))
        if row.tag:
            text.append(" ")
            text.append(f" {row.tag} ", self.style("status--tag"))
        if not row.doors_open and not row.finished:
            text.append(" doors closed", label)
        text.append("  money ", label)
        text.append(f"{row.money:,}", self.style("status--bad") if row.money < 0 else "")
        text.append("  goodput ", label)
        state = row.goodput_state
        marked(text, row.goodput, state, self.style(STATE_CLASS[state]) if state else "")
        text.append("  lost ", label)
        text.append(str(row.lost), self.style("status--bad") if row.lost else "")
        if not row.finished:
            text.append("  in flight ", label)
            text.append(str(row.in_flight))
            if row.late:
                text.append(f" ({row.late} late)", self.style("status--bad"))
        if row.rival:
            text.append(f"  vs {row.rival} ", label)
            text.append(row.rival_goodput)
        room = width - text.cell_len - 2
        if room > 8:
            title = REPLAY_NOTE + row.title if row.tag == Mode.REPLAY.name else row.title
            title = title if len(title) <= room else title[: room - 1] + "…"
            text.append(" " * (width - text.cell_len - len(title) - 1))
            text.append(title, self.style("status--title"))
        return text

    def _goals(self, row: GoalsRow, width: int) -> Text:
        """The goals with their tiers when they fit, without when they do not."""
        label = self.style("status--label")
        for with_tier in (True, False):
            text = Text(" goals", label, no_wrap=True, end="")
            if not row.goals:
                text.append(f"  {row.note}", label)
            for cell in row.goals:
                text.append(f"  {cell.tier} " if with_tier else "  ", label)
                style = self.style(STATE_CLASS[cell.state])
                text.append(MARKS[cell.state] + " ", style)
                text.append(f"{cell.label} ")
                text.append(cell.value, style)
                text.append(f" {cell.bound}", label)
            if text.cell_len <= width:
                break
        return text
