"""The briefing before a shift: what happens today, which concept it teaches, and the goals.

The shift waits, paused, until the player starts it (Enter or space); Escape goes back to the
title instead of starting it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pizzashop.sim import Scenario
from pizzashop.ui.widgets.footer import Footer


def describe(scenario: Scenario, seed: int | None = None) -> Text:
    """The scenario for a player; `seed` is the one the shift will run (default its own)."""
    text = Text()
    text.append((scenario.title or scenario.name) + "\n", "bold")
    if scenario.concept:
        text.append(f"concept: {scenario.concept}\n", "italic")
    branches = len(scenario.branches)
    hours = f"{scenario.shift_hours:g}-hour shift · {branches} branch{'es' if branches > 1 else ''}"
    text.append(f"{hours} · seed {scenario.seed if seed is None else seed}\n\n")
    text.append(" ".join((scenario.briefing or scenario.description).split()) + "\n")
    if scenario.goals is not None:
        text.append("\nGoals", "bold")
        text.append("  (on screen while you play, marked ✓ met, ! at risk, ✗ missed)\n")
        for tier, goal in (
            ("main", scenario.goals.main),
            ("bonus", scenario.goals.bonus),
            ("speed", scenario.goals.speed),
        ):
            if goal is not None:
                text.append(f"  {tier}: {goal.text or goal.metric}\n")
    return text


class BriefingScreen(ModalScreen[bool]):
    """Dismissed with True to start the shift, False to go back to the title."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "start", "start the shift"),
        Binding("escape", "back", "back to the title"),
    ]

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.seed = seed

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="briefing") as box:
            box.border_title = "Briefing"
            yield Static(describe(self.scenario, self.seed))
        yield Footer(compact=True)

    def action_start(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
