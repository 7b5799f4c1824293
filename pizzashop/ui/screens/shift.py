"""The shift: header, shop board, metrics and event log, driven by a wall-clock timer.

The timer advances the sim by elapsed wall time × speed; each frame the panels read the sim and
repaint only the lines that changed. Every player action goes through `Game.apply` (a sim command)
and its outcome, done or refused with a reason, becomes a notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen

from pizzashop.player.library import delete_save, save_game, shown_error, shown_path
from pizzashop.sim import Action
from pizzashop.sim.live import goal_standings, live_report
from pizzashop.ui.codex import Codex
from pizzashop.ui.frames import FrameClock
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.host import host
from pizzashop.ui.keys import ACTION_KINDS_OF_KEY, SHIFT_BINDINGS
from pizzashop.ui.palette import shift_commands
from pizzashop.ui.screens.briefing import BriefingScreen
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.dialogs import (
    BranchesDialog,
    ChefDialog,
    HireDialog,
    LogFilterDialog,
    MenuDialog,
    PrepDialog,
    RoutingDialog,
)
from pizzashop.ui.screens.dialogs.leave import Leave, LeaveDialog
from pizzashop.ui.screens.help import HelpScreen
from pizzashop.ui.screens.report import ReportScreen
from pizzashop.ui.widgets.board import ShopBoard
from pizzashop.ui.widgets.event_log import EventLog
from pizzashop.ui.widgets.footer import ShopFooter
from pizzashop.ui.widgets.metrics import MetricsPanel
from pizzashop.ui.widgets.status import StatusBar

REPLAY_HINT = "Space plays or pauses, 1–4 set the speed, . steps. The actions come from the file."
FIRST_WARNING = (
    "Paused on the day's first warning, so you can act before an order is lost. Space resumes."
)


class ShiftScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(SHIFT_BINDINGS)
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (100, "-wide"),
        (150, "-huge"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]
    AUTO_FOCUS = "ShopBoard"

    def __init__(
        self,
        game: Game,
        codex: Codex,
        live: bool = True,
        brief: bool = True,
        source: Path | None = None,
    ) -> None:
        super().__init__()
        self.game = game
        self.codex = codex
        self.live = live
        self.brief = brief
        self.source = source
        """The save this game was continued from: used up once the shift is over."""
        self.hint: str | None = None
        self.frames = FrameClock(self.tick)
        self._ended = False

    def compose(self) -> ComposeResult:
        sim = self.game.sim
        yield StatusBar(self.game, id="status")
        with Horizontal(id="main"):
            yield ShopBoard(self.game, id="board")
            yield MetricsPanel(sim, id="metrics")
        yield EventLog(sim.clock, id="log")
        yield ShopFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(ShopBoard).border_title = "shop"
        self.query_one(MetricsPanel).border_title = "metrics"
        self._title_log()
        if self.brief and self.game.sim.scenario.briefing:
            paused, self.game.paused = self.game.paused, True
            briefing = BriefingScreen(self.game.sim.scenario, self.game.sim.seed)
            self.app.push_screen(briefing, lambda start: self._start(paused, bool(start)))
        self.update_panels()
        if self.game.mode is Mode.REPLAY:
            self.notify(REPLAY_HINT, title="Replay", timeout=8)
        if self.live:
            self.frames.start(self)

    def _start(self, paused: bool, start: bool) -> None:
        """The briefing was read: run (or stay paused, as the app was asked to start), or go
        back to the title."""
        if not start:
            host(self).show_title()
            return
        self.game.paused = paused
        self.frames.restart()
        self.refresh_bindings()
        self.update_panels()

    def commands(self) -> Iterable[SystemCommand]:
        """The command palette: every action the scenario allows."""
        return shift_commands(self)

    # ----------------------------------------------------------------- time

    def tick(self, wall_seconds: float) -> None:
        """Run the shop for `wall_seconds` of wall time at the current speed, then repaint."""
        if self.game.tick(wall_seconds):
            self.update_panels()

    def update_panels(self) -> None:
        """Read the sim into every panel; each repaints only the lines that changed."""
        game = self.game
        news = game.news()
        report = live_report(game.sim)
        standings = goal_standings(game.sim, report)
        self.query_one(EventLog).add(news.entries)
        self.query_one(StatusBar).update_status(report, standings)
        self.query_one(ShopBoard).update_board()
        warnings = list(game.warnings.values())
        self.query_one(MetricsPanel).update_metrics(report, standings, warnings)
        if news.warned:
            self._first_warning(news.warned[0])
        elif not self._ended:
            self._offer_codex(news.moments)
        if game.sim.finished and not self._ended:
            self._ended = True
            self.call_later(self._end_shift)

    def _first_warning(self, text: str) -> None:
        """On a campaign level, the first warning pauses the game, once per level a session, as
        a tutorial would: at 8× a warning is up for well under a second before its loss."""
        game, app = self.game, host(self)
        scenario = game.sim.scenario
        if game.mode is not Mode.PLAY or game.paused or game.sim.finished or game.seated:
            return
        if scenario.name in app.warned or app.career.level_of(scenario) is None:
            return
        app.warned.add(scenario.name)
        self.action_pause()
        self.notify(f"{text}\n{FIRST_WARNING}", title="Warning", severity="warning", timeout=10)

    def _end_shift(self) -> None:
        while self.app.screen is not self:
            self.app.pop_screen()
        app = host(self)
        standing = app.record(self.game)
        used_up = None
        if self.source is not None and self.game.mode is not Mode.REPLAY:
            used_up = self.source if delete_save(self.source) else None
        self.app.switch_screen(ReportScreen(self.game, self.codex, standing, used_up))

    # ---------------------------------------------------------------- codex

    def _offer_codex(self, moments: list[str]) -> None:
        """Offer the codex entry for the first new moment, once per concept per session, in
        the log's subtitle (`c` opens it there)."""
        for moment in moments:
            concept = self.codex.for_moment(moment)
            if concept is None or concept.id in host(self).offered:
                continue
            host(self).offered.add(concept.id)
            self.hint = concept.id
            self._title_log()
            return

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        game = self.game
        if action == "pause":
            return game.self_pause and not game.held
        if action == "speed":
            return not parameters or parameters[0] in game.speeds
        if action == "step":
            return game.paused and game.self_pause and not game.held
        if action == "save":
            return game.mode is not Mode.REPLAY and not game.seated
        if action == "prep" and not self.game.sim.scenario.components:
            return False
        kinds = ACTION_KINDS_OF_KEY.get(action)
        return kinds is None or self.game.allows(*kinds)

    def send(self, actions: Action | list[Action] | None) -> None:
        """Apply actions through the sim. What was done shows in the log (and on the board);
        a refusal is also a toast, with its reason."""
        if actions is None:
            return
        for action in actions if isinstance(actions, list) else [actions]:
            outcome = self.game.apply(action)
            if not outcome.ok:
                self.notify(outcome.reason, title="Refused", severity="error", timeout=5)
        self.update_panels()

    def action_pause(self) -> None:
        if not self.check_action("pause", ()):
            return
        self.game.paused = not self.game.paused
        self.frames.restart()
        self.refresh_bindings()
        self.update_panels()

    def action_speed(self, speed: int) -> None:
        if not self.check_action("speed", (speed,)):
            return
        self.game.speed = speed
        if self.game.paused and self.check_action("pause", ()):
            self.action_pause()
        self.update_panels()

    def action_step(self) -> None:
        if not self.check_action("step", ()):
            return
        self.game.step()
        self.update_panels()

    def action_save(self) -> bool:
        """Save the game as it stands; the title screen lists it to continue."""
        try:
            path = save_game(self.game.sim)
        except OSError as error:
            self.notify(
                f"Could not save: {shown_error(error)}",
                title="Not saved",
                severity="error",
                markup=False,
            )
            return False
        note = " The versus rival is not saved." if self.game.rival is not None else ""
        self.notify(f"Saved to {shown_path(path)}.{note}", title="Saved", timeout=5, markup=False)
        return True

    def action_leave(self) -> None:
        """`q`: save and go back to the title, abandon the shift, or quit — paused meanwhile
        (except in a room: its clock is the room's)."""
        paused, self.game.paused = self.game.paused, self.game.paused or not self.game.seated
        self.update_panels()

        def chosen(choice: Leave | None) -> None:
            if choice is None:
                self.game.paused = paused
                self.frames.restart()
                self.update_panels()
            elif choice is Leave.QUIT:
                self.app.exit()
            elif choice is Leave.ABANDON or self.action_save():
                host(self).show_title()

        can_save = self.check_action("save", ()) is True
        dialog = LeaveDialog(can_save, self.game.mode is Mode.REPLAY, self.game.seated)
        self.app.push_screen(dialog, chosen)

    def action_hire(self) -> None:
        board = self.query_one(ShopBoard)
        self.app.push_screen(HireDialog(self.game, board.selected_branch), self.send)

    def on_shop_board_chef_chosen(self, message: ShopBoard.ChefChosen) -> None:
        self.app.push_screen(ChefDialog(self.game, message.chef), self.send)

    def action_routing(self) -> None:
        board = self.query_one(ShopBoard)
        self.app.push_screen(RoutingDialog(self.game, board.selected_branch), self.send)

    def action_prep(self) -> None:
        board = self.query_one(ShopBoard)
        self.app.push_screen(PrepDialog(self.game, board.selected_branch), self.send)

    def action_branches(self) -> None:
        self.app.push_screen(BranchesDialog(self.game), self.send)

    def action_menu(self) -> None:
        self.app.push_screen(MenuDialog(self.game), self.send)

    def action_filter_log(self) -> None:
        log = self.query_one(EventLog)
        kinds = {entry.kind for entry in self.game.sim.metrics.log}
        if log.kind is not None:
            kinds.add(log.kind)
        branches = [branch.name for branch in self.game.sim.branches]
        dialog = LogFilterDialog(sorted(kinds), branches, log.kind, log.branch)
        self.app.push_screen(dialog, self._set_log_filter)

    def _set_log_filter(self, choice: tuple[str | None, str | None] | None) -> None:
        if choice is not None:
            self.query_one(EventLog).refilter(*choice, self.game.sim.metrics.log)
            self._title_log()

    def _title_log(self) -> None:
        """The log's title says what it shows; its subtitle offers the latest codex hint (a
        line of the frame rather than a toast over the log)."""
        log = self.query_one(EventLog)
        log.border_title = f"log · {log.filter_text}"
        concept = self.codex.concept(self.hint) if self.hint else None
        hint = f"c: about {concept.title.lower()} · " if concept is not None else ""
        log.border_subtitle = f"{hint}f filter"

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.codex, self.hint))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())
