"""The prep schedule, a cron job: in chosen clock hours idle chefs prepare components into stock.

Rows of start hour, end hour, component and target stock. Hours are clock time ("14:30" or 14.5).
"""

from __future__ import annotations

import math

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from pizzashop.sim import Action, Scenario
from pizzashop.sim import actions as A
from pizzashop.ui.game import Game
from pizzashop.ui.notice import Notice
from pizzashop.ui.screens.dialogs.base import Dialog
from pizzashop.ui.widgets.cells import clock_hours

SLOT_HOURS = 1.0


def default_window(scenario: Scenario, now: float) -> tuple[float, float]:
    """A new slot's clock hours: the hour before the next busiest hour of demand (prep is done
    ahead of a rush), or else the next hour from now, always within the shift."""
    rates = scenario.demand.rate_per_hour
    hourly = rates if isinstance(rates, list) else [rates]
    opened, close = scenario.open_hour, scenario.open_hour + scenario.shift_hours
    start = opened + math.ceil(now / 15) * 15 / 60  # the next quarter hour
    later = [
        (hourly[min(hour, len(hourly) - 1)], -hour)
        for hour in range(math.ceil(start - opened), math.ceil(scenario.shift_hours))
    ]
    if later:
        peak = opened - max(later)[1]
        if peak - start >= SLOT_HOURS / 2:
            return max(start, peak - SLOT_HOURS), peak
    start = min(start, close - SLOT_HOURS / 4)
    return start, min(close, start + SLOT_HOURS)


def parse_hour(text: str) -> float:
    """'14:30' or '14.5' -> 14.5; raises ValueError with a readable message."""
    text = text.strip()
    try:
        if ":" in text:
            hours, minutes = text.split(":", 1)
            return int(hours) + int(minutes) / 60
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a clock time like 14:30") from None


class SlotRow(Horizontal):
    """One prep slot: from, to, component, target, and a button to remove it."""

    def __init__(self, components: list[str], start: str, end: str, component: str, target: str):
        super().__init__(classes="slot")
        self.components = components
        self.values = (start, end, component, target)

    def compose(self) -> ComposeResult:
        start, end, component, target = self.values
        yield Input(start, placeholder="from", compact=True, classes="hour")
        yield Input(end, placeholder="to", compact=True, classes="hour")
        yield Select(
            [(name, name) for name in self.components],
            value=component,
            allow_blank=False,
            compact=True,
        )
        yield Input(target, placeholder="target", type="integer", compact=True, classes="target")
        yield Button("✕", classes="remove", compact=True)

    def slot(self) -> A.PrepSlot:
        start, end, target = self.query(Input)
        return A.PrepSlot(
            start=parse_hour(start.value),
            end=parse_hour(end.value),
            component=str(self.query_one(Select).value),
            target=int(target.value or 0),
        )


class PrepDialog(Dialog[Action]):
    """Opens on "+ add a slot"; a new slot covers the hour before the next rush, filled to the
    component's cap, and takes the focus; Enter in any field applies the schedule."""

    AUTO_FOCUS = "#add"

    def __init__(self, game: Game, branch: str | None) -> None:
        super().__init__()
        self.game = game
        self.branch = branch or game.sim.branches[0].name
        self.components = list(game.sim.scenario.components)

    def compose(self) -> ComposeResult:
        sim = self.game.sim
        scenario = sim.scenario
        close = scenario.open_hour + scenario.shift_hours
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Prep schedule (a cron job)"
            yield Label(
                f"In these clock hours idle chefs prep components into stock. The shop is open "
                f"{clock_hours(scenario.open_hour)}–{clock_hours(close)}.",
                classes="note",
            )
            for name, component in scenario.components.items():
                yield Label(
                    f"{name}: {component.prep_minutes:g} min each, keeps "
                    f"{component.shelf_life_minutes:g} min, stock cap {component.cap}, "
                    f"costs {component.cost:g}; one spoiled (or left at closing) costs "
                    f"{component.spoil_cost:g} to throw away",
                    classes="note",
                )
            if len(sim.branches) > 1:
                yield Select(
                    [(b.name, b.name) for b in sim.branches],
                    value=self.branch,
                    allow_blank=False,
                    compact=True,
                    id="branch",
                )
            yield Label("from    to      component   target", classes="section")
            yield VerticalScroll(id="slots")
            yield Button("+ add a slot", id="add", compact=True)
            yield from self.buttons("Apply")

    def on_mount(self) -> None:
        self._load(self.branch)

    def _load(self, branch: str) -> None:
        slots = self.query_one("#slots", VerticalScroll)
        slots.remove_children()
        slots.mount_all(
            SlotRow(
                self.components,
                clock_hours(job.start),
                clock_hours(job.end),
                job.component,
                str(job.target),
            )
            for job in self.game.sim.branch_by_name[branch].prep
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "branch" and event.value != self.branch:
            self.branch = str(event.value)
            self._load(self.branch)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("remove"):
            event.stop()
            row = event.button.parent
            if row is not None:
                row.remove()
        elif event.button.id == "add":
            event.stop()
            sim = self.game.sim
            start, end = default_window(sim.scenario, sim.now)
            component = self.components[0]
            cap = sim.scenario.components[component].cap
            hours = clock_hours(start), clock_hours(end)
            row = SlotRow(self.components, *hours, component, str(cap))
            await self.query_one("#slots", VerticalScroll).mount(row)
            row.query_one(Input).focus()

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        try:
            jobs = [row.slot() for row in self.query(SlotRow)]
        except ValidationError as error:
            first = error.errors()[0]
            problem = f"{first['loc'][0]}: {first['msg']}"
            self.notice(Notice(problem, "Check the schedule", "error"))
            return
        except ValueError as error:
            self.notice(Notice(str(error), "Check the schedule", "error"))
            return
        self.dismiss(A.SetPrep(branch=self.branch, jobs=jobs))
