"""Hire a chef: a branch, a specialty and an optional name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from pizzashop.sim import GENERALIST, Action
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog


def specialties(game: Game) -> list[str]:
    """Every station a chef can specialise in, and generalist."""
    return [GENERALIST, *sorted(set(game.sim.stations.values()))]


class HireDialog(Dialog[Action]):
    """Fields top to bottom, then Cancel, then Hire: Tab never lands on Hire before Cancel, and
    only Enter in a field or on the Hire button spends the money."""

    AUTO_FOCUS = "#specialty"

    def __init__(self, game: Game, branch: str | None) -> None:
        super().__init__()
        self.game = game
        self.branch = branch

    def compose(self) -> ComposeResult:
        sim = self.game.sim
        staff = sim.staff
        branches = [b.name for b in sim.branches if b.is_open]
        with Vertical(classes="dialog") as box:
            box.border_title = "Hire a chef"
            arrives = (
                f" They arrive {staff.hire_minutes:g} min after you hire them, paid from then."
                if staff.hire_minutes > 0
                else ""
            )
            yield Label(
                f"Costs {staff.hire_cost:,.0f} now and {sim.wage_at(1):g}/hour at level 1."
                f"{arrives} A specialist cooks their own dish fastest; a generalist cooks "
                f"anything at ×{staff.generalist_factor:g} the time.",
                classes="note",
                id="hire-note",
            )
            branch = self.branch if self.branch in branches else branches[0]
            if len(branches) > 1:
                yield Label("branch")
                yield Select(
                    [(name, name) for name in branches],
                    value=branch,
                    allow_blank=False,
                    compact=True,
                    id="branch",
                )
            else:
                yield Label(f"at {branch}", classes="note")
            self.branch = branch
            yield Label("specialty")
            yield Select(
                [(name, name) for name in specialties(self.game)],
                value=GENERALIST,
                allow_blank=False,
                compact=True,
                id="specialty",
            )
            yield Label("name (optional)")
            yield Input(placeholder=sim.next_chef_name(), max_length=24, compact=True, id="name")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(
                    f"Hire ({staff.hire_cost:,.0f})", variant="primary", id="ok", compact=True
                )

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        branches = self.query("#branch")
        self.dismiss(
            A.Hire(
                branch=str(branches.first(Select).value) if branches else self.branch,
                specialty=self.query_one("#specialty", Select).value,
                name=name or None,
            )
        )
