"""The pizzashop app: the title screen or a shift, the themes, and quitting cleanly; it records a
finished level in the player's progress and on the leaderboard."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from pizzashop.player.career import Career, Standing
from pizzashop.sim import Scenario, build_report
from pizzashop.ui.codex import Codex, load_codex
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.notice import HELD_TOASTS, TOAST_SECONDS, Notice
from pizzashop.ui.palette import app_commands, binding_commands
from pizzashop.ui.screens.lobby import LobbyScreen
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.seat import REPORT_SECONDS, RoomSeat
from pizzashop.ui.theme import DEFAULT_THEME, THEMES


class PizzaShopApp(App[None]):
    """Starts on the title screen, or straight into a shift of `scenario`.

    `game` starts straight into a prepared game instead (a resumed save, a replay, a versus
    game). `paused` starts shifts paused and `live=False` runs no wall-clock timer: tests and
    snapshots then advance the shop explicitly and never depend on wall time.
    """

    CSS_PATH = "pizzashop.tcss"
    TITLE = "pizzashop"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]
    """`q` quits from the title, the lab and the report; a shift binds it to leaving the shift."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        *,
        paused: bool = False,
        live: bool = True,
        codex: Codex | None = None,
        game: Game | None = None,
        seat: RoomSeat | None = None,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.seed = seed
        self.game = game
        self.seat = seat
        """A seat in an instructor's room: the lobby first, then the room's shift."""
        self.paused = paused
        self.live = live
        self.codex = codex if codex is not None else load_codex()
        self.offered: set[str] = set()
        """Codex concepts already offered this session (each is offered once)."""
        self.warned: set[str] = set()
        """Scenarios whose first warning has paused the game this session (once each)."""
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME
        self._career: Career | None = None
        self._held: list[Notice] = []

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.seat is not None:
            self.push_screen(LobbyScreen())
            self.run_worker(self.seat.run(self), name="room", exit_on_error=False)
            self.set_interval(REPORT_SECONDS, self.seat.report)
        elif self.game is not None:
            fresh = self.game.sim.now == 0 and self.game.mode is not Mode.REPLAY
            self.start_shift(self.game, brief=fresh)
        elif self.scenario is None:
            self.push_screen(TitleScreen())
        else:
            self.start_shift(Game.start(self.scenario, self.seed))

    @property
    def career(self) -> Career:
        """The player's progress, read once; a file that cannot be read is reported here, once."""
        if self._career is None:
            self._career = Career()
            if self._career.problem is not None:
                self.notify(
                    f"{self._career.problem}. Progress will not be saved this session.",
                    title="Progress file",
                    severity="error",
                    timeout=20,
                    markup=False,
                )
        return self._career

    def record(self, game: Game) -> Standing | None:
        """A finished shift of a campaign level, played (not a sandbox or a replay), goes into
        the progress file and on the leaderboard. A room's shift is the room's to record (its
        game day makes it another day than the level's)."""
        if game.mode is not Mode.PLAY or game.sim.room:
            return None
        level = self.career.level_of(game.sim.scenario)
        if level is None:
            return None
        return self.career.finish(level, game.sim.seed, build_report(game.sim))

    def start_shift(self, game: Game, brief: bool = True, source: Path | None = None) -> None:
        """Play `game` (after its briefing): on top of the title screen, or in place of the
        current screen. A resumed game or a replay stays paused until the player starts it;
        `source` is the save it was continued from."""
        game.paused = game.paused or self.paused
        screen = ShiftScreen(game, self.codex, live=self.live, brief=brief, source=source)
        if isinstance(self.screen, TitleScreen) or len(self.screen_stack) == 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def show_title(self) -> None:
        titles = [screen for screen in self.screen_stack if isinstance(screen, TitleScreen)]
        if titles:
            while self.screen is not titles[-1]:
                self.pop_screen()
        else:
            self.switch_screen(TitleScreen())

    # ---------------------------------------------------------------- toasts

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts are few, timed, and never cover a dialog or the report.

        Over a modal screen (a dialog, the briefing, the help) a toast waits until it closes;
        a dialog shows its own problems in a line of its own. A screen with such a line (the
        report) gets its notices there.
        """
        notice = Notice(message, title, severity, timeout or TOAST_SECONDS, markup)
        shown = getattr(self.screen, "notice", None)
        if isinstance(self.screen, ModalScreen):
            self._held = [*self._held, notice][-HELD_TOASTS:]
        elif callable(shown):
            shown(notice)
        else:
            super().notify(
                message, title=title, severity=severity, timeout=notice.timeout, markup=markup
            )

    def _screen_changed(self, screen: Screen) -> None:
        if isinstance(screen, ModalScreen) or callable(getattr(screen, "notice", None)):
            self.clear_notifications()
            return
        held, self._held = self._held, []
        for notice in held:
            self.notify(
                notice.message,
                title=notice.title,
                severity=notice.severity,
                timeout=notice.timeout,
                markup=notice.markup,
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The game's own commands only: Textual's stock ones (a screenshot written to the
        server's disk when hosted, say) are not the player's to run."""
        commands = getattr(screen, "commands", None)
        yield from commands() if callable(commands) else binding_commands(screen)
        yield from app_commands(self)
