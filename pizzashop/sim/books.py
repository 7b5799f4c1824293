"""The books: where an order's path ends, what the shop pays as time runs, and what it watches.

An order ends here, delivered (revenue, order-to-door time and where it went, on time or not) or
lost with its cause. Wages, rent and drivers' pay run by the hour and are settled whenever a rate
changes and every hour. Every sim minute the warnings are checked, and every few a chart sample is
taken; a change that calls for a warning (a power cut, the last chef leaving, a menu update, a
queue filling up) raises it at once, so that a warning comes before the loss it warns of.

The log has a line for every lost or late order, with where its time went. When someone watches
(`watched`: the game turns it on) it also follows every order's life (placed, cooking, delivered)
and the money as it moves, grouped; a headless run does not pay for lines nobody reads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from pizzashop.sim.metrics import Sample
from pizzashop.sim.orders import LOSS_TEXT, PARTS, LossCause, OrderState, split_text
from pizzashop.sim.shop import WORKING, ChefState

if TYPE_CHECKING:
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.orders import Order, Task
    from pizzashop.sim.shop import Accrual, Branch, Chef, Shop

# A warning fires when a waiting customer has less than this share of their patience left (or
# will give up before the next check), or a queue is this full: before the first loss.
PATIENCE_WARNING: Final = 0.25
QUEUE_WARNING: Final = 0.8
# What each count of money entries is of, in a money line ("+120 revenue (6 orders)").
MONEY_NOUNS: Final = {"revenue": "order", "refunds": "order", "ingredients": "prep"}
# Bound once: on Python 3.11 reading an enum member off its class goes through the enum metaclass
# (about 0.2 µs), and `Final` lets the compiled build keep them in C variables.
_ORDER_DELIVERED: Final = OrderState.DELIVERED
_ORDER_QUEUED: Final = OrderState.QUEUED


def signed_money(amount: float) -> str:
    """A signed amount, e.g. "+120", "−0.50", "−45.25": whole amounts without their cents."""
    text = f"{abs(amount):,.2f}".removesuffix(".00")
    return ("+" if amount >= 0 else "−") + text


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
        self.watched = False  # log every order's life and the money as it moves
        self._patience = scenario.demand.patience is not None
        # The chef-minutes (busy, on duty) at the last chart sample, and at the doors' closing.
        self._sampled = (0.0, 0.0)
        self.at_closing: tuple[float, float] | None = None

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
        on_time = order.on_time = latency <= self.on_time_minutes
        metrics = self.metrics
        metrics.deliver(now, latency, on_time)
        minutes = order.split()
        queue, cooking, driver, road = minutes
        metrics.split.add(queue, cooking, driver, road)
        if not on_time:
            self._late(order, latency)
        elif self.watched:
            metrics.record(
                now,
                "delivered",
                f"order #{order.id} delivered in {latency:.0f} min: "
                + split_text(minutes, self.delivery.enabled),
                order.branch or "",
                "",
                order.id,
            )
        branch = self.shop.branch_by_name.get(order.branch or "")
        if branch is not None:
            branch.delivered += 1
            branch.on_time += on_time
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
        metrics.lose(now, cause)
        branch = self.shop.branch_by_name.get(order.branch or "")
        if branch is not None:
            branch.losses[cause.value] = branch.losses.get(cause.value, 0) + 1
        del self.orders[order.id]
        waited = now - order.placed
        after = f" after {waited:.0f} min" if waited >= 0.5 else ""
        metrics.record(
            now,
            "lost",
            f"order #{order.id} lost{after}: {LOSS_TEXT[cause]}",
            order.branch or "",
            "",
            order.id,
        )
        order.release_tasks()
        if self.on_order_done is not None:
            self.on_order_done(order)

    def _late(self, order: Order, latency: float) -> None:
        """A late delivery: counted with where its time went, and the part that grew the most
        over what it takes in a quiet shop (no queue, the dish's own cook time, a driver at
        once, the road from the nearest open branch) named in the log and the worst moments."""
        now = self.loop.now
        minutes = order.split()
        queue, cooking, driver, road = minutes
        prices = self.menu.versions[order.menu_version]
        cook = max(prices[task.item][1] for task in order.tasks)
        trip = 0.0
        if self.delivery.enabled:
            travel = self.shop.scenario.travel_minutes
            trip = self.delivery.handoff_minutes + min(
                travel(branch.area, order.area)
                for branch in self.shop.branches
                if branch.is_open or branch.name == order.branch
            )
        growth = [queue, max(0.0, cooking - cook), driver, max(0.0, road - trip)]
        part = PARTS[growth.index(max(growth))]
        metrics = self.metrics
        metrics.split_late.add(queue, cooking, driver, road)
        metrics.late(now, growth)
        metrics.record(
            now,
            "late",
            f"order #{order.id} late, {latency:.0f} min: "
            + split_text(minutes, self.delivery.enabled, part),
            order.branch or "",
            "",
            order.id,
        )

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
        self.recheck(branch)

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

    def log_money(self) -> None:
        """One log line for the money that moved since the last, cause by cause, and the balance
        (the engine calls it after each player action and every quarter of an hour, so many
        small amounts read as a few lines, and nothing moves the money without one)."""
        if not self.watched:
            return
        changes = self.ledger.changes()
        if not changes:
            return
        parts = []
        for cause, total, count in changes:
            noun = MONEY_NOUNS.get(cause)
            counted = f" ({count} {noun}{'' if count == 1 else 's'})" if noun else ""
            parts.append(f"{signed_money(total)} {cause}{counted}")
        text = " · ".join(parts) + f" → {self.ledger.balance:,.0f}"
        self.metrics.record(self.loop.now, "money", text)

    # ------------------------------------------------------------- watching

    def chef_minutes(self) -> tuple[float, float]:
        """Chef-minutes spent cooking or prepping, and on duty, since the doors opened."""
        now = self.loop.now
        metrics = self.metrics
        busy, duty = metrics.busy_minutes, metrics.duty_minutes
        for chef in self.shop.chefs.values():
            if chef.duty_since >= 0.0:
                duty += now - chef.duty_since
            if chef.state is ChefState.COOKING or chef.state is ChefState.PREPPING:
                busy += now - chef.started_at
        return busy, duty

    def close(self) -> None:
        """The doors close: the shift's chef-minutes are the report's utilisation."""
        self.at_closing = self.chef_minutes()

    def sample(self) -> None:
        """A chart sample of the shop now; its utilisation is busy over on-duty chef-minutes
        since the last sample (integrated, not a glance at this instant)."""
        metrics = self.metrics
        now = self.loop.now
        throughput, p95 = metrics.window_stats(now)
        busy, duty = self.chef_minutes()
        last_busy, last_duty = self._sampled
        self._sampled = (busy, duty)
        if duty - last_duty > 1e-9:
            utilisation = (busy - last_busy) / (duty - last_duty)
        else:  # no time since the last sample: the chefs at this instant
            on_duty = cooking = 0
            for chef in self.shop.chefs.values():
                if chef.state in WORKING:
                    on_duty += 1
                    cooking += chef.state is ChefState.COOKING or chef.state is ChefState.PREPPING
            utilisation = cooking / on_duty if on_duty else 0.0
        metrics.samples.append(
            Sample(
                now,
                sum(branch.waiting for branch in self.shop.branches),
                metrics.in_flight,
                metrics.delivered,
                metrics.lost,
                throughput,
                p95,
                utilisation,
                self.ledger.balance,
            )
        )

    def check_warnings(self, horizon: float) -> None:
        """Recompute `warnings`, logging each that is new; `horizon` is the next check's time (a
        customer who would give up before it is warned of now)."""
        now = self.loop.now
        found: dict[tuple[str, str], str] = {}
        for branch in self.shop.branches:
            if not branch.is_open:
                continue
            self._standing(branch, found)
            # Dark or not, its waiting customers run out of patience.
            if self._patience and self._impatient(branch, max(0.0, horizon - now)):
                found["patience", branch.name] = (
                    f"customers at {branch.name} are running out of patience"
                )
            if branch.lit:
                self._supplies(branch, found)
        for key, text in found.items():
            if key not in self.warnings:
                self.metrics.record(now, "warning", text, key[1])
        self.warnings = found

    def recheck(self, branch: Branch) -> None:
        """Raise at once what a change at the branch (power, staff, menu, a filling queue) calls
        for, rather than at the next minute's check, which may come after a loss."""
        found: dict[tuple[str, str], str] = {}
        if branch.is_open:
            self._standing(branch, found)
        for key, text in found.items():
            if key not in self.warnings:
                self.warnings[key] = text
                self.metrics.record(self.loop.now, "warning", text, key[1])

    def _standing(self, branch: Branch, found: dict[tuple[str, str], str]) -> None:
        """The states in which the branch loses orders as they come: dark, no chef, a nearly full
        queue, a menu update not there yet."""
        name = branch.name
        if not branch.lit:
            found["dark", name] = f"{name} is dark: its orders fail over or are lost"
            return
        if not branch.staffed():
            if self.shop.doors_open:
                found["no_chef", name] = f"no chef on duty at {name}: every order will be lost"
            elif branch.waiting:  # after closing: what still waits will not be cooked
                found["no_chef", name] = (
                    f"no chef on duty at {name}: {branch.waiting} waiting items will not be cooked"
                )
        capacity = branch.capacity
        if capacity and branch.waiting >= QUEUE_WARNING * capacity:
            found["queue", name] = f"{name} queue {branch.waiting}/{capacity}: nearly full"
        latest = len(self.menu.versions) - 1
        if branch.menu_version < latest:
            coming = self.menu.changes[branch.menu_version + 1 :]
            changed = sorted({dish for dishes in coming for dish in dishes})
            found["stale", name] = (
                f"{name} still cooks menu v{branch.menu_version} (v{latest} is on its way): "
                f"orders of {', '.join(changed)} cooked there meanwhile are refunded"
            )

    def _impatient(self, branch: Branch, ahead: float) -> bool:
        """Whether a customer waiting for cooking to start at the branch has under a quarter of
        their patience left, or will give up within `ahead` minutes (before the next check).
        Every waiting order is looked at, not the head of each line: patience differs from
        customer to customer."""
        if not branch.waiting:
            return False
        now = self.loop.now
        for line in branch.pull.values():
            if self._runs_out(line, now, ahead):
                return True
        return any(self._runs_out(chef.queue, now, ahead) for chef in branch.chefs)

    def _runs_out(self, line: deque[Task], now: float, ahead: float) -> bool:
        for task in line:
            order = task.order
            # Not cooking yet, or cooking again from nothing after a power cut (its customer's
            # patience then runs from the cut: `Order.deadline`).
            if order is None or order.state is not _ORDER_QUEUED or order.patience is None:
                continue
            patience = order.patience
            if order.waits_from + patience - now <= max(PATIENCE_WARNING * patience, ahead):
                return True
        return False

    def _supplies(self, branch: Branch, found: dict[tuple[str, str], str]) -> None:
        """Prepped stock run out, and orders waiting for drivers."""
        name = branch.name
        if branch.prep and self.shop.doors_open:
            hour = self.shop.hour()
            prepping = False
            for job in branch.prep:
                prepping = prepping or job.start <= hour < job.end
            now = self.loop.now
            for job in branch.prep:
                if not prepping and not branch.stock[job.component].fresh(now):
                    found["prep", name] = f"{name} has run out of prepped {job.component}"
        if self.delivery.enabled and not branch.agents:
            found["agents", name] = f"{name} has no drivers"
        elif len(branch.ready) >= max(3, 2 * len(branch.agents)):
            found["delivery", name] = f"{len(branch.ready)} orders wait for a driver at {name}"
