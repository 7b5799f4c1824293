"""The front door: orders arrive and each is sent to a branch, or lost when none can take it.

Orders come from `demand.OrderSource`, drawn from the arrival streams alone, so two strategies on
one seed face identical orders. Branch routing is `nearest` (the nearest open branch) or
`fastest` (the soonest estimated delivery among the open branches). Failover is the health
check, the same under both: with it on, a dark branch is skipped (the next nearest, or the
fastest of the lit ones, takes the order) and the orders waiting at a branch when its power goes
off move to the branch the router picks for them; with it off the router does not look at the
power, so an order sent to a dark branch is lost and those waiting there stay in the dark. The
chosen branch's kitchen (`kitchen.py`) then accepts the order or turns it away.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pizzashop.sim import events
from pizzashop.sim.demand import OrderSource
from pizzashop.sim.orders import LossCause, OrderState
from pizzashop.sim.shop import Branch

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.kitchen import Kitchen
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.orders import Order
    from pizzashop.sim.shop import Shop
    from pizzashop.sim.streams import Streams


class FrontDoor:
    """Takes each order as it arrives and routes it to a branch."""

    def __init__(
        self, shop: Shop, menu: Menu, kitchen: Kitchen, books: Books, streams: Streams
    ) -> None:
        scenario = shop.scenario
        self.shop = shop
        self.loop = shop.loop
        self.menu = menu
        self.kitchen = kitchen
        self.books = books
        self.scenario = scenario
        self.delivery = scenario.delivery
        self.source = OrderSource(scenario, streams)
        self.strategy = scenario.routing.branch
        self.failover = scenario.routing.failover
        self._mean_cook = math.fsum(
            i.cook_minutes * i.weight for i in scenario.menu.values()
        ) / math.fsum(i.weight for i in scenario.menu.values())
        self._reach = self._reachable_branches()
        self._arrival = 0
        """The number of the arrival on the loop: a re-timed one leaves a stale event behind."""

    def _reachable_branches(self) -> dict[str, list[Branch]]:
        """For each area, the branches that deliver there, nearest first."""
        limit = self.delivery.max_travel_minutes
        reach = {}
        for area in self.scenario.areas:
            options = [
                (self.scenario.travel_minutes(branch.area, area), branch.index, branch)
                for branch in self.shop.branches
            ]
            reach[area] = [b for t, _, b in sorted(options) if limit is None or t <= limit]
        return reach

    def open(self) -> None:
        """Schedule the shift's first arrival."""
        self._expect(self.source.next_arrival(0.0))

    def _expect(self, time: float | None) -> None:
        """Put the next arrival on the loop (none past close); any earlier one goes stale."""
        self._arrival += 1
        if time is not None:
            self.loop.at(time, events.ARRIVE, self._arrival)

    def rush(self, factor: float, minutes: float) -> None:
        """A game day's rush: demand × `factor` from now for `minutes`; the next arrival, already
        drawn, comes sooner."""
        now = self.loop.now
        self._expect(self.source.rush(now, now + minutes, factor))

    def route_by(self, strategy: str, failover: bool) -> None:
        """Route orders to branches by `strategy` (see `routing.BRANCH_STRATEGIES`) from now on."""
        self.strategy = strategy
        self.failover = failover

    def arrive(self, number: int) -> None:
        """Arrival `number` is due: unless a rush re-timed it, the order arrives, the next one
        is scheduled, and this one goes to a branch."""
        if number != self._arrival:
            return
        now = self.loop.now
        source = self.source
        order = source.make(now, self.menu.latest())
        self._expect(source.next_arrival(now))
        self.books.placed(order)
        target = self.route(order)
        if isinstance(target, Branch):  # not LossCause: isinstance on an enum class is slower
            if target.lit:
                self.kitchen.accept(order, target)
                return
            order.branch = target.name  # lost at that branch's dark door
            target = LossCause.BRANCH_DARK
        self.books.lost(order, target)

    def route(self, order: Order) -> Branch | LossCause:
        """The branch the router picks for the order (a dark one when failover is off, or when
        every branch that reaches the customer is dark), or `no_route`."""
        reach = self._reach[order.area]
        if self.strategy != "fastest":
            for branch in reach:  # the usual case: the nearest open branch is lit
                if branch.is_open:
                    if branch.lit:
                        return branch
                    break
        options = [branch for branch in reach if branch.is_open]
        if not options:
            return LossCause.NO_ROUTE
        # With failover the router looks only at lit branches; without, it does not see the dark.
        pool = [branch for branch in options if branch.lit] if self.failover else options
        if not pool:  # every branch that reaches the customer is dark
            best = options[0]
        elif self.strategy == "fastest":
            best = min(pool, key=lambda branch: self.estimate_minutes(branch, order.area))
        else:
            best = pool[0]
        return best

    def fail_over(self, branch: Branch) -> None:
        """With failover on, the orders waiting at a dark branch move to the branch the router
        picks for each (cooked there from the start), as long as it has room for them and a chef;
        the others stay in the dark (a lit branch's queue is not flooded at once, which would
        lose its own customers' orders to a full queue with no warning first)."""
        if not self.failover or branch.lit:
            return
        waiting = [
            order
            for order in self.books.orders.values()
            if order.branch == branch.name and order.state is OrderState.QUEUED
        ]
        moved = 0
        for order in waiting:
            target = self.route(order)
            if isinstance(target, Branch) and target.lit and self.kitchen.has_room(order, target):
                self.kitchen.withdraw(order)
                self.kitchen.accept(order, target, moved=True)
                moved += 1
        branch.failed_over += moved
        if moved:
            self.shop.metrics.record(
                self.loop.now,
                "power",
                f"{moved} order{'s' if moved != 1 else ''} waiting at {branch.name} failed over",
                branch.name,
            )

    def fail_over_all(self) -> None:
        """Failover was just turned on: every dark branch's waiting orders move."""
        for branch in self.shop.branches:
            self.fail_over(branch)

    def estimate_minutes(self, branch: Branch, area: str) -> float:
        """Estimated order-to-door time at `branch`: queue, cooking and travel."""
        staff = sum(chef.on_duty for chef in branch.chefs)
        if not staff:
            return float("inf")
        queue = branch.waiting / staff * self._mean_cook
        travel = self.scenario.travel_minutes(branch.area, area) + self.delivery.handoff_minutes
        return queue + self._mean_cook + (travel if self.delivery.enabled else 0.0)
