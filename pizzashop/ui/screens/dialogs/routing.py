"""Routing: which chef cooks each item (per branch), which branch takes each order, failover.

Each strategy is listed with its one-line explanation from the sim (`describe_strategies`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Checkbox, Label, OptionList, Select
from textual.widgets.option_list import Option

from pizzashop.sim import Action, describe_strategies
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog

EVERY_BRANCH = ""


class SpaceToggle(Checkbox, inherit_bindings=False):
    """A checkbox that Space toggles and Enter leaves to the dialog: toggle failover on, press
    Enter to apply, and it is applied on, not toggled back off."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]


def failover_label(on: bool) -> str:
    """The failover setting in words, not only the box's colour. Failover is the router's
    health check, the same under nearest and fastest (docs/engine.md)."""
    if on:
        return "failover ON: routers skip a dark branch; orders waiting there move"
    return "failover OFF: a dark branch still gets orders, and loses them"


def _options(strategies: dict[str, str]) -> list[Option]:
    width = max(len(name) for name in strategies)
    return [Option(f"{name:<{width}}  {summary}", id=name) for name, summary in strategies.items()]


class RoutingDialog(Dialog[list[Action]]):
    def __init__(self, game: Game, branch: str | None) -> None:
        super().__init__()
        self.game = game
        self.branch = branch or game.sim.branches[0].name
        self.strategies = describe_strategies()

    def compose(self) -> ComposeResult:
        game, sim = self.game, self.game.sim
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Routing"
            if game.allows("route_kitchen"):
                yield Label("Kitchen: which chef cooks each item", classes="section")
                if len(sim.branches) > 1:
                    branches = [(b.name, b.name) for b in sim.branches]
                    yield Select(
                        [*branches, ("every branch", EVERY_BRANCH)],
                        value=self.branch,
                        allow_blank=False,
                        compact=True,
                        id="branch",
                    )
                yield OptionList(*_options(self.strategies["kitchen"]), compact=True, id="kitchen")
                yield Label("", classes="note", id="kitchen-help")
            if game.allows("route_branches") and len(sim.branches) > 1:
                yield Label("Branches: which branch takes each order", classes="section")
                yield OptionList(*_options(self.strategies["branch"]), compact=True, id="orders")
                yield SpaceToggle(
                    failover_label(sim.failover), value=sim.failover, compact=True, id="failover"
                )
            yield from self.buttons("Apply")

    def on_mount(self) -> None:
        self._show_current()
        orders = self.query("#orders")
        if orders:
            names = list(self.strategies["branch"])
            orders.first(OptionList).highlighted = names.index(self.game.sim.branch_strategy)

    def _kitchen_branch(self) -> str:
        selects = self.query("#branch")
        return str(selects.first(Select).value) if selects else self.branch

    def _show_current(self) -> None:
        kitchens = self.query("#kitchen")
        if not kitchens:
            return
        name = self._kitchen_branch() or self.branch
        current = self.game.sim.branch_by_name[name].strategy
        kitchens.first(OptionList).highlighted = list(self.strategies["kitchen"]).index(current)

    def on_select_changed(self) -> None:
        self._show_current()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = failover_label(event.value)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "kitchen" and event.option_id is not None:
            self.query_one("#kitchen-help", Label).update(
                self.strategies["kitchen"][event.option_id]
            )

    def on_option_list_option_selected(self) -> None:
        self.submit()

    def submit(self) -> None:
        sim = self.game.sim
        actions: list[Action] = []
        kitchens = self.query("#kitchen")
        if kitchens:
            option = kitchens.first(OptionList).highlighted_option
            branch = self._kitchen_branch()
            targets = [sim.branch_by_name[branch]] if branch else sim.branches
            if option is not None and any(b.strategy != option.id for b in targets):
                actions.append(A.RouteKitchen(strategy=str(option.id), branch=branch or None))
        orders = self.query("#orders")
        if orders:
            option = orders.first(OptionList).highlighted_option
            failover = self.query_one("#failover", Checkbox).value
            if option is not None and (
                option.id != sim.branch_strategy or failover != sim.failover
            ):
                actions.append(A.RouteBranches(strategy=str(option.id), failover=failover))
        self.dismiss(actions)
