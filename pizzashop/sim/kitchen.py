"""The kitchen: each branch's lines of waiting items, its chefs cooking them, and prep.

An accepted order's items are routed by the branch's kitchen strategy (`routing.py`) to a queue
key: a chef's id (push: that chef's own queue) or a pull line (`"@*"` shared, `"@pizza"` a
team's). A free chef takes its own queue first, then the oldest head of the lines it may pull
from, and cooks it: the item's service quantile × specialty factor × regular factors × prep saving
÷ level speed. The order is ready when its last item is cooked, and goes to the drivers. In prep
windows, idle chefs prep components into stock. Who is on duty is the roster's business
(`roster.py`); the kitchen cooks with whoever is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from pizzashop.sim import events
from pizzashop.sim.books import QUEUE_WARNING
from pizzashop.sim.orders import LossCause, OrderState
from pizzashop.sim.routing import KITCHEN_STRATEGIES, SHARED_QUEUE, KitchenStrategy
from pizzashop.sim.scenario import GENERALIST
from pizzashop.sim.shop import WORKING, ChefState
from pizzashop.sim.streams import quantile

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.drivers import Drivers
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.orders import Order, Task
    from pizzashop.sim.scenario import PrepJob
    from pizzashop.sim.shop import Branch, Chef, Shop
    from pizzashop.sim.streams import Streams

# States every order passes through, bound once: on Python 3.11 reading an enum member off its
# class (`ChefState.IDLE`) goes through the enum metaclass and costs about 0.2 µs each time, and
# `Final` lets the compiled build keep them in C variables instead of the module's dict.
_CHEF_IDLE: Final = ChefState.IDLE
_CHEF_COOKING: Final = ChefState.COOKING
_ORDER_ROUTED: Final = OrderState.ROUTED
_ORDER_QUEUED: Final = OrderState.QUEUED
_ORDER_COOKING: Final = OrderState.COOKING


def _pulls_from(chef: Chef, key: str) -> bool:
    """Whether a free chef takes items from pull line `key` (see `Kitchen._take`)."""
    return key == SHARED_QUEUE or chef.specialty == GENERALIST or key[1:] == chef.specialty


class Kitchen:
    """Queues, routing of items to them, cooking and prep, for every branch."""

    def __init__(
        self, shop: Shop, menu: Menu, books: Books, drivers: Drivers, streams: Streams
    ) -> None:
        scenario = shop.scenario
        self.shop = shop
        self.loop = shop.loop
        self.chefs = shop.chefs
        self.metrics = shop.metrics
        self.menu = menu
        self.books = books
        self.drivers = drivers
        self.streams = streams
        self.vnodes = scenario.regulars.ring_vnodes
        # Read for every item; pydantic attributes are slow, so these are copied once.
        self._recipes = menu.recipes
        self._stations = menu.stations
        self._versions = menu.versions
        self._regular_branch = books.regular_branch
        self._chef_speedup = scenario.regulars.chef_speedup
        self._branch_speedup = scenario.regulars.branch_speedup
        self._generalist_factor = scenario.staff.generalist_factor
        self._off_specialty_factor = scenario.staff.off_specialty_factor
        self._routers: dict[str, KitchenStrategy] = {}
        # For the regulars' meter: items for a customer some chef here served before, and of
        # those, items cooked by that same chef.
        self.returning = 0
        self.usual = 0

    # -------------------------------------------------------------- routing

    def set_strategy(self, branch: Branch, name: str) -> None:
        """Route the branch's items by kitchen strategy `name` from now on."""
        cls = KITCHEN_STRATEGIES[name]
        rng = self.streams[f"routing:{branch.name}"]
        self._routers[branch.name] = cls(rng, self.vnodes)
        branch.strategy = name

    def router(self, branch: Branch) -> KitchenStrategy:
        return self._routers[branch.name]

    def accept(self, order: Order, branch: Branch, moved: bool = False) -> None:
        """Take an order the front door routed here: queue its items, or lose it. A `moved` order
        failed over from a dark branch; its customer's patience is already being watched."""
        order.branch = branch.name
        order.state = _ORDER_ROUTED
        chefs = [chef for chef in branch.chefs if chef.state in WORKING]
        if not chefs and not branch.staffed():  # nobody on duty, and no backup on the way
            self.lose(order, LossCause.NO_CHEF)
            return
        tasks = order.tasks
        keys = [self._route_task(branch, task, chefs) for task in tasks]
        capacity = branch.capacity
        if capacity is not None and branch.waiting + self._would_wait(keys, chefs) > capacity:
            self.lose(order, LossCause.QUEUE_FULL)
            return
        order.state = _ORDER_QUEUED
        for index, task in enumerate(tasks):
            self._put(branch, task, keys[index])
        if order.patience is not None and not moved:
            self.loop.at(order.placed + order.patience, events.PATIENCE_OVER, order)
        books = self.books
        if books.watched:
            self.metrics.record(
                self.loop.now,
                "placed",
                f"order #{order.id} {'failed over here' if moved else 'placed'}: "
                f"{', '.join(item.replace('_', ' ') for item in order.items)} for {order.area}",
                branch.name,
                "",
                order.id,
            )
        if capacity is not None and branch.waiting >= QUEUE_WARNING * capacity:
            books.recheck(branch)  # nearly full: warn now, not at the next minute's check
        self.wake(branch)

    def has_room(self, order: Order, branch: Branch) -> bool:
        """Whether the branch could take all of the order's items into its queue now (a chef on
        duty or on the way, and room in the queue even if no item starts at once)."""
        if not branch.staffed():
            return False
        capacity = branch.capacity
        return capacity is None or branch.waiting + len(order.tasks) <= capacity

    def _route_task(self, branch: Branch, task: Task, chefs: list[Chef]) -> str:
        """The queue key the kitchen strategy picks: a chef's id or a pull line."""
        if not chefs:
            return SHARED_QUEUE
        return self._routers[branch.name].route(task, chefs, self._stations[task.item])

    def _would_wait(self, keys: list[str], chefs: list[Chef]) -> int:
        """How many of an order's items would wait: those no idle chef would take at once."""
        idle = [chef for chef in chefs if chef.state is _CHEF_IDLE]
        waits = 0
        for key in keys:
            if key[0] == "@":
                taker = next((chef for chef in idle if _pulls_from(chef, key)), None)
            else:
                taker = next((chef for chef in idle if chef.id == key), None)
            if taker is None:
                waits += 1
            else:
                idle.remove(taker)
        return waits

    def _enqueue(self, branch: Branch, task: Task, chefs: list[Chef]) -> None:
        self._put(branch, task, self._route_task(branch, task, chefs))

    def _put(self, branch: Branch, task: Task, key: str) -> None:
        task.key = key
        if key[0] == "@":
            queue = branch.pull.get(key)
            if queue is None:
                queue = branch.pull[key] = deque()
        else:
            queue = self.chefs[key].queue
        queue.append(task)
        branch.waiting += 1

    def _requeue(self, branch: Branch, task: Task) -> None:
        """Put an interrupted item back at the head of the line it came from."""
        key = task.key
        if key[0] == "@":
            branch.pull.setdefault(key, deque()).appendleft(task)
        else:
            self.chefs[key].queue.appendleft(task)
        task.chef = None
        branch.waiting += 1

    def _unqueue(self, order: Order) -> None:
        branch = self.shop.branch_by_name.get(order.branch or "")
        if branch is None:
            return
        for task in order.tasks:
            if task.started >= 0 or not task.key:
                continue
            if task.key[0] == "@":
                queue = branch.pull.get(task.key)
            else:
                owner = self.chefs.get(task.key)
                queue = owner.queue if owner is not None else None
            if queue is not None and task in queue:
                queue.remove(task)
                branch.waiting -= 1

    def patience_over(self, order: Order) -> None:
        """The customer gives up unless cooking has started: lost as `branch_dark` when they
        waited at a branch whose power is off, `gave_up` otherwise. An event older than the
        order's deadline (a power cut restarted the wait) does nothing."""
        deadline = order.deadline()
        if order.state is not OrderState.QUEUED or deadline is None or self.loop.now < deadline:
            return
        branch = self.shop.branch_by_name.get(order.branch or "")
        dark = branch is not None and not branch.lit
        self.lose(order, LossCause.BRANCH_DARK if dark else LossCause.GAVE_UP)

    def withdraw(self, order: Order) -> None:
        """Take a waiting order's items out of its branch's lines (it fails over elsewhere)."""
        self._unqueue(order)

    def power_cut(self, branch: Branch) -> None:
        """The branch's power went off: every order not yet ready starts again from nothing.

        Its chefs were interrupted already (`interrupt`). Items cooked or in the oven for an
        order that is not ready are thrown away (a cold kitchen cannot finish them), and the
        order waits in the dark for its first item again, its items in their lines in order of
        arrival. A customer whose order had begun cooking is told, and waits up to their
        patience from now; the others keep their deadline. Ready orders are left to the drivers,
        who need no power.
        """
        now = self.loop.now
        stranded = [
            order
            for order in self.books.orders.values()
            if order.branch == branch.name
            and (order.state is _ORDER_QUEUED or order.state is _ORDER_COOKING)
        ]
        chefs = branch.on_duty()
        for queue in branch.pull.values():
            queue.clear()
        for chef in branch.chefs:
            chef.queue.clear()
        branch.waiting = 0
        for order in stranded:
            if order.state is _ORDER_COOKING:
                order.state = _ORDER_QUEUED
                order.waits_from = now
                if order.patience is not None:
                    self.loop.at(now + order.patience, events.PATIENCE_OVER, order)
            order.remaining = len(order.tasks)
            for task in order.tasks:
                task.started = -1.0
                task.chef = None
                owner = self.chefs.get(task.key)
                if task.key[0] == "@" or (owner is not None and owner in chefs):
                    self._put(branch, task, task.key)
                else:  # its chef has gone since: routed again among those on duty
                    self._enqueue(branch, task, chefs)

    def lose(self, order: Order, cause: LossCause) -> None:
        """Lose an order for `cause`, taking its waiting items out of the lines first."""
        if order.state is OrderState.QUEUED or order.state is OrderState.COOKING:
            self._unqueue(order)
        self.books.lost(order, cause)

    def release_queue(self, chef: Chef) -> None:
        """Re-route the items waiting in a chef's own queue when the chef stops working."""
        branch = chef.branch
        waiting = list(chef.queue)
        chef.queue.clear()
        branch.waiting -= len(waiting)
        chefs = branch.on_duty()
        for task in waiting:
            self._enqueue(branch, task, chefs)
        self.wake(branch)

    def rescue_orphans(self, branch: Branch) -> None:
        """Re-route team lines that no chef on duty can take from any more."""
        chefs = branch.on_duty()
        if not chefs:
            return
        specialties = {chef.specialty for chef in chefs}
        if GENERALIST in specialties:
            return
        for key, queue in list(branch.pull.items()):
            if key != SHARED_QUEUE and queue and key[1:] not in specialties:
                moved = list(queue)
                queue.clear()
                branch.waiting -= len(moved)
                for task in moved:
                    self._enqueue(branch, task, chefs)
        self.wake(branch)

    # -------------------------------------------------------------- cooking

    def wake(self, branch: Branch) -> None:
        """Every idle chef of the branch takes the next job, if there is one."""
        for chef in branch.chefs:
            if chef.state is _CHEF_IDLE:
                self.next_job(chef)

    def _take(self, chef: Chef) -> Task | None:
        branch = chef.branch
        if chef.queue:
            branch.waiting -= 1
            return chef.queue.popleft()
        pull = branch.pull
        if not pull:
            return None
        # Of the lines this chef takes from, the one whose first item came first (order ids
        # follow arrival); on a tie, the first line looked at.
        if chef.specialty == GENERALIST:
            lines: Iterable[deque[Task] | None] = pull.values()
        else:
            lines = (pull.get("@" + chef.specialty), pull.get(SHARED_QUEUE))
        best: deque[Task] | None = None
        for queue in lines:
            if queue and (best is None or queue[0].order_id < best[0].order_id):
                best = queue
        if best is None:
            return None
        branch.waiting -= 1
        return best.popleft()

    def next_job(self, chef: Chef) -> None:
        """An idle chef cooks the next item it may take, or preps in a prep window."""
        task = self._take(chef)
        if task is not None:
            self._cook(chef, task)
        elif self.shop.doors_open and chef.branch.prep:
            self._maybe_prep(chef)

    def _cook(self, chef: Chef, task: Task) -> None:
        now = self.loop.now
        order = task.order
        assert order is not None  # an item waits only while its order is in flight
        branch = chef.branch
        item = task.item
        version = branch.menu_version
        recipe = self._recipes[item]
        minutes = quantile(
            recipe.service, task.quantile, self._versions[version][item][1], recipe.cv
        )
        if chef.specialty != recipe.station:
            minutes *= (
                self._generalist_factor
                if chef.specialty == GENERALIST
                else self._off_specialty_factor
            )
        customer = order.customer
        if self._chef_speedup < 1.0:  # a chef knows the usual order of customers served before
            usual = branch.regular_chef.get(customer)
            if usual is not None:
                self.returning += 1
                if usual == chef.id:
                    minutes *= self._chef_speedup
                    self.usual += 1
            branch.regular_chef[customer] = chef.id
        if self._branch_speedup < 1.0 and self._regular_branch.get(customer) == branch.name:
            minutes *= self._branch_speedup
        component = recipe.uses
        if component is not None and branch.stock[component].take(now):
            minutes *= 1.0 - recipe.prep_saving
        if version < order.menu_version and not order.stale:
            order.stale = self.menu.stale(item, version, order.menu_version)
        minutes /= chef.speed
        task.chef = chef.id
        task.started = now
        if order.state is not _ORDER_COOKING:
            order.state = _ORDER_COOKING
            if order.started < 0:  # the first item of the order: its wait is over
                order.started = now
                self.metrics.waits.append(now - order.placed)
                if self.books.watched:
                    self.metrics.record(
                        now,
                        "cooking",
                        f"order #{order.id} cooking: {chef.name}, after "
                        f"{now - order.placed:.0f} min in the queue",
                        branch.name,
                        chef.name,
                        order.id,
                    )
        chef.state = _CHEF_COOKING
        chef.task = task
        chef.token += 1
        chef.started_at = now
        chef.done_at = now + minutes
        self.loop.at(now + minutes, events.COOKED, (chef, chef.token))

    def cooked(self, ref: tuple[Chef, int]) -> Chef | None:
        """A chef finished an item: the chef, now free, or None for a job interrupted before."""
        chef, token = ref
        if chef.token != token:
            return None
        now = self.loop.now
        busy = now - chef.started_at
        chef.busy_minutes += busy
        self.metrics.busy_minutes += busy
        task = chef.task
        assert task is not None  # a live token means the chef is cooking it
        chef.task = None
        chef.state = _CHEF_IDLE
        chef.cooked += 1
        order = task.order
        if order is not None:  # None: the order was lost while this item cooked
            order.remaining -= 1
            if order.remaining == 0:  # this item came out last: its wait was the order's
                order.oven_at = task.started
                self.drivers.ready(order, chef.branch)
        return chef

    def interrupt(self, chef: Chef) -> None:
        """Stop the chef's current job: an item goes back to the head of its line."""
        if chef.state is ChefState.COOKING and chef.task is not None:
            busy = self.loop.now - chef.started_at
            chef.busy_minutes += busy
            self.metrics.busy_minutes += busy
            task, chef.task = chef.task, None
            task.started = -1.0
            self._requeue(chef.branch, task)
        elif chef.state is ChefState.PREPPING:
            busy = self.loop.now - chef.started_at
            chef.busy_minutes += busy
            self.metrics.busy_minutes += busy
            chef.prep_component = None
        chef.token += 1

    # ----------------------------------------------------------------- prep

    def set_prep(self, branch: Branch, jobs: list[PrepJob]) -> None:
        """Replace the branch's prep schedule; windows still to come are scheduled."""
        branch.prep = jobs
        self.schedule_prep(branch)
        self.wake(branch)

    def schedule_prep(self, branch: Branch) -> None:
        for job in branch.prep:
            start = (job.start - self.shop.open_hour) * 60.0
            if start >= self.loop.now:
                self.loop.at(start, events.PREP_WINDOW, branch)

    def prep_window(self, branch: Branch) -> None:
        if self.shop.doors_open:
            self.wake(branch)

    def _maybe_prep(self, chef: Chef) -> None:
        branch = chef.branch
        if not branch.lit:
            return
        hour = self.shop.hour()
        for job in branch.prep:
            if not job.start <= hour < job.end:
                continue
            stock = branch.stock[job.component]
            underway = sum(
                other.state is ChefState.PREPPING and other.prep_component == job.component
                for other in branch.chefs
            )
            if stock.fresh(self.loop.now) + underway >= min(job.target, stock.cap):
                continue
            component = self.shop.scenario.components[job.component]
            self.shop.ledger.post("ingredients", -component.cost)
            now = self.loop.now
            chef.state = ChefState.PREPPING
            chef.prep_component = job.component
            chef.token += 1
            chef.started_at = now
            chef.done_at = now + component.prep_minutes / chef.speed
            self.loop.at(chef.done_at, events.PREPPED, (chef, chef.token))
            return

    def throw_out(self) -> None:
        """The shift is over: stock left on the shelf spoils too, and every spoiled component
        costs its `waste_cost` to throw away (the ledger's spoilage)."""
        now = self.loop.now
        components = self.shop.scenario.components
        for branch in self.shop.branches:
            for name, stock in branch.stock.items():
                stock.discard_expired(now)
                stock.spoiled += len(stock.made)
                stock.made.clear()
                self.shop.ledger.post("spoilage", -stock.spoiled * components[name].spoil_cost)

    def prepped(self, ref: tuple[Chef, int]) -> Chef | None:
        """A chef finished prepping: the chef, now free, or None for a job interrupted before."""
        chef, token = ref
        if chef.token != token:
            return None
        now = self.loop.now
        busy = now - chef.started_at
        chef.busy_minutes += busy
        self.metrics.busy_minutes += busy
        component = chef.prep_component
        assert component is not None  # a live token means the chef is prepping it
        stock = chef.branch.stock[component]
        stock.made.append(now)
        stock.prepped += 1
        chef.prep_component = None
        chef.state = ChefState.IDLE
        return chef
