"""Act on one chef: upgrade (vertical scaling), mark as backup, change specialty, or fire."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select

from pizzashop.sim import Action
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.screens.dialogs.base import Dialog
from pizzashop.ui.screens.dialogs.hire import specialties


class ChefDialog(Dialog[Action]):
    def __init__(self, game: Game, chef: str) -> None:
        super().__init__()
        self.game = game
        self.chef = chef

    def compose(self) -> ComposeResult:
        game, sim = self.game, self.game.sim
        chef = sim.chefs[self.chef]
        staff = sim.staff
        top = len(staff.speed_by_level)
        with Vertical(classes="dialog") as box:
            box.border_title = f"{chef.name} · {chef.branch.name}"
            yield Label(
                f"{chef.specialty} · level {chef.level} of {top} · speed ×{chef.speed:g} · "
                f"wage {sim.wage_at(chef.level):g}/hour · {chef.state.value}"
                + (" · backup" if chef.backup else ""),
                classes="note",
            )
            if game.allows("upgrade"):
                if chef.level < top:
                    cost = staff.upgrade_cost_by_level[chef.level - 1]
                    text = (
                        f"Upgrade to level {chef.level + 1}: ×{sim.speed_at(chef.level + 1):g}, "
                        f"{sim.wage_at(chef.level + 1):g}/hour — costs {cost:,.0f}"
                    )
                else:
                    text = f"Upgrade (level {top} is the hardware limit)"
                yield Button(text, id="upgrade", compact=True)
            if game.allows("mark_backup"):
                yield Button(
                    "Make a regular chef again" if chef.backup else "Make backup (on call)",
                    id="backup",
                    compact=True,
                )
                yield Label(
                    f"A backup is paid {staff.backup_retainer:.0%} of wage on call and arrives "
                    f"{staff.call_in_minutes:g} min after a chef goes on leave.",
                    classes="note",
                )
            if game.allows("set_specialty"):
                with Horizontal(classes="row"):
                    yield Select(
                        [(name, name) for name in specialties(game)],
                        value=chef.specialty,
                        allow_blank=False,
                        compact=True,
                        id="specialty",
                    )
                    yield Button("Set specialty", id="set_specialty", compact=True)
            if game.allows("fire"):
                yield Button(f"Fire {chef.name}", id="fire", variant="error", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Close", id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        chef = self.chef
        actions: dict[str, Action] = {
            "upgrade": A.Upgrade(chef=chef),
            "fire": A.Fire(chef=chef),
        }
        if event.button.id == "backup":
            self.dismiss(A.MarkBackup(chef=chef, backup=not self.game.sim.chefs[chef].backup))
        elif event.button.id == "set_specialty":
            specialty = self.query_one("#specialty", Select).value
            self.dismiss(A.SetSpecialty(chef=chef, specialty=str(specialty)))
        elif event.button.id in actions:
            self.dismiss(actions[event.button.id])
