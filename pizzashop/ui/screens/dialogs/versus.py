"""Human versus algorithm: pick the routing strategy that runs the same orders beside you.

Only the game's own strategies are offered: participants' code is never loaded by the game.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from pizzashop.sim import KITCHEN_STRATEGIES, Scenario, describe_strategies
from pizzashop.ui.screens.dialogs.base import Dialog

SUGGESTED = "least_loaded"


class VersusDialog(Dialog[str]):
    AUTO_FOCUS = "#strategy"

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        summaries = describe_strategies()["kitchen"]
        width = max(len(name) for name in KITCHEN_STRATEGIES)
        options = [
            Option(f"{name:<{width}}  {summaries.get(name, '')}", id=name)
            for name in KITCHEN_STRATEGIES
        ]
        with Vertical(classes="dialog wide") as box:
            box.border_title = f"{self.scenario.title or self.scenario.name} against an algorithm"
            yield Label(
                "The same day, the same seed, the same orders: a second shop with the scenario's "
                "own staff routes every item with this strategy and takes no other action. Its "
                "goodput shows in the header; the report puts both shops side by side.",
                classes="note",
            )
            yield OptionList(*options, compact=True, id="strategy")
            yield from self.buttons("Play")

    def on_mount(self) -> None:
        strategies = list(KITCHEN_STRATEGIES)
        first = strategies.index(SUGGESTED) if SUGGESTED in strategies else 0
        self.query_one("#strategy", OptionList).highlighted = first

    def on_option_list_option_selected(self) -> None:
        self.submit()

    def submit(self) -> None:
        option = self.query_one("#strategy", OptionList).highlighted_option
        self.dismiss(None if option is None else option.id)
