"""A menu update: one of the updates head office offers for a dish, sent to every branch.

Only what the scenario's menu offers can be pushed (a new recipe's cook time, a new price); each
branch gets it after its own delay, and until then cooks the old recipe (consistency).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from pizzashop.sim import Action
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog

NOTHING_OFFERED = "Head office offers no menu update today."


class MenuDialog(Dialog[Action]):
    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game
        self.offers = [
            (name, offer) for name, item in game.sim.scenario.menu.items() for offer in item.offers
        ]

    def compose(self) -> ComposeResult:
        sim = self.game.sim
        latest = len(sim.menu_versions) - 1
        now = sim.menu_versions[-1]
        with Vertical(classes="dialog") as box:
            box.border_title = f"Menu update (now v{latest})"
            yield Label(
                "Each branch gets a new menu after its own delay; until then it cooks the old "
                "recipe and those orders are refunded.",
                classes="note",
            )
            yield Label(
                " · ".join(
                    f"{b.name} v{b.menu_version} (delay {b.menu_delay:g} min)" for b in sim.branches
                ),
                classes="note",
            )
            if not self.offers:
                yield Label(NOTHING_OFFERED, id="current")
            else:
                yield Label("what head office offers (now: price, cook minutes)")
                yield OptionList(
                    *(
                        Option(
                            f"{name}: {offer.describe()}  (now {now[name][0]:g}, "
                            f"{now[name][1]:g} min)",
                            id=str(index),
                        )
                        for index, (name, offer) in enumerate(self.offers)
                    ),
                    compact=True,
                    id="offers",
                )
            yield from self.buttons("Push")

    def on_mount(self) -> None:
        found = self.query("#offers")
        if found:
            found.first(OptionList).highlighted = 0

    def on_option_list_option_selected(self) -> None:
        self.submit()

    def submit(self) -> None:
        found = self.query("#offers")
        option = found.first(OptionList).highlighted_option if found else None
        if option is None or option.id is None:
            self.dismiss(None)
            return
        name, offer = self.offers[int(option.id)]
        self.dismiss(A.PushMenu(item=name, price=offer.price, cook_minutes=offer.cook_minutes))
