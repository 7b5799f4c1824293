"""The shop board: every branch, its chefs at work, its queues, prep stock and drivers.

Orders can be followed across it: a dot in a queue (its fill is the customer's patience), the
order number on the chef cooking it, then on the driver taking it to the door. A chef row can be
selected (arrows or mouse) to act on that chef.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from pizzashop.ui.board_rows import (
    PROGRESS_STEPS,
    BranchRow,
    ChefHeader,
    ChefRow,
    DriversRow,
    LineRow,
    MeterLine,
    MeterNote,
    MeterTitle,
    Mood,
    PrepRow,
    board_rows,
    chef_ids,
)
from pizzashop.ui.game import Game
from pizzashop.ui.keys import ACTION_KINDS_OF_KEY
from pizzashop.ui.widgets.cells import cell, clock_hours, line
from pizzashop.ui.widgets.lines import LinePanel

MOOD_GLYPH = {Mood.CALM: "●", Mood.WANING: "◐", Mood.CRITICAL: "○"}
MOOD_CLASS = {
    Mood.CALM: "board--calm",
    Mood.WANING: "board--waning",
    Mood.CRITICAL: "board--critical",
}
STATE_CLASS = {
    "idle": "board--muted",
    "cooking": "board--busy",
    "prepping": "board--prep",
    "on leave": "board--critical",
    "no power": "board--critical",
    "on call": "board--waning",
    "on the way": "board--waning",
    "day off": "board--muted",
}
SHORT_STATE = {
    "cooking": "cook",
    "prepping": "prep",
    "on leave": "leave",
    "no power": "dark",
    "on call": "call",
    "on the way": "coming",
    "day off": "off",
}
AGENT_GLYPH = {"idle": "·", "out": "▸", "returning": "◂"}
WIDE = 72


class ShopBoard(LinePanel):
    """A Line API view of the shop; only lines whose content changed are repainted."""

    can_focus = True

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board--branch",
        "board--dark",
        "board--muted",
        "board--busy",
        "board--prep",
        "board--calm",
        "board--waning",
        "board--critical",
        "board--cursor",
        "board--bar",
        "board--meter",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "chef ↑", show=False),
        Binding("down,j", "move(1)", "chef ↓", show=False),
        Binding("enter", "choose", "chef"),
    ]

    class ChefChosen(Message):
        """The player picked a chef to act on."""

        def __init__(self, chef: str) -> None:
            super().__init__()
            self.chef = chef

    def __init__(self, game: Game, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.game = game
        self.sim = game.sim
        self.selected: str | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return self.game.allows(*ACTION_KINDS_OF_KEY["choose"])
        return True

    def update_board(self) -> None:
        """Read the sim and repaint what changed."""
        region = self.scrollable_content_region
        width, height = region.width or WIDE, region.height or None
        rows = board_rows(self.sim, self.selected, width, height)
        ids = chef_ids(rows)
        if ids and self.selected not in ids:
            self.selected = ids[0]
            rows = board_rows(self.sim, self.selected, width, height)
        elif not ids:
            self.selected = None
        self.show(rows)

    def on_resize(self) -> None:
        """The meter's table or its one line, and its reading's wrapping, follow the board's size
        at once, even while the game is paused."""
        self.update_board()

    @property
    def selected_branch(self) -> str | None:
        chef = self.sim.chefs.get(self.selected or "")
        return chef.branch.name if chef is not None else None

    def action_move(self, delta: int) -> None:
        ids = chef_ids(self.rows)
        if not ids:
            return
        index = ids.index(self.selected) if self.selected in ids else 0
        self.selected = ids[(index + delta) % len(ids)]
        self.update_board()
        for position, row in enumerate(self.rows):
            if isinstance(row, ChefRow) and row.selected:
                self.scroll_row_visible(position)

    def action_choose(self) -> None:
        if self.selected is not None and self.game.allows(*ACTION_KINDS_OF_KEY["choose"]):
            self.post_message(self.ChefChosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        index = self.row_at(event)
        row = self.rows[index] if index is not None else None
        if isinstance(row, ChefRow):
            self.selected = row.id
            self.update_board()
            self.action_choose()

    # ------------------------------------------------------------ rendering

    def render_row(self, row: Hashable, width: int) -> Text:
        if isinstance(row, ChefRow):
            return self._chef(row, width)
        if isinstance(row, BranchRow):
            return self._branch(row, width)
        if isinstance(row, ChefHeader):
            return self._chef_header(width)
        if isinstance(row, LineRow):
            label = row.label if width >= WIDE else row.label.replace("_", " ").split(" ")[0]
            text = line(("  line  ", ""), (cell(label, 14 if width >= WIDE else 8) + " ", ""))
            text.stylize(self.style("board--prep"), 8)
            if row.queue:
                self._queue(text, row.queue, width - text.cell_len)
            else:
                text.append("empty", self.style("board--muted"))
            return text
        if isinstance(row, PrepRow):
            return self._prep(row)
        if isinstance(row, DriversRow):
            return self._drivers(row, width)
        if isinstance(row, MeterTitle):
            return line(("▤ ", self.style("board--meter")), (row.title, self.style("board--meter")))
        if isinstance(row, MeterLine):
            return self._meter_line(row)
        if isinstance(row, MeterNote):
            return line(("  " + row.text, Style() if row.figures else self.style("board--muted")))
        return Text()

    def _meter_line(self, row: MeterLine) -> Text:
        """A meter row: the first cell left-aligned, the figures right-aligned in columns."""
        style = self.style("board--muted") if row.header else Style()
        text = line(("  ", ""))
        for index, (cell_text, size) in enumerate(zip(row.cells, row.widths, strict=False)):
            padded = cell_text.ljust(size) if index == 0 else cell_text.rjust(size)
            text.append(padded + "  ", style)
        return text

    def _branch(self, row: BranchRow, width: int) -> Text:
        title = self.style("board--branch")
        muted = self.style("board--muted")
        if not row.is_open:
            return line(
                ("□ ", title),
                (row.name, title),
                (f" · {row.area} · closed · opening costs {row.open_cost:,.0f}", muted),
            )
        if not row.lit:
            wide = width >= WIDE
            return line(
                ("■ ", self.style("board--dark")),
                (row.name, title),
                (f" · {row.area} · " if wide else " · ", muted),
                ("DARK — power cut" if wide else "DARK", self.style("board--dark")),
                (" · orders fail over" if row.failover else " · failover is off", muted),
            )
        queue = f"{row.waiting}/{row.capacity}" if row.capacity is not None else str(row.waiting)
        flows = (
            f"queue {queue} → cook {row.cooking} → ready {row.ready} → out {row.out}",
            f"q {queue} · ck {row.cooking}",
        )
        for flow, with_area in ((flows[0], True), (flows[0], False), (flows[1], False)):
            text = self._branch_title(row, with_area)
            gap = width - text.cell_len - len(flow)
            if gap >= 2:
                text.append(" " * gap + flow, muted)
                break
        return text

    def _branch_title(self, row: BranchRow, with_area: bool) -> Text:
        """Name, area, kitchen strategy, menu version (once there is a new one) and alerts."""
        title, muted = self.style("board--branch"), self.style("board--muted")
        text = line(("■ ", title), (row.name, title))
        text.append(f" · {row.area} · " if with_area else " · ", muted)
        text.append(row.strategy)
        if row.latest_menu:
            stale = row.menu_version < row.latest_menu
            text.append(
                f" · menu v{row.menu_version}" + (f" (v{row.latest_menu} coming)" if stale else ""),
                self.style("board--waning") if stale else muted,
            )
        if row.alerts:
            text.append(f"  ! {row.alerts}", self.style("board--critical"))
        return text

    def _chef_header(self, width: int) -> Text:
        if width >= WIDE:
            header = (
                "  " + cell("chef", 10) + cell("specialty", 13) + cell("level", 8)
                + cell("state", 11) + cell("", PROGRESS_STEPS + 1) + cell("job", 11) + "queue"
            )  # fmt: skip
        else:
            header = "  " + cell("chef", 8) + cell("spec", 8) + cell("lv", 5) + "state      job   q"
        return line((header, self.style("board--muted")))

    def _chef(self, row: ChefRow, width: int) -> Text:
        at_top = row.level >= row.top_level
        level_style = self.style("board--waning") if at_top else ""
        state_style = self.style(STATE_CLASS.get(row.state, "board--muted"))
        text = line(("▸ " if row.selected else "  ", self.style("board--cursor")))
        if width >= WIDE:
            text.append(cell(row.name, 10))
            text.append(cell(row.specialty, 13), self.style("board--muted"))
            text.append(cell(f"L{row.level}/{row.top_level}", 5), level_style)
            text.append(cell("bk" if row.backup else "", 3), self.style("board--waning"))
            text.append(cell(row.state, 11), state_style)
            steps, bar_w, job = row.progress, PROGRESS_STEPS, cell(row.job, 11)
        else:
            text.append(cell(row.name, 7) + " ")
            short = row.specialty.replace("_", " ").split(" ")[0][:7]
            text.append(cell(short, 8), self.style("board--muted"))
            text.append(cell(f"L{row.level}", 3), level_style)
            text.append(cell("b" if row.backup else "", 2), self.style("board--waning"))
            text.append(cell(SHORT_STATE.get(row.state, row.state), 7), state_style)
            steps, bar_w = row.progress // 2, PROGRESS_STEPS // 2
            job = cell(row.job.split(" ")[0] if row.job.startswith("#") else row.job, 6)
        text.append("━" * steps, self.style("board--bar"))
        text.append("─" * (bar_w - steps) + " ", self.style("board--muted"))
        text.append(job)
        self._queue(text, row.queue, width - text.cell_len)
        if row.selected:  # the cursor's background and weight; each part keeps its own colour
            cursor = self.style("board--cursor")
            text.stylize(Style(bgcolor=cursor.bgcolor, bold=cursor.bold))
        return text

    def _queue(self, text: Text, queue: tuple[Mood, ...], room: int) -> None:
        """Patience dots, oldest first, with a count when they do not all fit."""
        if not queue or room < 3:
            return
        shown = len(queue) if len(queue) <= room else max(0, room - 5)
        for mood in queue[:shown]:
            text.append(MOOD_GLYPH[mood], self.style(MOOD_CLASS[mood]))
        if shown < len(queue):
            text.append(f" +{len(queue) - shown}", self.style("board--muted"))

    def _prep(self, row: PrepRow) -> Text:
        empty = row.fresh == 0 and bool(row.slots)
        text = line(
            ("  prep  ", ""),
            (cell(row.component, 10), self.style("board--prep")),
            (f"{row.fresh}/{row.cap} fresh", self.style("board--critical") if empty else ""),
        )
        if row.spoiled:
            text.append(f" · {row.spoiled} spoiled", self.style("board--waning"))
        schedule = ", ".join(
            f"{clock_hours(start)}–{clock_hours(end)} ≤{target}" for start, end, target in row.slots
        )
        text.append(f" · {schedule}" if schedule else " · no schedule", self.style("board--muted"))
        return text

    def _drivers(self, row: DriversRow, width: int) -> Text:
        text = line(
            ("  drivers ", ""),
            (f"ready {row.ready:<3}", self.style("board--waning") if row.ready else ""),
        )
        if not row.agents:
            text.append(" no drivers", self.style("board--critical"))
            return text
        parts = [
            AGENT_GLYPH[state] + (f"#{order}" if order >= 0 else "") for state, order in row.agents
        ]
        room = width - text.cell_len - 1
        if len(" ".join(parts)) > room:
            counts = {glyph: 0 for glyph in AGENT_GLYPH}
            for state, _ in row.agents:
                counts[state] += 1
            parts = [f"{AGENT_GLYPH[state]}{count}" for state, count in counts.items() if count]
        for part in parts:
            text.append(" ")
            style = "board--muted" if part.startswith("·") else "board--busy"
            text.append(part, self.style(style))
        return text
