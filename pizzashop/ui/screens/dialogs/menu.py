"""A menu update: a new price or cook time for one dish, sent to every branch.

Each branch gets it after its own delay; until then it cooks the old recipe (consistency).
"""

from __future__ import annotations

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from pizzashop.sim import Action
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog


class MenuDialog(Dialog[Action]):
    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game

    def compose(self) -> ComposeResult:
        sim = self.game.sim
        items = list(sim.scenario.menu)
        latest = len(sim.menu_versions) - 1
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
            yield Label("dish")
            yield Select(
                [(name, name) for name in items],
                value=items[0],
                allow_blank=False,
                compact=True,
                id="item",
            )
            yield Label("", id="current", classes="note")
            with Horizontal(classes="row"):
                yield Label("new price ")
                yield Input(type="number", compact=True, id="price", classes="target")
                yield Label("  new cook minutes ")
                yield Input(type="number", compact=True, id="minutes", classes="target")
            yield from self.buttons("Push")

    def on_mount(self) -> None:
        self._show_current()

    def on_select_changed(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        item = str(self.query_one("#item", Select).value)
        price, minutes = self.game.sim.menu_versions[-1][item]
        self.query_one("#current", Label).update(f"now: price {price:g}, cooks in {minutes:g} min")
        self.query_one("#price", Input).placeholder = f"{price:g}"
        self.query_one("#minutes", Input).placeholder = f"{minutes:g}"

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        """Push the update, or say what is wrong and stay open (`1e999` is a number to the
        input box, but no price: the action's own limits decide)."""
        labels = {"price": "new price", "cook_minutes": "new cook minutes"}
        try:
            action = A.PushMenu(
                item=str(self.query_one("#item", Select).value),
                price=_number(self.query_one("#price", Input).value),
                cook_minutes=_number(self.query_one("#minutes", Input).value),
            )
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0])
            label = labels.get(field, field)
            self.notify(f"{label}: {first['msg']}", title="Check the update", severity="error")
            return
        except ValueError:
            self.notify("price and minutes are numbers", title="Check the update", severity="error")
            return
        self.dismiss(action)


def _number(text: str) -> float | None:
    """An input's number, None when it is left empty."""
    return float(text) if text.strip() else None
