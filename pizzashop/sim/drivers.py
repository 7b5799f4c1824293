"""Delivery: each branch's pool of drivers carries any ready order to its door and comes back.

Drivers are decoupled from the kitchen: they take whatever is ready, first come first served, so a
new dish needs no new drivers. A shop that does not deliver hands an order over as soon as it is
ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pizzashop.sim import events
from pizzashop.sim.orders import OrderState
from pizzashop.sim.shop import Agent, AgentState

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.orders import Order
    from pizzashop.sim.shop import Branch, Shop

_ORDER_READY: Final = OrderState.READY  # bound once (see books.py)


class Drivers:
    """Takes ready orders from the kitchen to the customers' doors, and hires drivers."""

    def __init__(self, shop: Shop, books: Books) -> None:
        self.loop = shop.loop
        self.books = books
        self.scenario = shop.scenario
        self.delivery = shop.scenario.delivery
        self._delivers = shop.scenario.delivery.enabled  # read per order: copied once
        self.dispatched = 0  # orders that left with a driver
        self.waited = 0.0  # minutes they waited, ready, for one

    def hire(self, branch: Branch, count: int) -> None:
        """Add `count` drivers to the branch; they start on the orders already waiting."""
        for _ in range(count):
            branch.agents.append(Agent(f"{branch.name}-d{len(branch.agents) + 1}"))
        self.books.pay_drivers(branch)
        self.dispatch(branch)

    def ready(self, order: Order, branch: Branch) -> None:
        """The kitchen finished the order's last item."""
        order.state = _ORDER_READY
        order.ready_at = self.loop.now
        if not self._delivers:
            order.left_at = order.ready_at
            self.books.delivered(order)
            return
        branch.ready.append(order)
        self.dispatch(branch)

    def dispatch(self, branch: Branch) -> None:
        """Every idle driver takes the oldest ready order."""
        ready = branch.ready
        if not ready:
            return
        now = self.loop.now
        for agent in branch.agents:
            if not ready:
                return
            if agent.state is not AgentState.IDLE:
                continue
            order = ready.popleft()
            self.dispatched += 1
            self.waited += now - order.ready_at
            travel = self.scenario.travel_minutes(branch.area, order.area)
            there = now + travel + self.delivery.handoff_minutes
            agent.state = AgentState.OUT
            agent.order = order
            agent.back_at = there + travel
            order.state = OrderState.OUT
            order.left_at = now
            self.loop.at(there, events.HANDED_OVER, (agent, branch))

    def handed_over(self, ref: tuple[Agent, Branch]) -> None:
        agent, branch = ref
        order = agent.order
        assert order is not None  # an agent out on the road carries one
        agent.order = None
        agent.state = AgentState.RETURNING
        self.loop.at(agent.back_at, events.AGENT_BACK, (agent, branch))
        self.books.delivered(order)

    def agent_back(self, ref: tuple[Agent, Branch]) -> None:
        agent, branch = ref
        agent.state = AgentState.IDLE
        self.dispatch(branch)
