"""The pizzashop app: the title screen or a shift, the themes, and quitting cleanly; it records a
finished level in the player's progress and on the leaderboard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pizzashop.player.career import Career, Standing
from pizzashop.sim import Scenario, build_report
from pizzashop.ui.codex import Codex, load_codex
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.palette import shift_commands
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
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

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        *,
        paused: bool = False,
        live: bool = True,
        codex: Codex | None = None,
        game: Game | None = None,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.seed = seed
        self.game = game
        self.paused = paused
        self.live = live
        self.codex = codex if codex is not None else load_codex()
        self.offered: set[str] = set()
        """Codex concepts already offered this session (each is offered once)."""
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME
        self._career: Career | None = None

    def on_mount(self) -> None:
        if self.game is not None:
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
        the progress file and on the leaderboard."""
        if game.mode is not Mode.PLAY:
            return None
        level = self.career.level_of(game.sim.scenario)
        if level is None:
            return None
        return self.career.finish(level, game.sim.seed, build_report(game.sim))

    def start_shift(self, game: Game, brief: bool = True) -> None:
        """Play `game` (after its briefing): on top of the title screen, or in place of the
        current screen. A resumed game or a replay stays paused until the player starts it."""
        game.paused = game.paused or self.paused
        screen = ShiftScreen(game, self.codex, live=self.live, brief=brief)
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if isinstance(screen, ShiftScreen):
            yield from shift_commands(screen)
        yield from super().get_system_commands(screen)
