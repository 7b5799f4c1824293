"""The shop's people and places: chefs, drivers (`Agent`), prep stock and branches, and `Shop`, the
state every stage of an order's path shares.

These hold state only; the stages (`frontdoor`, `kitchen`, `roster`, `drivers`, `timeline`,
`books`) move them. Read-only views for the UI are the attributes themselves — the UI must not
assign to them (a test checks).
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pizzashop.sim.clock import EventLoop
    from pizzashop.sim.ledger import Ledger
    from pizzashop.sim.metrics import Metrics
    from pizzashop.sim.orders import Order, Task
    from pizzashop.sim.scenario import BranchSpec, Component, PrepJob, Scenario


class ChefState(StrEnum):
    IDLE = "idle"
    COOKING = "cooking"
    PREPPING = "prepping"
    ON_LEAVE = "on leave"
    NO_POWER = "no power"
    ON_CALL = "on call"
    CALLED_IN = "on the way"
    OFF = "day off"


WORKING: Final = frozenset(
    {ChefState.IDLE, ChefState.COOKING, ChefState.PREPPING, ChefState.NO_POWER}
)


class Accrual:
    """A running cost (wage, rent) that the ledger settles whenever its rate changes."""

    __slots__ = ("cause", "rate", "since")

    def __init__(self, cause: str, rate: float, since: float) -> None:
        self.cause = cause
        self.rate = rate
        self.since = since


class Chef:
    __slots__ = (
        "absent_until",
        "backup",
        "branch",
        "busy_minutes",
        "cooked",
        "covering",
        "done_at",
        "duty_minutes",
        "duty_since",
        "id",
        "level",
        "name",
        "pay",
        "prep_component",
        "queue",
        "specialty",
        "speed",
        "started_at",
        "state",
        "task",
        "token",
    )

    def __init__(
        self, chef_id: str, name: str, branch: Branch, specialty: str, level: int, speed: float
    ) -> None:
        self.id = chef_id
        self.name = name
        self.branch = branch
        self.specialty = specialty
        self.level = level
        self.speed = speed
        self.backup = False
        self.state = ChefState.IDLE
        self.task: Task | None = None
        self.prep_component: str | None = None
        self.started_at = 0.0
        self.done_at = 0.0
        self.token = 0
        self.busy_minutes = 0.0
        self.cooked = 0
        self.duty_minutes = 0.0
        self.duty_since = -1.0  # on duty since (utilisation, meters); -1 while off duty
        self.absent_until = -1.0
        self.covering: str | None = None
        self.queue: deque[Task] = deque()
        self.pay = Accrual("wages", 0.0, 0.0)

    @property
    def load(self) -> int:
        """Items waiting in this chef's own queue plus the one being cooked."""
        return len(self.queue) + (self.state is ChefState.COOKING)

    @property
    def on_duty(self) -> bool:
        return self.state in WORKING

    @property
    def free(self) -> bool:
        return self.state is ChefState.IDLE

    def minutes_on_duty(self, now: float) -> float:
        """Minutes this chef has worked (on duty, cooking or not) so far."""
        running = now - self.duty_since if self.duty_since >= 0 else 0.0
        return self.duty_minutes + running

    def progress(self, now: float) -> float:
        """Share of the current job done, 0…1 (for progress bars)."""
        span = self.done_at - self.started_at
        if self.state not in (ChefState.COOKING, ChefState.PREPPING) or span <= 0:
            return 0.0
        return min(1.0, max(0.0, (now - self.started_at) / span))


class AgentState(StrEnum):
    IDLE = "idle"
    OUT = "out"
    RETURNING = "returning"


class Agent:
    __slots__ = ("back_at", "id", "order", "state")

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.state = AgentState.IDLE
        self.order: Order | None = None
        self.back_at = 0.0


class Stock:
    """Prepped components: first in, first out, each with the time it was made; and how many
    were made, wanted by a dish, taken, and spoiled (on the shelf too long, or left at closing)."""

    __slots__ = ("cap", "made", "prepped", "shelf_life", "spoiled", "used", "wanted")

    def __init__(self, component: Component) -> None:
        self.cap = component.cap
        self.shelf_life = component.shelf_life_minutes
        self.made: deque[float] = deque()
        self.spoiled = 0
        self.prepped = 0
        self.wanted = 0
        self.used = 0

    def discard_expired(self, now: float) -> int:
        made, expired = self.made, 0
        while made and now - made[0] >= self.shelf_life:
            made.popleft()
            expired += 1
        self.spoiled += expired
        return expired

    def fresh(self, now: float) -> int:
        self.discard_expired(now)
        return len(self.made)

    def take(self, now: float) -> bool:
        self.wanted += 1
        self.discard_expired(now)
        if self.made:
            self.made.popleft()
            self.used += 1
            return True
        return False


class Branch:
    __slots__ = (
        "agent_pay",
        "agents",
        "area",
        "capacity",
        "chefs",
        "delivered",
        "door_minutes",
        "failed_over",
        "index",
        "is_open",
        "lit",
        "losses",
        "max_chefs",
        "menu_delay",
        "menu_version",
        "name",
        "no_chef_minutes",
        "no_chef_since",
        "on_time",
        "prep",
        "pull",
        "ready",
        "regular_chef",
        "rent",
        "spec",
        "stock",
        "strategy",
        "waiting",
    )

    def __init__(self, spec: BranchSpec, index: int, components: dict[str, Component]) -> None:
        self.spec = spec
        self.index = index
        self.name = spec.name
        self.area = spec.area
        self.is_open = spec.open
        self.lit = True
        self.capacity = spec.queue_capacity
        self.max_chefs = spec.max_chefs
        self.menu_delay = spec.menu_delay_minutes
        self.menu_version = 0
        self.chefs: list[Chef] = []
        self.agents: list[Agent] = []
        self.pull: dict[str, deque[Task]] = {}
        self.ready: deque[Order] = deque()
        self.waiting = 0
        self.stock = {name: Stock(component) for name, component in components.items()}
        self.prep: list[PrepJob] = list(spec.prep)
        self.regular_chef: dict[int, str] = {}
        self.rent = Accrual("rent", 0.0, 0.0)
        self.agent_pay = Accrual("wages", 0.0, 0.0)
        self.strategy = ""
        # How the branch's orders ended, for the branch figures (`meters.py`).
        self.delivered = 0
        self.on_time = 0
        self.door_minutes = 0.0
        self.losses: dict[str, int] = {}
        self.failed_over = 0
        self.no_chef_minutes = 0.0
        self.no_chef_since = -1.0  # nobody on duty since then; -1 while someone is

    @property
    def serving(self) -> bool:
        """Open and powered: it can take new orders."""
        return self.is_open and self.lit

    def on_duty(self) -> list[Chef]:
        return [chef for chef in self.chefs if chef.state in WORKING]

    def staffed(self) -> bool:
        """A chef is on duty, or a backup is on the way: orders are worth taking."""
        for chef in self.chefs:
            if chef.state in WORKING or chef.state is ChefState.CALLED_IN:
                return True
        return False

    def queued_tasks(self) -> list[Task]:
        """Every item waiting in this branch, oldest order first."""
        tasks = [task for queue in self.pull.values() for task in queue]
        tasks.extend(task for chef in self.chefs for task in chef.queue)
        tasks.sort(key=lambda task: task.order_id)  # ids follow arrival
        return tasks

    def free_agents(self) -> int:
        return sum(agent.state is AgentState.IDLE for agent in self.agents)


def wall_clock(minutes: float, open_hour: float) -> str:
    """The shop's wall-clock time `minutes` after the doors opened, e.g. '12:35'."""
    total = int(minutes + open_hour * 60)
    return f"{(total // 60) % 24:02d}:{total % 60:02d}"


class Shop:
    """What every stage of an order's path shares: the scenario, the event loop (the clock), the
    branches and the chefs on the payroll, the metrics and the ledger, and whether the doors are
    open. The `Simulation` makes it and closes the doors; the stages read it and move its parts.
    """

    __slots__ = (
        "branch_by_name", "branches", "chefs", "doors_open", "ledger", "loop", "metrics",
        "open_hour", "scenario",
    )  # fmt: skip

    def __init__(
        self, scenario: Scenario, loop: EventLoop, metrics: Metrics, ledger: Ledger
    ) -> None:
        self.scenario = scenario
        self.loop = loop
        self.metrics = metrics
        self.ledger = ledger
        self.open_hour = scenario.open_hour
        self.doors_open = True
        self.chefs: dict[str, Chef] = {}
        self.branches = [
            Branch(spec, index, scenario.components) for index, spec in enumerate(scenario.branches)
        ]
        self.branch_by_name = {branch.name: branch for branch in self.branches}

    def clock(self, minutes: float) -> str:
        return wall_clock(minutes, self.open_hour)

    def hour(self) -> float:
        """The clock hour now, as a float (prep windows are set in clock hours)."""
        return self.open_hour + self.loop.now / 60.0
