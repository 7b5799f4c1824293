"""The timeline: what happens to the shop at set times, or at times drawn from the seed.

The scenario's timeline (a chef's leave, a power outage, a menu update) and its random
disruptions (leave, outages) are scheduled here when the shift starts. A power cut stops a
branch's kitchen until the power is back, and what it was cooking for orders not yet ready is
lost (`Kitchen.power_cut`); a menu version reaches each branch after that branch's delay. What
leave does to the chefs is the roster's (`roster.py`).

A game day's outage (an instructor's room, `cut_power`) lies over the scenario's own: the power
is back only once every game-day cut of the branch is over and the scenario's timeline has it
on, so a disruption never ends a scripted outage early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pizzashop.sim import events
from pizzashop.sim.scenario import Leave, MenuUpdate, Outage
from pizzashop.sim.shop import ChefState
from pizzashop.sim.streams import exponential

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.kitchen import Kitchen
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.shop import Branch, Shop
    from pizzashop.sim.streams import Streams


class Timeline:
    """Schedules disruptions and menu updates; runs power cuts and menu roll-outs."""

    def __init__(
        self, shop: Shop, menu: Menu, kitchen: Kitchen, books: Books, streams: Streams
    ) -> None:
        self.shop = shop
        self.loop = shop.loop
        self.metrics = shop.metrics
        self.menu = menu
        self.kitchen = kitchen
        self.books = books
        self.streams = streams
        self._wired: dict[int, bool] = {}
        """Branch index -> whether the scenario's timeline has its power on (unset: on)."""
        self._cuts: dict[int, int] = {}
        """Branch index -> game-day outages in force."""

    def schedule(self, shift_end: float) -> None:
        """Put the scenario's timeline, then its random disruptions, on the loop."""
        scenario = self.shop.scenario
        loop = self.loop
        names = {chef.name: chef for chef in self.shop.chefs.values()}
        for event in scenario.timeline:
            if isinstance(event, Leave):
                chef = names[event.chef]
                loop.at(event.at, events.LEAVE_START, (chef, event.at + event.duration))
            elif isinstance(event, Outage):
                targets = [
                    b for b in self.shop.branches if b.name == event.branch or b.area == event.area
                ]
                for branch in targets:
                    loop.at(event.at, events.POWER, (branch, False))
                    loop.at(event.at + event.duration, events.POWER, (branch, True))
            elif isinstance(event, MenuUpdate):
                loop.at(event.at, events.TIMELINE_MENU, event)
        rules = scenario.disruptions
        leave = self.streams["leave"]
        for chef in list(self.shop.chefs.values()):
            if leave.random() < rules.leave_probability and not chef.backup:
                loop.at(0.0, events.LEAVE_START, (chef, shift_end))
        outages = self.streams["outages"]
        branches = self.shop.branches
        for _ in range(rules.outages):
            branch = branches[int(outages.random() * len(branches))]
            start = outages.random() * max(0.0, shift_end - rules.outage_minutes)
            duration = max(1.0, exponential(outages.random(), rules.outage_minutes))
            loop.at(start, events.POWER, (branch, False))
            loop.at(start + duration, events.POWER, (branch, True))

    # ---------------------------------------------------------------- power

    def power(self, ref: tuple[Branch, bool]) -> None:
        """The scenario's timeline switches the branch's power (held off by a game-day cut)."""
        branch, on = ref
        self._wired[branch.index] = on
        self._switch(branch, on and not self._cuts.get(branch.index, 0))

    def cut_power(self, branch: Branch, minutes: float) -> None:
        """A game day's outage: the branch is dark from now for `minutes`."""
        self._cuts[branch.index] = self._cuts.get(branch.index, 0) + 1
        self.loop.at(self.loop.now + minutes, events.POWER_RESTORED, branch)
        self._switch(branch, False)

    def restore_power(self, branch: Branch) -> None:
        """A game day's outage is over: the power is back unless something else holds it off."""
        left = self._cuts[branch.index] - 1
        self._cuts[branch.index] = left
        self._switch(branch, not left and self._wired.get(branch.index, True))

    def _switch(self, branch: Branch, on: bool) -> None:
        """The branch's power goes off (its chefs stop, their items back in line) or comes back."""
        if branch.lit == on:
            return
        branch.lit = on
        now = self.loop.now
        if on:
            for chef in branch.chefs:
                if chef.state is ChefState.NO_POWER:
                    chef.state = ChefState.IDLE
            self.metrics.record(now, "power", f"power is back at {branch.name}", branch.name)
            self.kitchen.wake(branch)
            return
        for chef in branch.chefs:
            if chef.state in (ChefState.IDLE, ChefState.COOKING, ChefState.PREPPING):
                self.kitchen.interrupt(chef)
                chef.state = ChefState.NO_POWER
        self.kitchen.power_cut(branch)
        self.metrics.record(now, "power", f"power cut at {branch.name}", branch.name)
        self.books.recheck(branch)

    # ----------------------------------------------------------------- menu

    def publish_menu(self, item: str, price: float | None, cook_minutes: float | None) -> int:
        """Make a new menu version; each branch gets it after its own delay."""
        version = self.menu.publish(item, price, cook_minutes)
        now = self.loop.now
        for branch in self.shop.branches:
            self.loop.at(now + branch.menu_delay, events.MENU_ARRIVES, (branch, version))
        self.metrics.record(now, "menu", f"menu v{version}: {item} changed")
        for branch in self.shop.branches:
            if branch.menu_delay > 0:  # it cooks the old menu a while: orders will be stale
                self.books.recheck(branch)
        return version

    def timeline_menu(self, event: MenuUpdate) -> None:
        self.publish_menu(event.item, event.price, event.cook_minutes)

    def menu_arrives(self, ref: tuple[Branch, int]) -> None:
        branch, version = ref
        if version > branch.menu_version:
            branch.menu_version = version
            self.metrics.record(
                self.loop.now, "menu", f"{branch.name} now cooks menu v{version}", branch.name
            )
