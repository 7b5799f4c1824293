"""The books: where an order's path ends, what the shop pays as time runs, and what it watches.

An order ends here, delivered (revenue, order-to-door time, on time or not) or lost with its
cause. Wages, rent and drivers' pay run by the hour and are settled whenever a rate changes and
every hour. Every sim minute the warnings are checked, and every few a chart sample is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from pizzashop.sim.metrics import Sample
from pizzashop.sim.orders import LOSS_TEXT, LossCause, OrderState
from pizzashop.sim.shop import WORKING, ChefState

if TYPE_CHECKING:
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.orders import Order
    from pizzashop.sim.shop import Accrual, Branch, Chef, Shop

# A warning fires when a waiting customer has less than this share of their patience left, or a
# queue is this full: before the first loss.
PATIENCE_WARNING: Final = 0.25
QUEUE_WARNING: Final = 0.8
# Bound once: on Python 3.11 reading an enum member off its class goes through the enum metaclass
# (about 0.2 µs), and `Final` lets the compiled build keep them in C variables.
_ORDER_DELIVERED: Final = OrderState.DELIVERED


class Books:
    """Orders in flight and how each ended; the pay that runs with time; warnings and samples."""

    def __init__(self, shop: Shop, menu: Menu) -> None:
        scenario = shop.scenario
        self.shop = shop
        self.loop = shop.loop
        self.metrics = shop.metrics
        self.ledger = shop.ledger
        self.menu = menu
        self.staff = scenario.staff
        self.delivery = scenario.delivery
        self.on_time_minutes = scenario.on_time_minutes
        # Read for every order; pydantic attributes are slow, so this is copied once.
        self._branch_speedup = scenario.regulars.branch_speedup
        self.orders: dict[int, Order] = {}  # in flight, by id
        self.regular_branch: dict[int, str] = {}  # customer -> the branch that last served them
        self.on_order_done: Callable[[Order], None] | None = None
        self.warnings: dict[tuple[str, str], str] = {}

    # --------------------------------------------------------------- orders

    def placed(self, order: Order) -> None:
        """A new order: counted, and in flight until it is delivered or lost."""
        metrics = self.metrics
        metrics.placed += 1
        metrics.flight_change(self.loop.now, 1)
        self.orders[order.id] = order

    def delivered(self, order: Order) -> None:
        """The order reached its door: paid for, then refunded if it was cooked stale."""
        now = self.loop.now
        prices = self.menu.versions[order.menu_version]
        price = 0.0
        for task in order.tasks:
            price += prices[task.item][0]
        self.ledger.post("revenue", price)
        if order.stale:
            self.ledger.post("refunds", -price)
            self.lost(order, LossCause.STALE)
            return
        latency = now - order.placed
        order.state = _ORDER_DELIVERED
        order.done_at = now
        order.on_time = latency <= self.on_time_minutes
        self.metrics.deliver(now, latency, order.on_time)
        branch = self.shop.branch_by_name.get(order.branch or "")
        if branch is not None:
            branch.delivered += 1
            branch.on_time += order.on_time
            branch.door_minutes += latency
        del self.orders[order.id]
        if self._branch_speedup < 1.0 and order.branch is not None:  # a branch knows its regulars
            self.regular_branch[order.customer] = order.branch
        order.release_tasks()
        if self.on_order_done is not None:
            self.on_order_done(order)

    def lost(self, order: Order, cause: LossCause) -> None:
        """The order is lost for `cause`. Its items must be out of every line already (an order
        still queued is lost through `Kitchen.lose`, which takes them out first)."""
        now = self.loop.now
        order.state = OrderState.LOST
        order.cause = cause
        order.done_at = now
        metrics = self.metrics
        metrics.losses[cause] += 1
        metrics.loss_times.append((now, cause))
        branch = self.shop.branch_by_name.get(order.branch or "")
        if branch is not None:
            branch.losses[cause.value] = branch.losses.get(cause.value, 0) + 1
        metrics.flight_change(now, -1)
        del self.orders[order.id]
        metrics.record(
            now,
            "lost",
            f"order #{order.id} lost: {LOSS_TEXT[cause]}",
            order.branch or "",
            "",
            order.id,
        )
        order.release_tasks()
        if self.on_order_done is not None:
            self.on_order_done(order)

    # ---------------------------------------------------------------- money

    def wage_at(self, level: int) -> float:
        return self.staff.wage_by_level[level - 1]

    def pay_chef(self, chef: Chef, state: ChefState) -> None:
        """Set the chef's pay for `state` (nothing on leave, on a day off, on the way to a new
        job or at a closed branch, a retainer on call), settling what the old rate earned
        first. A backup called in is paid from the call."""
        if (
            state is ChefState.ON_LEAVE
            or state is ChefState.OFF
            or (state is ChefState.CALLED_IN and chef.covering is None)
            or not chef.branch.is_open
        ):
            rate = 0.0
        elif state is ChefState.ON_CALL:
            rate = self.wage_at(chef.level) * self.staff.backup_retainer
        else:
            rate = self.wage_at(chef.level)
        if rate != chef.pay.rate:
            self.settle(chef.pay)
            chef.pay.rate = rate

    def pay_drivers(self, branch: Branch) -> None:
        """Settle the branch's drivers' pay and set it for the drivers it has now."""
        self.settle(branch.agent_pay)
        branch.agent_pay.rate = (
            len(branch.agents) * self.delivery.agent_wage if branch.is_open else 0.0
        )

    def set_branch_open(self, branch: Branch, is_open: bool) -> None:
        """Open or close a branch: rent and its staff's pay run only while it is open."""
        branch.is_open = is_open
        self.settle(branch.rent)
        branch.rent.rate = branch.spec.rent_per_hour if is_open else 0.0
        self.pay_drivers(branch)
        for chef in branch.chefs:
            self.pay_chef(chef, chef.state)

    def settle(self, accrual: Accrual) -> None:
        now = self.loop.now
        if accrual.rate:
            self.ledger.post(accrual.cause, -accrual.rate * (now - accrual.since) / 60.0)
        accrual.since = now

    def settle_all(self) -> None:
        for chef in self.shop.chefs.values():
            self.settle(chef.pay)
        for branch in self.shop.branches:
            self.settle(branch.rent)
            self.settle(branch.agent_pay)

    # ------------------------------------------------------------- watching

    def sample(self) -> None:
        """A chart sample of the shop now."""
        metrics = self.metrics
        now = self.loop.now
        throughput, p95 = metrics.window_stats(now)
        busy = duty = 0
        for chef in self.shop.chefs.values():
            if chef.state in WORKING:
                duty += 1
                busy += chef.state is ChefState.COOKING or chef.state is ChefState.PREPPING
        metrics.samples.append(
            Sample(
                now,
                sum(branch.waiting for branch in self.shop.branches),
                metrics.in_flight,
                metrics.delivered,
                metrics.lost,
                throughput,
                p95,
                busy / duty if duty else 0.0,
                self.ledger.balance,
            )
        )

    def check_warnings(self) -> None:
        """Recompute `warnings`, logging each that is new: they fire before the losses do."""
        now = self.loop.now
        doors_open = self.shop.doors_open
        found: dict[tuple[str, str], str] = {}
        for branch in self.shop.branches:
            if not branch.is_open:
                continue
            name = branch.name
            if not branch.lit:
                found["dark", name] = f"{name} is dark: its orders fail over or are lost"
                continue
            if doors_open and not branch.staffed():
                found["no_chef", name] = f"no chef on duty at {name}: every order will be lost"
            capacity = branch.capacity
            if capacity and branch.waiting >= QUEUE_WARNING * capacity:
                found["queue", name] = f"{name} queue {branch.waiting}/{capacity}: nearly full"
            for queue in (*branch.pull.values(), *(chef.queue for chef in branch.chefs)):
                order = queue[0].order if queue else None
                if order is not None and (patience := order.patience) is not None:
                    left = order.placed + patience - now
                    if left < PATIENCE_WARNING * patience:
                        found["patience", name] = f"customers at {name} are running out of patience"
                        break
            hour = self.shop.hour()
            prepping = any(job.start <= hour < job.end for job in branch.prep)
            for job in branch.prep:
                if doors_open and not prepping and not branch.stock[job.component].fresh(now):
                    found["prep", name] = f"{name} has run out of prepped {job.component}"
            if self.delivery.enabled and not branch.agents:
                found["agents", name] = f"{name} has no delivery agents"
            elif len(branch.ready) >= max(3, 2 * len(branch.agents)):
                found["delivery", name] = f"{len(branch.ready)} orders wait for a driver at {name}"
        for key, text in found.items():
            if key not in self.warnings:
                self.metrics.record(now, "warning", text, key[1])
        self.warnings = found
