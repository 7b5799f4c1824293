"""The simulation: orders flow from arrival through routing, kitchens and delivery to the door.

`Simulation` owns the event loop and every piece of state. The UI and the command line drive it
only through `apply` (player actions), `advance`/`run` (time) and read-only attributes; they never
change its state directly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final

from pizzashop.sim.actions import Action, Outcome
from pizzashop.sim.clock import Dispatcher, EventLoop
from pizzashop.sim.commands import apply_action
from pizzashop.sim.demand import OrderSource
from pizzashop.sim.hashing import remapped_fraction
from pizzashop.sim.ledger import Ledger
from pizzashop.sim.metrics import Metrics, Sample
from pizzashop.sim.orders import LOSS_TEXT, LossCause, Order, OrderState, Task
from pizzashop.sim.routing import KITCHEN_STRATEGIES, SHARED_QUEUE, KitchenStrategy
from pizzashop.sim.scenario import GENERALIST, Leave, MenuUpdate, Outage, Scenario
from pizzashop.sim.shop import WORKING, Accrual, Agent, AgentState, Branch, Chef, ChefState
from pizzashop.sim.streams import Streams, exponential, quantile

CHEF_NAMES = (
    "Mario", "Sofia", "Luigi", "Giulia", "Marco", "Chiara", "Paolo", "Anna", "Enzo", "Rosa",
    "Dario", "Elena", "Fabio", "Lucia", "Nico", "Marta", "Piero", "Sara", "Gino", "Vera",
)  # fmt: skip
TICK_MINUTES: Final = 1.0
PATIENCE_WARNING: Final = 0.25
QUEUE_WARNING: Final = 0.8
# States every order passes through, bound once: on Python 3.11 reading an enum member off its
# class (`ChefState.IDLE`) goes through the enum metaclass and costs about 0.2 µs each time, and
# `Final` lets the compiled build keep them in C variables instead of the module's dict.
_CHEF_IDLE: Final = ChefState.IDLE
_CHEF_COOKING: Final = ChefState.COOKING
_ORDER_ROUTED: Final = OrderState.ROUTED
_ORDER_QUEUED: Final = OrderState.QUEUED
_ORDER_COOKING: Final = OrderState.COOKING
_ORDER_READY: Final = OrderState.READY
_ORDER_DELIVERED: Final = OrderState.DELIVERED


# What an event does (`Simulation.fire` runs it), the commonest first.
_COOKED: Final = 0
_ARRIVE: Final = 1
_TICK: Final = 2
_PATIENCE_OVER: Final = 3
_HANDED_OVER: Final = 4
_AGENT_BACK: Final = 5
_PREPPED: Final = 6
_PREP_WINDOW: Final = 7
_CLOSE_DOORS: Final = 8
_LEAVE_START: Final = 9
_LEAVE_END: Final = 10
_BACKUP_ARRIVES: Final = 11
_POWER: Final = 12
_MENU_ARRIVES: Final = 13
_TIMELINE_MENU: Final = 14
_APPLY_SCHEDULED: Final = 15


class _Recipe:
    """A dish's cooking constants, copied once off its menu item (pydantic attributes are slow)."""

    __slots__ = ("cv", "prep_saving", "service", "station", "uses")

    def __init__(
        self, service: str, cv: float, station: str, uses: str | None, prep_saving: float
    ) -> None:
        self.service = service
        self.cv = cv
        self.station = station
        self.uses = uses
        self.prep_saving = prep_saving


def _pulls_from(chef: Chef, key: str) -> bool:
    """Whether a free chef takes items from pull line `key` (see `Simulation._take`)."""
    return key == SHARED_QUEUE or chef.specialty == GENERALIST or key[1:] == chef.specialty


class Simulation(Dispatcher):
    """One shift of one shop, deterministic for a scenario, a seed and a list of timed actions."""

    def __init__(
        self, scenario: Scenario, seed: int | None = None, kitchen_strategy: str | None = None
    ) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.initial_strategy = kitchen_strategy
        self.streams = Streams(self.seed)
        self.loop = EventLoop(self)
        self.metrics = Metrics()
        self.ledger = Ledger(scenario.money)
        self.shift_end = scenario.shift_hours * 60.0
        self.doors_open = True
        self.finished = False
        self.on_time_minutes = scenario.on_time_minutes
        self.delivery = scenario.delivery
        self.staff = scenario.staff
        self.regulars = scenario.regulars
        # Read for every order; pydantic attributes are slow, so these are copied once.
        self._delivers = scenario.delivery.enabled
        self._chef_speedup = scenario.regulars.chef_speedup
        self._branch_speedup = scenario.regulars.branch_speedup
        self._generalist_factor = scenario.staff.generalist_factor
        self._off_specialty_factor = scenario.staff.off_specialty_factor
        self.action_log: list[tuple[Action, Outcome]] = []
        self.warnings: dict[tuple[str, str], str] = {}
        self.remaps: list[dict] = []
        self.orders: dict[int, Order] = {}
        self.regular_branch: dict[int, str] = {}
        self.on_order_done: Callable[[Order], None] | None = None
        self.branch_strategy = scenario.routing.branch
        self.failover = scenario.routing.failover
        self.menu_versions = [
            {name: (item.price, item.cook_minutes) for name, item in scenario.menu.items()}
        ]
        self.menu_changes: list[frozenset[str]] = [frozenset()]
        self.stations = {name: item.station or name for name, item in scenario.menu.items()}
        self._recipes = {
            name: _Recipe(item.service, item.cv, self.stations[name], item.uses, item.prep_saving)
            for name, item in scenario.menu.items()
        }
        self._source = OrderSource(scenario, self.streams)
        self._chef_ids = 0
        self._sample_every = max(1, round(scenario.sample_minutes / TICK_MINUTES))
        self._mean_cook = math.fsum(
            i.cook_minutes * i.weight for i in scenario.menu.values()
        ) / math.fsum(i.weight for i in scenario.menu.values())
        self.chefs: dict[str, Chef] = {}
        self._routers: dict[str, KitchenStrategy] = {}
        self.branches = [
            Branch(spec, index, scenario.components) for index, spec in enumerate(scenario.branches)
        ]
        self.branch_by_name = {branch.name: branch for branch in self.branches}
        self._reach = self._reachable_branches()
        strategy = kitchen_strategy or scenario.routing.kitchen
        for branch in self.branches:
            self._set_kitchen_strategy(branch, strategy)
            if branch.is_open:
                branch.rent.rate = branch.spec.rent_per_hour
            for spec in branch.spec.chefs:
                chef = self._new_chef(branch, spec.name, spec.specialty, spec.level)
                if spec.backup:
                    chef.backup = True
                    self._set_state(chef, ChefState.ON_CALL)
            self._add_agents(branch, branch.spec.agents)
        self._schedule_timeline()
        self._draw_disruptions()
        for branch in self.branches:
            self._schedule_prep(branch)
        self.metrics.record(0.0, "shift", f"doors open at {self.clock(0.0)}")
        first = self._source.next_arrival(0.0)
        if first is not None:
            self.loop.at(first, _ARRIVE)
        self.loop.at(self.shift_end, _CLOSE_DOORS)
        self.loop.at(0.0, _TICK)

    # ------------------------------------------------------------------ time

    def fire(self, kind: int, arg: Any) -> None:
        """Run one event of the loop (the kinds are listed at the top of this module)."""
        if kind == _COOKED:
            self._cooked(arg)
        elif kind == _ARRIVE:
            self._arrive(arg)
        elif kind == _TICK:
            self._tick(arg)
        elif kind == _PATIENCE_OVER:
            self._patience_over(arg)
        elif kind == _HANDED_OVER:
            self._handed_over(arg)
        elif kind == _AGENT_BACK:
            self._agent_back(arg)
        elif kind == _PREPPED:
            self._prepped(arg)
        elif kind == _PREP_WINDOW:
            self._prep_window(arg)
        elif kind == _CLOSE_DOORS:
            self._close_doors(arg)
        elif kind == _LEAVE_START:
            self._leave_start(arg)
        elif kind == _LEAVE_END:
            self._leave_end(arg)
        elif kind == _BACKUP_ARRIVES:
            self._backup_arrives(arg)
        elif kind == _POWER:
            self._power(arg)
        elif kind == _MENU_ARRIVES:
            self._menu_arrives(arg)
        elif kind == _TIMELINE_MENU:
            self._timeline_menu(arg)
        elif kind == _APPLY_SCHEDULED:
            self._apply_scheduled(arg)
        else:
            raise ValueError(f"no event of kind {kind}")

    @property
    def now(self) -> float:
        return self.loop.now

    def clock(self, minutes: float | None = None) -> str:
        """Wall-clock time of the shop, e.g. '12:35'."""
        total = int((self.now if minutes is None else minutes) + self.scenario.open_hour * 60)
        return f"{(total // 60) % 24:02d}:{total % 60:02d}"

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

    # --------------------------------------------------------------- actions

    def apply(self, action: Action) -> Outcome:
        """Apply a player action now; it is recorded with the current sim time."""
        if self.finished:
            return Outcome.refused("the shift is over")
        action = action.model_copy(update={"at": self.now})
        outcome = apply_action(self, action)
        self.action_log.append((action, outcome))
        kind = "action" if outcome.ok else "refused"
        self.metrics.record(self.now, kind, f"{action.kind}: {outcome.reason}")
        return outcome

    def schedule(self, actions: list[Action]) -> None:
        """Queue timed actions (an action file, a replay) to apply at their `at` times."""
        for action in actions:
            self.loop.at_first(action.at, _APPLY_SCHEDULED, action)

    def _apply_scheduled(self, action: Action) -> None:
        self.apply(action)

    # ------------------------------------------------------------- building

    def _reachable_branches(self) -> dict[str, list[Branch]]:
        limit = self.delivery.max_travel_minutes
        reach = {}
        for area in self.scenario.areas:
            options = [
                (self.scenario.travel_minutes(branch.area, area), branch.index, branch)
                for branch in self.branches
            ]
            reach[area] = [b for t, _, b in sorted(options) if limit is None or t <= limit]
        return reach

    def _new_chef(self, branch: Branch, name: str, specialty: str, level: int) -> Chef:
        self._chef_ids += 1
        chef = Chef(f"c{self._chef_ids}", name, branch, specialty, level, self.speed_at(level))
        chef.pay = Accrual("wages", 0.0, self.now)
        branch.chefs.append(chef)
        self.chefs[chef.id] = chef
        self._set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        return chef

    def next_chef_name(self) -> str:
        taken = {chef.name for chef in self.chefs.values()}
        for lap in range(1, 100):
            for base in CHEF_NAMES:
                name = base if lap == 1 else f"{base} {lap}"
                if name not in taken:
                    return name
        return f"Chef {self._chef_ids + 1}"

    def speed_at(self, level: int) -> float:
        return self.staff.speed_by_level[level - 1]

    def wage_at(self, level: int) -> float:
        return self.staff.wage_by_level[level - 1]

    def _add_agents(self, branch: Branch, count: int) -> None:
        self._settle(branch.agent_pay)
        for _ in range(count):
            branch.agents.append(Agent(f"{branch.name}-d{len(branch.agents) + 1}"))
        branch.agent_pay.rate = self._agent_rate(branch)
        self._dispatch_agents(branch)

    def _agent_rate(self, branch: Branch) -> float:
        return len(branch.agents) * self.delivery.agent_wage if branch.is_open else 0.0

    def set_branch_open(self, branch: Branch, is_open: bool) -> None:
        """Open or close a branch: rent and its staff's pay run only while it is open."""
        branch.is_open = is_open
        self._settle(branch.rent)
        branch.rent.rate = branch.spec.rent_per_hour if is_open else 0.0
        self._settle(branch.agent_pay)
        branch.agent_pay.rate = self._agent_rate(branch)
        for chef in branch.chefs:
            self._set_state(chef, chef.state)

    def _set_kitchen_strategy(self, branch: Branch, name: str) -> None:
        cls = KITCHEN_STRATEGIES[name]
        rng = self.streams[f"routing:{branch.name}"]
        self._routers[branch.name] = cls(rng, self.regulars.ring_vnodes)
        branch.strategy = name

    def router(self, branch: Branch) -> KitchenStrategy:
        return self._routers[branch.name]

    def _schedule_timeline(self) -> None:
        names = {chef.name: chef for chef in self.chefs.values()}
        for event in self.scenario.timeline:
            if isinstance(event, Leave):
                chef = names[event.chef]
                self.loop.at(event.at, _LEAVE_START, (chef, event.at + event.duration))
            elif isinstance(event, Outage):
                targets = [
                    b for b in self.branches if b.name == event.branch or b.area == event.area
                ]
                for branch in targets:
                    self.loop.at(event.at, _POWER, (branch, False))
                    self.loop.at(event.at + event.duration, _POWER, (branch, True))
            elif isinstance(event, MenuUpdate):
                self.loop.at(event.at, _TIMELINE_MENU, event)

    def _draw_disruptions(self) -> None:
        rules = self.scenario.disruptions
        leave = self.streams["leave"]
        for chef in list(self.chefs.values()):
            if leave.random() < rules.leave_probability and not chef.backup:
                self.loop.at(0.0, _LEAVE_START, (chef, self.shift_end))
        outages = self.streams["outages"]
        for _ in range(rules.outages):
            branch = self.branches[int(outages.random() * len(self.branches))]
            start = outages.random() * max(0.0, self.shift_end - rules.outage_minutes)
            duration = max(1.0, exponential(outages.random(), rules.outage_minutes))
            self.loop.at(start, _POWER, (branch, False))
            self.loop.at(start + duration, _POWER, (branch, True))

    # --------------------------------------------------------------- orders

    def _arrive(self, _: object) -> None:
        now = self.loop.now
        order = self._source.make(now, len(self.menu_versions) - 1)
        following = self._source.next_arrival(now)
        if following is not None:
            self.loop.at(following, _ARRIVE)
        metrics = self.metrics
        metrics.placed += 1
        metrics.flight_change(now, 1)
        self.orders[order.id] = order
        target = self._route_branch(order)
        if isinstance(target, Branch):  # not LossCause: isinstance on an enum class is slower
            self._accept(order, target)
        else:
            self._lose(order, target)

    def _route_branch(self, order: Order) -> Branch | LossCause:
        reach = self._reach[order.area]
        if self.branch_strategy != "fastest":
            for branch in reach:  # the usual case: the nearest open branch is lit
                if branch.is_open:
                    if branch.lit:
                        return branch
                    break
        options = [branch for branch in reach if branch.is_open]
        if not options:
            return LossCause.NO_ROUTE
        lit = [branch for branch in options if branch.lit]
        if not lit:
            return LossCause.BRANCH_DARK
        if self.branch_strategy == "fastest":
            return min(lit, key=lambda branch: self.estimate_minutes(branch, order.area))
        nearest = options[0]
        if nearest.lit:
            return nearest
        return lit[0] if self.failover else LossCause.BRANCH_DARK

    def estimate_minutes(self, branch: Branch, area: str) -> float:
        """Estimated order-to-door time at `branch`: queue, cooking and travel."""
        staff = sum(chef.on_duty for chef in branch.chefs)
        if not staff:
            return float("inf")
        queue = branch.waiting / staff * self._mean_cook
        travel = self.scenario.travel_minutes(branch.area, area) + self.delivery.handoff_minutes
        return queue + self._mean_cook + (travel if self.delivery.enabled else 0.0)

    def _staffed(self, branch: Branch) -> bool:
        for chef in branch.chefs:
            if chef.state in WORKING or chef.state is ChefState.CALLED_IN:
                return True
        return False

    def _accept(self, order: Order, branch: Branch) -> None:
        order.branch = branch.name
        order.state = _ORDER_ROUTED
        chefs = [chef for chef in branch.chefs if chef.state in WORKING]
        if not chefs and not self._staffed(branch):  # nobody on duty, and no backup on the way
            self._lose(order, LossCause.NO_CHEF)
            return
        tasks = order.tasks
        keys = [self._route_task(branch, task, chefs) for task in tasks]
        capacity = branch.capacity
        if capacity is not None and branch.waiting + self._would_wait(keys, chefs) > capacity:
            self._lose(order, LossCause.QUEUE_FULL)
            return
        order.state = _ORDER_QUEUED
        for index, task in enumerate(tasks):
            self._put(branch, task, keys[index])
        if order.patience is not None:
            self.loop.at(order.placed + order.patience, _PATIENCE_OVER, order)
        self._wake(branch)

    def _route_task(self, branch: Branch, task: Task, chefs: list[Chef]) -> str:
        """The queue key the kitchen strategy picks: a chef's id or a pull line."""
        if not chefs:
            return SHARED_QUEUE
        return self._routers[branch.name].route(task, chefs, self.stations[task.item])

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
        branch = self.branch_by_name.get(order.branch or "")
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

    def _patience_over(self, order: Order) -> None:
        if order.state is OrderState.QUEUED and order.started < 0:
            self._lose(order, LossCause.GAVE_UP)

    def _lose(self, order: Order, cause: LossCause) -> None:
        now = self.loop.now
        if order.state is OrderState.QUEUED or order.state is OrderState.COOKING:
            self._unqueue(order)
        order.state = OrderState.LOST
        order.cause = cause
        order.done_at = now
        metrics = self.metrics
        metrics.losses[cause] += 1
        metrics.loss_times.append((now, cause))
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

    # -------------------------------------------------------------- kitchen

    def _wake(self, branch: Branch) -> None:
        for chef in branch.chefs:
            if chef.state is _CHEF_IDLE:
                self._next_job(chef)

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

    def _next_job(self, chef: Chef) -> None:
        task = self._take(chef)
        if task is not None:
            self._cook(chef, task)
        elif self.doors_open and chef.branch.prep:
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
            recipe.service, task.quantile, self.menu_versions[version][item][1], recipe.cv
        )
        if chef.specialty != recipe.station:
            minutes *= (
                self._generalist_factor
                if chef.specialty == GENERALIST
                else self._off_specialty_factor
            )
        customer = order.customer
        if self._chef_speedup < 1.0:  # a chef knows the usual order of customers served before
            if branch.regular_chef.get(customer) == chef.id:
                minutes *= self._chef_speedup
            branch.regular_chef[customer] = chef.id
        if self._branch_speedup < 1.0 and self.regular_branch.get(customer) == branch.name:
            minutes *= self._branch_speedup
        component = recipe.uses
        if component is not None and branch.stock[component].take(now):
            minutes *= 1.0 - recipe.prep_saving
        if version < order.menu_version and not order.stale:
            changed = self.menu_changes[version + 1 : order.menu_version + 1]
            order.stale = any(item in names for names in changed)
        minutes /= chef.speed
        task.chef = chef.id
        task.started = now
        if order.started < 0:
            order.started = now
            order.state = _ORDER_COOKING
            self.metrics.waits.append(now - order.placed)
        chef.state = _CHEF_COOKING
        chef.task = task
        chef.token += 1
        chef.started_at = now
        chef.done_at = now + minutes
        self.loop.at(now + minutes, _COOKED, (chef, chef.token))

    def _cooked(self, ref: tuple[Chef, int]) -> None:
        chef, token = ref
        if chef.token != token:
            return
        now = self.loop.now
        chef.busy_minutes += now - chef.started_at
        task = chef.task
        assert task is not None  # a live token means the chef is cooking it
        chef.task = None
        chef.state = _CHEF_IDLE
        order = task.order
        if order is not None:  # None: the order was lost while this item cooked
            order.remaining -= 1
            if order.remaining == 0:
                self._ready(order, chef.branch)
        self._after_job(chef)

    def _after_job(self, chef: Chef) -> None:
        """A chef just finished a job: leave, go back on call, or take the next one."""
        if chef.absent_until > self.loop.now:
            self._go_on_leave(chef)
        elif chef.backup and chef.covering is None:
            before = self._members(chef.branch)
            self._set_state(chef, ChefState.ON_CALL)
            self._release_queue(chef)
            self._members_changed(chef.branch, before)
        else:
            self._next_job(chef)

    def _maybe_prep(self, chef: Chef) -> None:
        branch = chef.branch
        if not branch.lit:
            return
        hour = self.scenario.open_hour + self.loop.now / 60.0
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
            component = self.scenario.components[job.component]
            self.ledger.post("ingredients", -component.cost)
            now = self.loop.now
            chef.state = ChefState.PREPPING
            chef.prep_component = job.component
            chef.token += 1
            chef.started_at = now
            chef.done_at = now + component.prep_minutes / chef.speed
            self.loop.at(chef.done_at, _PREPPED, (chef, chef.token))
            return

    def _prepped(self, ref: tuple[Chef, int]) -> None:
        chef, token = ref
        if chef.token != token:
            return
        now = self.loop.now
        chef.busy_minutes += now - chef.started_at
        component = chef.prep_component
        assert component is not None  # a live token means the chef is prepping it
        chef.branch.stock[component].made.append(now)
        chef.prep_component = None
        chef.state = ChefState.IDLE
        self._after_job(chef)

    def _schedule_prep(self, branch: Branch) -> None:
        for job in branch.prep:
            start = (job.start - self.scenario.open_hour) * 60.0
            if start >= self.loop.now:
                self.loop.at(start, _PREP_WINDOW, branch)

    def _prep_window(self, branch: Branch) -> None:
        if self.doors_open:
            self._wake(branch)

    def _interrupt(self, chef: Chef) -> None:
        """Stop the chef's current job: an item goes back to the head of its line."""
        if chef.state is ChefState.COOKING and chef.task is not None:
            chef.busy_minutes += self.loop.now - chef.started_at
            task, chef.task = chef.task, None
            task.started = -1.0
            self._requeue(chef.branch, task)
        elif chef.state is ChefState.PREPPING:
            chef.busy_minutes += self.loop.now - chef.started_at
            chef.prep_component = None
        chef.token += 1

    # ------------------------------------------------------------- delivery

    def _ready(self, order: Order, branch: Branch) -> None:
        order.state = _ORDER_READY
        if not self._delivers:
            self._delivered_at_door(order)
            return
        branch.ready.append(order)
        self._dispatch_agents(branch)

    def _dispatch_agents(self, branch: Branch) -> None:
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
            travel = self.scenario.travel_minutes(branch.area, order.area)
            there = now + travel + self.delivery.handoff_minutes
            agent.state = AgentState.OUT
            agent.order = order
            agent.back_at = there + travel
            order.state = OrderState.OUT
            self.loop.at(there, _HANDED_OVER, (agent, branch))

    def _handed_over(self, ref: tuple[Agent, Branch]) -> None:
        agent, branch = ref
        order = agent.order
        assert order is not None  # an agent out on the road carries one
        agent.order = None
        agent.state = AgentState.RETURNING
        self.loop.at(agent.back_at, _AGENT_BACK, (agent, branch))
        self._delivered_at_door(order)

    def _agent_back(self, ref: tuple[Agent, Branch]) -> None:
        agent, branch = ref
        agent.state = AgentState.IDLE
        self._dispatch_agents(branch)

    def _delivered_at_door(self, order: Order) -> None:
        now = self.loop.now
        prices = self.menu_versions[order.menu_version]
        price = 0.0
        for task in order.tasks:
            price += prices[task.item][0]
        self.ledger.post("revenue", price)
        if order.stale:
            self.ledger.post("refunds", -price)
            self._lose(order, LossCause.STALE)
            return
        latency = now - order.placed
        order.state = _ORDER_DELIVERED
        order.done_at = now
        order.on_time = latency <= self.on_time_minutes
        self.metrics.deliver(now, latency, order.on_time)
        del self.orders[order.id]
        if self._branch_speedup < 1.0 and order.branch is not None:  # a branch knows its regulars
            self.regular_branch[order.customer] = order.branch
        order.release_tasks()
        if self.on_order_done is not None:
            self.on_order_done(order)

    # ---------------------------------------------------------------- staff

    def _set_state(self, chef: Chef, state: ChefState) -> None:
        """Change a chef's state, settling wages when the pay rate changes."""
        if state is ChefState.ON_LEAVE or not chef.branch.is_open:
            rate = 0.0
        elif state is ChefState.ON_CALL:
            rate = self.wage_at(chef.level) * self.staff.backup_retainer
        else:
            rate = self.wage_at(chef.level)
        if rate != chef.pay.rate:
            self._settle(chef.pay)
            chef.pay.rate = rate
        chef.state = state

    def _leave_start(self, ref: tuple[Chef, float]) -> None:
        chef, until = ref
        if chef.id not in self.chefs or until <= self.loop.now:
            return
        chef.absent_until = max(chef.absent_until, until)
        self.loop.at(until, _LEAVE_END, chef)
        if chef.state in (ChefState.COOKING, ChefState.PREPPING):
            self.metrics.record(
                self.now,
                "staff",
                f"{chef.name} will leave after this job",
                chef.branch.name,
                chef.name,
            )
            return
        self._go_on_leave(chef)

    def _go_on_leave(self, chef: Chef) -> None:
        branch = chef.branch
        before = self._members(branch)
        was_working = chef.state in WORKING
        self._interrupt(chef)
        self._set_state(chef, ChefState.ON_LEAVE)
        self.metrics.record(
            self.now,
            "staff",
            f"{chef.name} is on leave until {self.clock(chef.absent_until)}",
            branch.name,
            chef.name,
        )
        if was_working:
            self._call_backup(branch, chef)
        self._release_queue(chef)
        self._members_changed(branch, before)

    def _leave_end(self, chef: Chef) -> None:
        if chef.id not in self.chefs or chef.state is not ChefState.ON_LEAVE:
            return
        if chef.absent_until > self.loop.now:
            return
        branch = chef.branch
        before = self._members(branch)
        back = ChefState.ON_CALL if chef.backup else ChefState.IDLE
        if back is ChefState.IDLE and not branch.lit:
            back = ChefState.NO_POWER
        self._set_state(chef, back)
        self.metrics.record(self.now, "staff", f"{chef.name} is back", branch.name, chef.name)
        self._release_cover(chef)
        self._members_changed(branch, before)
        self._wake(branch)

    def _call_backup(self, branch: Branch, absent: Chef) -> None:
        for backup in branch.chefs:
            if backup.backup and backup.state is ChefState.ON_CALL:
                backup.covering = absent.id
                self._set_state(backup, ChefState.CALLED_IN)
                self.loop.at(self.now + self.staff.call_in_minutes, _BACKUP_ARRIVES, backup)
                self.metrics.record(
                    self.now,
                    "staff",
                    f"backup {backup.name} called in for {absent.name}, arriving "
                    f"{self.clock(self.now + self.staff.call_in_minutes)}",
                    branch.name,
                    backup.name,
                )
                return
        if not any(chef.on_duty for chef in branch.chefs):
            self.metrics.record(
                self.now, "staff", f"no chef left on duty at {branch.name}", branch.name
            )

    def _backup_arrives(self, chef: Chef) -> None:
        if chef.id not in self.chefs or chef.state is not ChefState.CALLED_IN:
            return
        branch = chef.branch
        before = self._members(branch)
        self._set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        self.metrics.record(
            self.now, "staff", f"backup {chef.name} arrived", branch.name, chef.name
        )
        self._members_changed(branch, before)
        self._wake(branch)

    def _release_cover(self, returning: Chef) -> None:
        for backup in returning.branch.chefs:
            if backup.covering == returning.id:
                backup.covering = None
                if backup.state in (ChefState.IDLE, ChefState.NO_POWER, ChefState.CALLED_IN):
                    self._set_state(backup, ChefState.ON_CALL)

    def _release_queue(self, chef: Chef) -> None:
        """Re-route the items waiting in a chef's own queue when the chef stops working."""
        branch = chef.branch
        waiting = list(chef.queue)
        chef.queue.clear()
        branch.waiting -= len(waiting)
        chefs = branch.on_duty()
        for task in waiting:
            self._enqueue(branch, task, chefs)
        self._wake(branch)

    def _rescue_orphans(self, branch: Branch) -> None:
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
        self._wake(branch)

    def _members(self, branch: Branch) -> list[str]:
        return [chef.id for chef in branch.chefs if chef.state in WORKING]

    def _members_changed(self, branch: Branch, before: list[str]) -> None:
        """Rescue orphaned lines and report the remap meter when the chefs on duty change."""
        after = self._members(branch)
        if before == after:
            return
        self._rescue_orphans(branch)
        if not before or not after:
            return
        moved = remapped_fraction(before, after, self.regulars.customers, self.regulars.ring_vnodes)
        router = self._routers[branch.name]
        actual = None
        if router.hashes_customers:
            actual = moved["ring" if branch.strategy == "ring" else "modulo"]
        remap = {
            "time": self.now, "branch": branch.name, "before": len(before), "after": len(after),
            "modulo": moved["modulo"], "ring": moved["ring"], "actual": actual,
        }  # fmt: skip
        self.remaps.append(remap)
        self.metrics.record(
            self.now,
            "remap",
            f"chefs {len(before)}→{len(after)}: modulo would remap {moved['modulo']:.0%} of "
            f"customers, a ring {moved['ring']:.0%}",
            branch.name,
        )

    # ---------------------------------------------------------------- power

    def _power(self, ref: tuple[Branch, bool]) -> None:
        branch, on = ref
        if branch.lit == on:
            return
        branch.lit = on
        if on:
            for chef in branch.chefs:
                if chef.state is ChefState.NO_POWER:
                    chef.state = ChefState.IDLE
            self.metrics.record(self.now, "power", f"power is back at {branch.name}", branch.name)
            self._wake(branch)
            return
        for chef in branch.chefs:
            if chef.state in (ChefState.IDLE, ChefState.COOKING, ChefState.PREPPING):
                self._interrupt(chef)
                chef.state = ChefState.NO_POWER
        self.metrics.record(self.now, "power", f"power cut at {branch.name}", branch.name)

    # ----------------------------------------------------------------- menu

    def publish_menu(self, item: str, price: float | None, cook_minutes: float | None) -> int:
        """Make a new menu version; each branch gets it after its own delay."""
        current = dict(self.menu_versions[-1])
        old_price, old_minutes = current[item]
        current[item] = (
            old_price if price is None else price,
            old_minutes if cook_minutes is None else cook_minutes,
        )
        self.menu_versions.append(current)
        self.menu_changes.append(frozenset({item}))
        version = len(self.menu_versions) - 1
        for branch in self.branches:
            self.loop.at(self.now + branch.menu_delay, _MENU_ARRIVES, (branch, version))
        self.metrics.record(self.now, "menu", f"menu v{version}: {item} changed")
        return version

    def _timeline_menu(self, event: MenuUpdate) -> None:
        self.publish_menu(event.item, event.price, event.cook_minutes)

    def _menu_arrives(self, ref: tuple[Branch, int]) -> None:
        branch, version = ref
        if version > branch.menu_version:
            branch.menu_version = version
            self.metrics.record(
                self.now, "menu", f"{branch.name} now cooks menu v{version}", branch.name
            )

    # ---------------------------------------------------------------- money

    def _settle(self, accrual: Accrual) -> None:
        now = self.loop.now
        if accrual.rate:
            self.ledger.post(accrual.cause, -accrual.rate * (now - accrual.since) / 60.0)
        accrual.since = now

    def _settle_all(self) -> None:
        for chef in self.chefs.values():
            self._settle(chef.pay)
        for branch in self.branches:
            self._settle(branch.rent)
            self._settle(branch.agent_pay)

    # ---------------------------------------------------------- housekeeping

    def _close_doors(self, _: object) -> None:
        self.doors_open = False
        self.metrics.record(self.now, "shift", f"doors close at {self.clock()}")

    def _tick(self, _: object) -> None:
        """Every sim minute: warnings; every few: a chart sample; every hour: wages and rent.

        After the doors close the shift ends when the last order is settled, or when nothing is
        left that could move the orders still waiting (they are lost as unserved).
        """
        minute = round(self.now)
        self._check_warnings()
        if minute % self._sample_every == 0:
            self._sample()
        if minute % 60 == 0 and minute:
            self._settle_all()
        following = self.now + TICK_MINUTES
        if self.doors_open:
            self.loop.at(following, _TICK)
        elif self.metrics.in_flight and (upcoming := self.loop.next_time()) is not None:
            # After closing, skip the quiet minutes to the next event rather than tick through
            # them: a long outage at night must not cost a tick per minute.
            self.loop.at(max(following, float(math.ceil(upcoming))), _TICK)
        else:
            self._finish()

    def _sample(self) -> None:
        metrics = self.metrics
        throughput, p95 = metrics.window_stats(self.now)
        busy = duty = 0
        for chef in self.chefs.values():
            if chef.state in WORKING:
                duty += 1
                busy += chef.state is ChefState.COOKING or chef.state is ChefState.PREPPING
        metrics.samples.append(
            Sample(
                self.now,
                sum(branch.waiting for branch in self.branches),
                metrics.in_flight,
                metrics.delivered,
                metrics.lost,
                throughput,
                p95,
                busy / duty if duty else 0.0,
                self.ledger.balance,
            )
        )

    def _check_warnings(self) -> None:
        now = self.now
        found: dict[tuple[str, str], str] = {}
        for branch in self.branches:
            if not branch.is_open:
                continue
            name = branch.name
            if not branch.lit:
                found["dark", name] = f"{name} is dark: its orders fail over or are lost"
                continue
            if self.doors_open and not self._staffed(branch):
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
            hour = self.scenario.open_hour + now / 60.0
            prepping = any(job.start <= hour < job.end for job in branch.prep)
            for job in branch.prep:
                if self.doors_open and not prepping and not branch.stock[job.component].fresh(now):
                    found["prep", name] = f"{name} has run out of prepped {job.component}"
            if self.delivery.enabled and not branch.agents:
                found["agents", name] = f"{name} has no delivery agents"
            elif len(branch.ready) >= max(3, 2 * len(branch.agents)):
                found["delivery", name] = f"{len(branch.ready)} orders wait for a driver at {name}"
        for key, text in found.items():
            if key not in self.warnings:
                self.metrics.record(now, "warning", text, key[1])
        self.warnings = found

    def _finish(self) -> None:
        if self.finished:
            return
        for order in sorted(self.orders.values(), key=lambda o: o.id):
            self._lose(order, LossCause.UNSERVED)
        self._settle_all()
        self._sample()
        self.loop.clear()
        self.finished = True
        self.metrics.record(self.now, "shift", f"last order settled at {self.clock()}")
