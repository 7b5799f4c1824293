"""The briefing before a shift: what happens today, which concept it teaches, and the goals.

The shift waits, paused, until the player starts it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from pizzashop.sim import Scenario


def describe(scenario: Scenario) -> Text:
    text = Text()
    text.append((scenario.title or scenario.name) + "\n", "bold")
    if scenario.concept:
        text.append(f"concept: {scenario.concept}\n", "italic")
    branches = len(scenario.branches)
    hours = f"{scenario.shift_hours:g}-hour shift · {branches} branch{'es' if branches > 1 else ''}"
    text.append(f"{hours} · seed {scenario.seed}\n\n")
    text.append(" ".join((scenario.briefing or scenario.description).split()) + "\n")
    if scenario.goals is not None:
        text.append("\nGoals\n", "bold")
        for tier, goal in (
            ("main", scenario.goals.main),
            ("bonus", scenario.goals.bonus),
            ("speed", scenario.goals.speed),
        ):
            if goal is not None:
                text.append(f"  {tier}: {goal.text or goal.metric}\n")
    return text


class BriefingScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space,escape", "dismiss", "start the shift"),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="briefing") as box:
            box.border_title = "Briefing"
            yield Static(describe(self.scenario))
        yield Footer(compact=True)
