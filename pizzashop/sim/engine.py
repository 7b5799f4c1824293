"""The simulation: one shift of one shop, an order's path from the front door to the books.

`Simulation` owns the clock (the event loop, the doors, the end of the shift) and the stages an
order passes through, each in its own module (see docs/engine.md for the picture):

    front door (frontdoor.py) -> kitchen (kitchen.py) -> drivers (drivers.py) -> books (books.py)

beside the roster of chefs (roster.py), the timeline of disruptions and menu updates
(timeline.py) and the menu (menu.py). The UI and the command line hold only a `Simulation`: they
drive it through `apply` (player actions), `schedule`, `advance`/`run` (time), and read its
state; they never change it directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from pizzashop.sim import events
from pizzashop.sim.actions import DISRUPTION_KINDS, Action, Outcome
from pizzashop.sim.books import Books
from pizzashop.sim.clock import Dispatcher, EventLoop
from pizzashop.sim.commands import Stages, apply_action
from pizzashop.sim.drivers import Drivers
from pizzashop.sim.frontdoor import FrontDoor
from pizzashop.sim.kitchen import Kitchen
from pizzashop.sim.ledger import Ledger
from pizzashop.sim.menu import Menu
from pizzashop.sim.metrics import Metrics
from pizzashop.sim.orders import LossCause, Order
from pizzashop.sim.roster import Roster
from pizzashop.sim.routing import KitchenStrategy
from pizzashop.sim.scenario import Scenario
from pizzashop.sim.shop import Branch, ChefState, Shop
from pizzashop.sim.streams import Streams
from pizzashop.sim.timeline import Timeline

TICK_MINUTES: Final = 1.0
MONEY_MINUTES: Final = 15
"""The money that moved is logged every this many minutes (and after every player action)."""


class Simulation(Dispatcher):
    """One shift of one shop, deterministic for a scenario, a seed and a list of timed actions."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        kitchen_strategy: str | None = None,
        watched: bool = False,
        room: bool = False,
    ) -> None:
        self.scenario = scenario
        self.room = room
        """In an instructor's room: game-day disruptions (outage, rush, leave) apply."""
        self.seed = scenario.seed if seed is None else seed
        self.initial_strategy = kitchen_strategy
        self.streams = Streams(self.seed)
        self.loop = EventLoop(self)
        self.metrics = Metrics()
        self.ledger = Ledger(scenario.money)
        self.shift_end = scenario.shift_hours * 60.0
        self.finished = False
        self.delivery = scenario.delivery
        self.staff = scenario.staff
        self.regulars = scenario.regulars
        self.action_log: list[tuple[Action, Outcome]] = []
        self._sample_every = max(1, round(scenario.sample_minutes / TICK_MINUTES))
        # The stages, each built on those it hands orders on to.
        shop = self.shop = Shop(scenario, self.loop, self.metrics, self.ledger)
        self.branches = shop.branches
        self.branch_by_name = shop.branch_by_name
        self.chefs = shop.chefs
        menu = self.menu = Menu(scenario)
        books = self.books = Books(shop, menu)
        drivers = self.drivers = Drivers(shop, books)
        kitchen = self.kitchen = Kitchen(shop, menu, books, drivers, self.streams)
        roster = self.roster = Roster(shop, kitchen, books)
        front_door = self.front_door = FrontDoor(shop, menu, kitchen, books, self.streams)
        timeline = self.timeline = Timeline(shop, menu, kitchen, books, self.streams)
        self._stages = Stages(shop, menu, books, drivers, kitchen, roster, front_door, timeline)
        books.watched = watched  # the game's log: every order's life, the money (see `watched`)
        # The shop as the scenario opens it, then everything the shift has planned.
        strategy = kitchen_strategy or scenario.routing.kitchen
        for branch in self.branches:
            kitchen.set_strategy(branch, strategy)
            if branch.is_open:
                branch.rent.rate = branch.spec.rent_per_hour
            for spec in branch.spec.chefs:
                state = ChefState.ON_CALL if spec.backup else ChefState.OFF if spec.off else None
                chef = roster.add(branch, spec.name, spec.specialty, spec.level, state)
                chef.backup = spec.backup
            drivers.hire(branch, branch.spec.agents)
        timeline.schedule(self.shift_end)
        for branch in self.branches:
            kitchen.schedule_prep(branch)
        self.metrics.record(0.0, "shift", f"doors open at {self.clock(0.0)}")
        front_door.open()
        self.loop.at(self.shift_end, events.CLOSE_DOORS)
        self.loop.at(0.0, events.TICK)

    # ------------------------------------------------------------------ time

    def fire(self, kind: int, arg: Any) -> None:
        """Run one event of the loop: hand it to its stage (the kinds are in `events.py`)."""
        if kind == events.COOKED:
            chef = self.kitchen.cooked(arg)
            if chef is not None:
                self.roster.after_job(chef)
        elif kind == events.ARRIVE:
            self.front_door.arrive(arg)
        elif kind == events.TICK:
            self._tick()
        elif kind == events.PATIENCE_OVER:
            self.kitchen.patience_over(arg)
        elif kind == events.HANDED_OVER:
            self.drivers.handed_over(arg)
        elif kind == events.AGENT_BACK:
            self.drivers.agent_back(arg)
        elif kind == events.PREPPED:
            chef = self.kitchen.prepped(arg)
            if chef is not None:
                self.roster.after_job(chef)
        elif kind == events.PREP_WINDOW:
            self.kitchen.prep_window(arg)
        elif kind == events.CLOSE_DOORS:
            self._close_doors()
        elif kind == events.LEAVE_START:
            self.roster.leave_start(arg)
        elif kind == events.LEAVE_END:
            self.roster.leave_end(arg)
        elif kind == events.BACKUP_ARRIVES:
            self.roster.backup_arrives(arg)
        elif kind == events.POWER:
            self.timeline.power(arg)
            self.front_door.fail_over(arg[0])  # the orders waiting in the dark, if it is dark
        elif kind == events.MENU_ARRIVES:
            self.timeline.menu_arrives(arg)
        elif kind == events.TIMELINE_MENU:
            self.timeline.timeline_menu(arg)
        elif kind == events.APPLY_SCHEDULED:
            self.apply(arg)
        elif kind == events.HIRE_ARRIVES:
            self.roster.hire_arrives(arg)
        elif kind == events.POWER_RESTORED:
            self.timeline.restore_power(arg)
        else:
            raise ValueError(f"no event of kind {kind}")

    @property
    def now(self) -> float:
        return self.loop.now

    def clock(self, minutes: float | None = None) -> str:
        """Wall-clock time of the shop, e.g. '12:35'."""
        return self.shop.clock(self.now if minutes is None else minutes)

    def advance(self, minutes: float) -> None:
        """Run the shop forward by `minutes` of sim time (the UI's timer calls this)."""
        self.run_until(self.now + minutes)

    def run_until(self, until: float) -> None:
        if self.finished:
            return
        self.loop.run_before(until)
        if not self.loop.pending():
            self._finish()

    def run(self) -> None:
        """Run to the end: doors closed and every placed order delivered or lost."""
        loop = self.loop
        while loop.step():
            pass
        self._finish()

    def _close_doors(self) -> None:
        self.shop.doors_open = False
        self.books.close()
        self.metrics.record(self.now, "shift", f"doors close at {self.clock()}")

    def _tick(self) -> None:
        """Every sim minute: warnings; every few: a chart sample; every hour: wages and rent;
        every quarter of an hour: a log line for the money that moved.

        After the doors close the shift ends when the last order is settled, or when nothing is
        left that could move the orders still waiting (they are lost as unserved).
        """
        minute = round(self.now)
        books = self.books
        following = self.now + TICK_MINUTES
        after: float | None = following
        if not self.shop.doors_open:
            upcoming = self.loop.next_time() if self.metrics.in_flight else None
            # After closing, skip the quiet minutes to the next event rather than tick through
            # them: a long outage at night must not cost a tick per minute.
            after = None if upcoming is None else max(following, float(math.ceil(upcoming)))
        books.check_warnings(following if after is None else after)
        if minute % self._sample_every == 0:
            books.sample()
        if minute % 60 == 0 and minute:
            books.settle_all()
        if minute % MONEY_MINUTES == 0:
            books.log_money()
        if after is not None:
            self.loop.at(after, events.TICK)
        else:
            self._finish()

    def _finish(self) -> None:
        if self.finished:
            return
        for order in sorted(self.books.orders.values(), key=lambda o: o.id):
            self.kitchen.lose(order, LossCause.UNSERVED)
        self.kitchen.throw_out()
        self.books.settle_all()
        self.books.sample()
        self.books.log_money()
        self.loop.clear()
        self.finished = True
        self.metrics.record(self.now, "shift", f"last order settled at {self.clock()}")

    # --------------------------------------------------------------- actions

    def apply(self, action: Action) -> Outcome:
        """Apply an action now; it is recorded with the current sim time. A game-day disruption
        applies only in a room, and is logged as `gameday` whatever came of it."""
        if self.finished:
            return Outcome.refused("the shift is over")
        action = action.model_copy(update={"at": self.now})
        outcome = apply_action(self._stages, action, self.room)
        self.action_log.append((action, outcome))
        if action.kind not in DISRUPTION_KINDS:
            kind, text = ("action" if outcome.ok else "refused"), f"{action.kind}: {outcome.reason}"
        elif outcome.ok:
            kind, text = "gameday", f"game day: {outcome.reason}"
        else:
            kind, text = "gameday", f"game day: no {action.kind}: {outcome.reason}"
        self.metrics.record(self.now, kind, text)
        self.books.log_money()  # what it cost, and what it set going (a chef's prep), at once
        return outcome

    def schedule(self, actions: list[Action]) -> None:
        """Queue timed actions (an action file, a replay) to apply at their `at` times."""
        for action in actions:
            self.loop.at_first(action.at, events.APPLY_SCHEDULED, action)

    # ------------------------------------------------ read-only, for the UI

    @property
    def doors_open(self) -> bool:
        return self.shop.doors_open

    @property
    def orders(self) -> dict[int, Order]:
        """Orders in flight, by id."""
        return self.books.orders

    @property
    def warnings(self) -> dict[tuple[str, str], str]:
        """(kind, branch) -> text, recomputed every sim minute."""
        return self.books.warnings

    @property
    def remaps(self) -> list[dict]:
        """The remap meter: a change in the chefs on duty where remaps matter (`remaps_matter`)."""
        return self.roster.remaps

    def remaps_matter(self, branch: Branch | None = None) -> bool:
        """Whether chefs joining or leaving remap customers who care, at `branch` (None: at any
        branch): regulars know their chef in this scenario, or the branch routes by hashing
        customers. The remap meter, its log lines and the codex's hint follow this."""
        branches = self.branches if branch is None else [branch]
        return any(self.roster.remaps_matter(b) for b in branches)

    @property
    def watched(self) -> bool:
        """Whether someone watches the log (the game turns it on): then it also follows every
        order's life (placed, cooking, delivered) and the money as it moves. Lost and late
        orders, warnings and the shop's own events are logged always."""
        return self.books.watched

    def chef_minutes(self) -> tuple[float, float]:
        """Chef-minutes busy (cooking or prepping) and on duty over the shift: since the doors
        opened, until they closed once they have."""
        closing = self.books.at_closing
        return self.books.chef_minutes() if closing is None else closing

    @property
    def on_order_done(self) -> Callable[[Order], None] | None:
        """Called with each order as it is delivered or lost (None: nobody listens)."""
        return self.books.on_order_done

    @on_order_done.setter
    def on_order_done(self, listener: Callable[[Order], None] | None) -> None:
        self.books.on_order_done = listener

    @property
    def branch_strategy(self) -> str:
        return self.front_door.strategy

    @property
    def failover(self) -> bool:
        return self.front_door.failover

    @property
    def menu_versions(self) -> list[dict[str, tuple[float, float]]]:
        """Each menu version: dish -> (price, cook minutes)."""
        return self.menu.versions

    @property
    def stations(self) -> dict[str, str]:
        """Dish -> the specialty (station) that cooks it."""
        return self.menu.stations

    def next_chef_name(self) -> str:
        return self.roster.next_chef_name()

    def speed_at(self, level: int) -> float:
        return self.roster.speed_at(level)

    def wage_at(self, level: int) -> float:
        return self.books.wage_at(level)

    def router(self, branch: Branch) -> KitchenStrategy:
        return self.kitchen.router(branch)

    def estimate_minutes(self, branch: Branch, area: str) -> float:
        """Estimated order-to-door time at `branch`: queue, cooking and travel."""
        return self.front_door.estimate_minutes(branch, area)
