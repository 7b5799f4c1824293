"""Choose what to play in the sandbox, or against an algorithm: the scenario (and the routing
strategy that plays beside you), each from a list the arrow keys move through.

Only the game's own strategies are offered: participants' code is never loaded by the game.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from pizzashop.sim import KITCHEN_STRATEGIES, Scenario, describe_strategies
from pizzashop.ui.screens.dialogs.base import Dialog

SUGGESTED = "least_loaded"
SANDBOX_NOTE = "Any level or scenario with every action allowed, no goals and no stars."
VERSUS_NOTE = (
    "The same day, the same seed, the same orders: a second shop with the scenario's own staff "
    "routes every item with the strategy you pick and takes no other action. Its goodput shows "
    "in the header; the report puts both shops side by side."
)

Choice = tuple[Scenario, str | None]


class ChooseDialog(Dialog[Choice]):
    """`choices` are (key, scenario, label); dismissed with (scenario, strategy or None)."""

    AUTO_FOCUS = "#scenario"

    def __init__(
        self, choices: list[tuple[str, Scenario, Text]], current: str | None, versus: bool
    ) -> None:
        super().__init__()
        self.choices = {key: scenario for key, scenario, _ in choices}
        self.labels = [(key, label) for key, _, label in choices]
        self.current = current
        self.versus = versus

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Play against an algorithm" if self.versus else "Sandbox"
            yield Label(VERSUS_NOTE if self.versus else SANDBOX_NOTE, classes="note")
            yield Label("scenario  (↑↓ to choose, ⏎ to go on)", classes="section")
            options = [Option(label, id=key) for key, label in self.labels]
            yield OptionList(*options, compact=True, id="scenario")
            if self.versus:
                summaries = describe_strategies()["kitchen"]
                width = max(len(name) for name in KITCHEN_STRATEGIES)
                yield Label("against  (↑↓ to choose, ⏎ to play)", classes="section")
                yield OptionList(
                    *(
                        Option(f"{name:<{width}}  {summaries.get(name, '')}", id=name)
                        for name in KITCHEN_STRATEGIES
                    ),
                    compact=True,
                    id="strategy",
                )
            yield from self.buttons("Play" if self.versus else "Start the sandbox")

    def on_mount(self) -> None:
        keys = [key for key, _ in self.labels]
        scenarios = self.query_one("#scenario", OptionList)
        scenarios.highlighted = keys.index(self.current) if self.current in keys else 0
        if self.versus:
            names = list(KITCHEN_STRATEGIES)
            strategy = self.query_one("#strategy", OptionList)
            strategy.highlighted = names.index(SUGGESTED) if SUGGESTED in names else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.versus and event.option_list.id == "scenario":
            self.query_one("#strategy", OptionList).focus()
        else:
            self.submit()

    def submit(self) -> None:
        option = self.query_one("#scenario", OptionList).highlighted_option
        if option is None or option.id is None:
            return
        strategy = None
        if self.versus:
            chosen = self.query_one("#strategy", OptionList).highlighted_option
            if chosen is None:
                return
            strategy = chosen.id
        self.dismiss((self.choices[option.id], strategy))
