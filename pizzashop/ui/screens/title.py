"""The title screen: pick a campaign level or a scenario, optionally a seed, and play."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pizzashop.sim import InputError, Scenario, bundled_levels, bundled_scenarios, load_scenario
from pizzashop.ui.game import Game
from pizzashop.ui.screens.briefing import describe
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.help import HelpScreen

if TYPE_CHECKING:
    from pizzashop.ui.app import PizzaShopApp

TAGLINE = "Run a pizza shop. Learn system design by feeling it in the numbers."


def catalogue() -> list[tuple[str, str, Scenario | str]]:
    """(group, id, scenario or the reason it could not be loaded), levels first."""
    entries: list[tuple[str, str, Scenario | str]] = []
    for group, files in (("campaign", bundled_levels()), ("sandbox", bundled_scenarios())):
        for name, path in files.items():
            try:
                entries.append((group, name, load_scenario(Path(path))))
            except InputError as error:
                entries.append((group, name, str(error)))
    return entries


class TitleScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "play", priority=True),
        Binding("c", "codex", "codex"),
        Binding("question_mark", "help", "help"),
    ]

    app: PizzaShopApp

    def __init__(self) -> None:
        super().__init__()
        self.entries = catalogue()

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        group = ""
        for index, (entry_group, name, scenario) in enumerate(self.entries):
            if entry_group != group:
                if group:
                    options.append(None)
                group = entry_group
                options.append(Option(Text(group.upper(), "bold"), disabled=True))
            title = scenario.title if isinstance(scenario, Scenario) else "(cannot be loaded)"
            label = Text.assemble(title, ("  " + name, "dim"))
            options.append(Option(label, id=str(index), disabled=isinstance(scenario, str)))
        with Vertical(classes="title"):
            yield Label("pizzashop", id="logo")
            yield Label(TAGLINE, id="tagline")
            with Horizontal():
                yield OptionList(*options, id="scenarios")
                with VerticalScroll(id="details"):
                    yield Static(id="about")
            with Horizontal(classes="row"):
                yield Label("seed ")
                yield Input(
                    placeholder="the scenario's own", type="integer", compact=True, id="seed"
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.focus()
        scenarios.action_first()

    def _chosen(self) -> Scenario | None:
        option = self.query_one("#scenarios", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        scenario = self.entries[int(option.id)][2]
        return scenario if isinstance(scenario, Scenario) else None

    def on_option_list_option_highlighted(self) -> None:
        scenario = self._chosen()
        if scenario is not None:
            self.query_one("#about", Static).update(describe(scenario))

    def action_play(self) -> None:
        scenario = self._chosen()
        if scenario is None:
            return
        seed = self.query_one("#seed", Input).value
        self.app.start_shift(Game.start(scenario, int(seed) if seed else None))

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.app.codex))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())
