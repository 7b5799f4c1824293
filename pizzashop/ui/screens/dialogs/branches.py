"""Branches and drivers: hire drivers for a branch, open a branch near customers, or close one
to save rent. Hiring drivers and closing a branch sit in sections of their own, never side by
side."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from pizzashop.sim import Action
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog
from pizzashop.ui.widgets.cells import plural


class BranchesDialog(Dialog[Action]):
    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game

    def compose(self) -> ComposeResult:
        game, sim = self.game, self.game.sim
        delivery = sim.delivery.enabled and game.allows("hire_agents")
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Branches and drivers"
            if delivery:
                yield Label("Drivers", classes="section")
                yield Label(
                    f"Drivers carry any ready order (decoupled from the kitchen): "
                    f"{sim.delivery.agent_hire_cost:g} each to hire, "
                    f"{sim.delivery.agent_wage:g}/hour.",
                    classes="note",
                )
                with Horizontal(classes="row"):
                    yield Label("drivers to hire ")
                    yield Input("1", type="integer", compact=True, id="count", classes="target")
                for index, branch in enumerate(sim.branches):
                    with Horizontal(classes="row branch"):
                        drivers = plural(len(branch.agents), "driver")
                        yield Label(f"{branch.name} · {drivers}", classes="grow")
                        if branch.is_open:
                            yield Button(
                                f"Hire drivers at {branch.name}", id=f"agents-{index}", compact=True
                            )
            yield Label("Branches", classes="section")
            for index, branch in enumerate(sim.branches):
                state = ("open" if branch.is_open else "closed") + ("" if branch.lit else ", dark")
                rent = branch.spec.rent_per_hour
                with Horizontal(classes="row branch"):
                    yield Label(
                        f"{branch.name} · {branch.area} · {state} · rent {rent:g}/h", classes="grow"
                    )
                    if branch.is_open and game.allows("close_branch"):
                        yield Button(
                            f"Close {branch.name}", id=f"close-{index}", variant="error",
                            compact=True,
                        )  # fmt: skip
                    elif not branch.is_open and game.allows("open_branch"):
                        label = f"Open {branch.name} ({branch.spec.open_cost:,.0f})"
                        yield Button(label, id=f"open-{index}", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Done", id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        verb, _, index = (event.button.id or "").partition("-")
        if not index:
            return
        branch = self.game.sim.branches[int(index)].name
        if verb == "open":
            self.dismiss(A.OpenBranch(branch=branch))
        elif verb == "close":
            self.dismiss(A.CloseBranch(branch=branch))
        else:
            count = self.query_one("#count", Input).value
            self.dismiss(A.HireAgents(branch=branch, count=max(1, min(50, int(count or 1)))))
