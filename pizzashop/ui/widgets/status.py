"""The header: sim clock, speed or pause, money, goodput, lost orders and orders in flight; a
replay or sandbox says so beside the clock, and a versus game shows the algorithm's goodput."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.text import Text

from pizzashop.ui.game import Game, Mode
from pizzashop.ui.metric_rows import StatusRow, goodput_text, status_row
from pizzashop.ui.widgets.lines import LinePanel

REPLAY_NOTE = "watching: actions from the file · "


class StatusBar(LinePanel):
    """One line, repainted only when one of its figures changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--clock",
        "status--paused",
        "status--running",
        "status--label",
        "status--bad",
        "status--title",
        "status--tag",
    }

    def __init__(self, game: Game, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.game = game

    def update_status(self) -> None:
        game = self.game
        tag = "" if game.mode is Mode.PLAY else game.mode.name
        self.show([status_row(game.sim, game.speed, game.paused, tag, game.rival)])

    def render_row(self, row: Hashable, width: int) -> Text:
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
        parts: list[tuple[str, str, bool]] = [
            ("money", f"{row.money:,}", row.money < 0),
            ("goodput", goodput_text(row.on_time, row.placed), False),
            ("lost", str(row.lost), row.lost > 0),
            ("in flight", str(row.in_flight), False),
        ]
        if row.rival:
            rival = goodput_text(row.rival_on_time, row.rival_placed)
            parts.append((f"vs {row.rival}", rival, False))
        for name, value, bad in parts:
            text.append(f"  {name} ", label)
            text.append(value, self.style("status--bad") if bad else "")
        room = width - text.cell_len - 2
        if room > 8:
            title = REPLAY_NOTE + row.title if row.tag == Mode.REPLAY.name else row.title
            title = title if len(title) <= room else title[: room - 1] + "…"
            text.append(" " * (width - text.cell_len - len(title) - 1))
            text.append(title, self.style("status--title"))
        return text
