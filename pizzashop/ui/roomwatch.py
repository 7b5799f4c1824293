"""`pizzashop room watch`: the instructor's console for the projector.

A table of every seat, redrawn twice a second from the room's socket (never from a game's
process): player, state, sim clock, speed, goodput with a sparkline, orders lost by cause,
money. It sorts by goodput (or by player, losses or clock: `g`). The round's controls are keys
and commands of the palette: open the gate, pause and resume everyone, a game day (an outage,
a rush, a chef called away), a notice, the end. When the round ends, the final ranking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from pizzashop.ui.palette import app_commands, binding_commands
from pizzashop.ui.screens.dialogs.confirm import ConfirmDialog
from pizzashop.ui.screens.dialogs.gameday import AnnounceDialog, GameDayDialog
from pizzashop.ui.spark import sparkline
from pizzashop.ui.theme import DEFAULT_THEME, THEMES
from pizzashop.workshop.roomclient import RoomClient, RoomError, ask_once
from pizzashop.workshop.roomcommands import LOSS_SHORT

POLL_SECONDS = 0.5
RETRY_SECONDS = 2.0
SORTS = ("goodput", "player", "lost", "clock")
SPARK_WIDE, SPARK_NARROW = 16, 8


def _goodput(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


class WatchScreen(Screen[None]):
    """The seats, the game day so far, and the ranking once the round is over."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "start", tooltip="open the gate: every shift starts at once"),
        Binding("space", "pause", "pause/resume", tooltip="pause or resume every seat"),
        Binding("o", "gameday('outage')", "outage", tooltip="game day: cut the power"),
        Binding("r", "gameday('rush')", "rush", tooltip="game day: a rush of orders"),
        Binding("l", "gameday('leave')", "leave", tooltip="game day: call a chef away"),
        Binding("a", "announce", "announce", tooltip="a one-line notice on every screen"),
        Binding("e", "end", "end", tooltip="end the round: finish, rank and record every shift"),
        Binding("g", "sort", "sort", tooltip="sort by goodput, player, losses or clock"),
        Binding("q", "quit", "quit", tooltip="close the console (the room plays on)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reply: dict[str, Any] | None = None
        self.sort = SORTS[0]
        self._columns: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("connecting to the room…", id="watch-head")
        yield DataTable(id="watch-seats", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="watch-ranking"):
            yield Static(id="watch-final")
        yield Static(id="watch-gameday")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#watch-ranking").display = False

    # --------------------------------------------------------------- drawing

    def show(self, reply: dict[str, Any]) -> None:
        self.reply = reply
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(" ROOM ", "reverse bold")
        head.append(f" {reply['title']} · {reply['level']}, seed {reply['seed']} · ")
        head.append(reply["phase"].upper(), "bold")
        players = reply["players"]
        head.append(f" · {players} player{'s' if players != 1 else ''}")
        head.append(f" · sorted by {self.sort}" if self.size.width >= 100 else "")
        self.query_one("#watch-head", Static).update(head)
        ended = reply["phase"] == "ended" and bool(reply["ranking"])
        self.query_one("#watch-seats").display = not ended
        self.query_one("#watch-ranking").display = ended
        if ended:
            self.query_one("#watch-final", Static).update(ranking_table(reply["ranking"]))
        else:
            self._seats(reply["seats"])
        lines = [Text(i["text"], "bold") for i in reply["injections"][-4:]]
        if reply.get("notice"):
            lines.append(Text(f"notice: {reply['notice']}", "italic"))
        if not lines:
            lines.append(Text("no game day yet: o outage · r rush · l leave", "dim"))
        shown = Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
        self.query_one("#watch-gameday", Static).update(shown)
        self.refresh_bindings()

    def _seats(self, seats: list[dict[str, Any]]) -> None:
        table = self.query_one("#watch-seats", DataTable)
        wide = self.size.width >= 110
        columns = (
            ("#", "player", "state", "clock", "speed", "goodput", "trend", "placed", "lost",
             "lost by cause", "money")
            if wide
            else ("#", "player", "state", "clock", "goodput", "trend", "lost")
        )  # fmt: skip
        if columns != self._columns:
            table.clear(columns=True)
            table.add_columns(*columns)
            self._columns = columns
        cursor = table.cursor_row
        table.clear()
        spark = SPARK_WIDE if wide else SPARK_NARROW
        for rank, seat in enumerate(sorted(seats, key=self._key), 1):
            cells = {
                "#": str(rank),
                "player": seat["player"],
                "state": seat["state"] + (" !" if seat["out_of_step"] else ""),
                "clock": seat["clock"],
                "speed": "‖" if seat["paused"] else f"{seat['speed']}×" if seat["speed"] else "",
                "goodput": _goodput(seat["goodput"]),
                "trend": sparkline(seat["spark"], spark, peak=1.0) if seat["spark"] else "",
                "placed": str(seat["orders_placed"]),
                "lost": str(seat["orders_lost"]),
                "lost by cause": ", ".join(
                    f"{LOSS_SHORT.get(cause, cause)} {n}" for cause, n in seat["lost"].items() if n
                ),
                "money": f"{seat['money']:,.0f}",
            }
            table.add_row(*(Text(cells[column]) for column in columns), key=seat["player"])
        if seats:
            table.move_cursor(row=min(cursor, len(seats) - 1))

    def _key(self, seat: dict[str, Any]) -> tuple:
        if self.sort == "player":
            return (seat["player"],)
        if self.sort == "lost":
            return (-seat["orders_lost"], seat["player"])
        if self.sort == "clock":
            return (-seat["sim_minute"], seat["player"])
        return (-(seat["goodput"] or 0.0), seat["player"])

    def lost_contact(self, why: str) -> None:
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(" ROOM ", "reverse bold")
        head.append(f" {why} — trying again…", "bold")
        self.query_one("#watch-head", Static).update(head)

    # -------------------------------------------------------------- controls

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.reply["phase"] if self.reply else None
        if action == "start":
            return phase == "lobby"
        if action in ("pause", "gameday"):
            return phase in ("playing", "paused")
        if action in ("end", "announce"):
            return phase is not None and phase != "ended"
        return True

    def action_start(self) -> None:
        self.app.run_worker(self._send({"command": "start"}))

    def action_pause(self) -> None:
        paused = self.reply is not None and self.reply["phase"] == "paused"
        self.app.run_worker(self._send({"command": "resume" if paused else "pause"}))

    def action_gameday(self, command: str) -> None:
        targets = (self.reply or {}).get("targets", {"branches": [], "areas": [], "chefs": []})
        self.app.push_screen(GameDayDialog(command, targets), self._sent_from_dialog)

    def action_announce(self) -> None:
        self.app.push_screen(AnnounceDialog(), self._sent_from_dialog)

    def action_end(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.run_worker(self._send({"command": "end"}))

        question = "Every shift is played out at once, ranked and recorded. It cannot be undone."
        self.app.push_screen(ConfirmDialog("End the round?", question, "End it"), confirmed)

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self.reply is not None:
            self.show(self.reply)

    def _sent_from_dialog(self, fields: dict[str, Any] | None) -> None:
        if fields is not None:
            self.app.run_worker(self._send(fields))

    async def _send(self, fields: dict[str, Any]) -> None:
        command = fields.pop("command")
        try:
            reply = await ask_once(command, **fields)
        except RoomError as error:
            self.notify(str(error), title="Refused", severity="error", markup=False)
            return
        if self.reply is not None:  # the phase now, before the next poll says it
            self.reply["phase"] = reply["phase"]
            self.refresh_bindings()
        text = reply.get("text") or f"{command}: done"
        self.notify(text, title="Room", markup=False)


def ranking_table(ranking: list[dict[str, Any]]) -> Table:
    """The final ranking: goodput, then score; the routing each player ended with."""
    table = Table(title="Final ranking (goodput, then score)", expand=True, title_style="bold")
    for column, justify in (("#", "right"), ("player", "left"), ("goodput", "right"),
                            ("score", "right"), ("stars", "left"), ("lost", "right"),
                            ("routing", "left")):  # fmt: skip
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in ranking:
        table.add_row(
            str(row["rank"]), Text(row["player"]), _goodput(row["goodput"]), f"{row['score']:,}",
            "★" * row["stars"] or "–", str(row["orders_lost"]), Text(row["routing"]),
        )  # fmt: skip
    return table


class RoomWatchApp(App[None]):
    """Polls the room's status over one control connection and shows it."""

    CSS_PATH = "pizzashop.tcss"
    TITLE = "pizzashop room"

    def __init__(self) -> None:
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(WatchScreen())
        self.run_worker(self._follow(), name="status", exit_on_error=False)

    async def _follow(self) -> None:
        while True:
            try:
                async with RoomClient() as room:
                    while True:
                        self._screen().show(await room.ask("status"))
                        await asyncio.sleep(POLL_SECONDS)
            except RoomError as error:
                self._screen().lost_contact(str(error))
            await asyncio.sleep(RETRY_SECONDS)

    def _screen(self) -> WatchScreen:
        return next(s for s in self.screen_stack if isinstance(s, WatchScreen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from binding_commands(screen)
        yield from app_commands(self)


def watch() -> int:
    """`pizzashop room watch`: a room must answer first (else one line, status 2)."""
    from pizzashop.sim import InputError

    try:
        asyncio.run(ask_once("status"))
    except RoomError as error:
        raise InputError("room watch", "", str(error)) from None
    RoomWatchApp().run()
    return 0
