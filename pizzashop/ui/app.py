"""The pizzashop app: the title screen or a shift, the themes, and quitting cleanly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pizzashop.sim import Scenario
from pizzashop.ui.codex import Codex, load_codex
from pizzashop.ui.game import Game
from pizzashop.ui.palette import shift_commands
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.theme import DEFAULT_THEME, THEMES


class PizzaShopApp(App[None]):
    """Starts on the title screen, or straight into a shift of `scenario`.

    `paused` starts shifts paused and `live=False` runs no wall-clock timer: tests and snapshots
    then advance the shop explicitly and never depend on wall time.
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
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.seed = seed
        self.paused = paused
        self.live = live
        self.codex = codex if codex is not None else load_codex()
        self.offered: set[str] = set()
        """Codex concepts already offered this session (each is offered once)."""
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        if self.scenario is None:
            self.push_screen(TitleScreen())
        else:
            self.start_shift(Game.start(self.scenario, self.seed))

    def start_shift(self, game: Game, brief: bool = True) -> None:
        """Play `game` (after its briefing): on top of the title screen, or in place of the
        current screen."""
        game.paused = self.paused
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
