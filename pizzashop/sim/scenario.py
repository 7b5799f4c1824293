"""Scenario files: pydantic models for the TOML that describes a shift.

Every field a designer can write is here, with unknown keys rejected so a typo is an error and not
a silently ignored setting. Validation that spans fields (a chef's specialty must be a station, a
branch's area must exist) lives in model validators so it reports the exact field path.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pizzashop.sim.actions import ACTION_KINDS, MAX_MINUTES, MAX_MONEY, MAX_TASK_MINUTES
from pizzashop.sim.routing import BRANCH_STRATEGIES, KITCHEN_STRATEGIES

GENERALIST: Final = "generalist"
KITCHEN_STRATEGY_DEFAULT = "shared"
MAX_RATE = 100_000.0
"""Orders per hour in any one hour of the shift."""
MAX_ORDERS = 1_000_000
"""Expected orders in one shift, rushes included: about a minute of CPU for a headless run."""
MAX_WORK = 50_000_000
"""Steps of work in one shift (see `Scenario.work`): like MAX_ORDERS, about a minute of CPU."""
MAX_BRANCHES = 100
MAX_AREAS = 100
MAX_MENU = 100
"""Dishes on the menu, and components to prep."""
MAX_TIMELINE = 1000
MAX_LIST = 100
"""Prep jobs per branch, levels of staff, allowed actions: any other list a designer writes."""
MAX_HOURS = int(MAX_MINUTES // 60)
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$"
"""A scenario's name: it names leaderboards and files and is printed as is."""
_NAME = re.compile(NAME_PATTERN)


class Strict(BaseModel):
    """Unknown keys are errors, and so are NaN and infinities, which no setting can mean, and
    booleans or text where a number goes (strict: `true` is not 1, "5" is not 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


def _printable(text: str) -> str:
    """Text shown on a terminal: printable characters and line breaks, never an escape."""
    if not all(char.isprintable() or char == "\n" for char in text):
        raise ValueError("only printable characters and line breaks (no escapes or tabs)")
    return text


def _one_line(text: str) -> str:
    if not text.isprintable():
        raise ValueError("one line of printable characters (no escapes, tabs or line breaks)")
    return text


def _name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise ValueError("letters, digits and _ . - only (at most 40, not starting with . or -)")
    return text


Line = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_printable)]


PositiveMinutes = Annotated[float, Field(gt=0, le=MAX_MINUTES)]
Minutes = Annotated[float, Field(ge=0, le=MAX_MINUTES)]
JobMinutes = Annotated[float, Field(gt=0, le=MAX_TASK_MINUTES)]
DelayMinutes = Annotated[float, Field(ge=0, le=MAX_TASK_MINUTES)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY)]
Weight = Annotated[float, Field(ge=0, le=1e6)]
Spread = Annotated[float, Field(gt=0, le=10)]
Rate = Annotated[float, Field(ge=0, le=MAX_RATE)]


class Patience(Strict):
    """How long a customer waits for cooking to start before giving up."""

    mean_minutes: JobMinutes
    dist: Literal["exponential", "lognormal", "fixed"] = "exponential"
    cv: Spread = 0.5


class Demand(Strict):
    """Order arrivals: a Poisson process whose rate follows the hours of the shift."""

    rate_per_hour: Rate | Annotated[list[Rate], Field(min_length=1, max_length=MAX_HOURS)] = Field(
        description="orders per hour: one number, or one per hour of the shift (the last repeats; "
        f"at most {MAX_HOURS:,})"
    )
    areas: dict[str, Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default_factory=dict,
        max_length=MAX_AREAS,
        description="where customers live: area -> weight",
    )
    patience: Patience | None = None


class MenuOffer(Strict):
    """A menu update head office offers for a dish: a new price, a new recipe's cook time, or
    both. A player may push only what is offered (a price of 1e9 is not a recipe)."""

    price: Money | None = None
    cook_minutes: JobMinutes | None = None

    @model_validator(mode="after")
    def _changes(self) -> MenuOffer:
        if self.price is None and self.cook_minutes is None:
            raise ValueError("an offer changes price or cook_minutes")
        return self

    def describe(self) -> str:
        """The offer in words: "cooks in 7 min", "price 18", "price 18, cooks in 7 min"."""
        parts = []
        if self.price is not None:
            parts.append(f"price {self.price:g}")
        if self.cook_minutes is not None:
            parts.append(f"cooks in {self.cook_minutes:g} min")
        return ", ".join(parts)


class MenuItem(Strict):
    """A dish: data only, so a burger joins the menu without code."""

    price: Money
    cook_minutes: JobMinutes
    service: Literal["exponential", "lognormal", "fixed"] = "lognormal"
    cv: Spread = 0.3
    station: str | None = Field(None, description="specialty that cooks it (default: its name)")
    weight: Weight = Field(1.0, description="chance to be an order's main item")
    addon: float = Field(0.0, ge=0, le=1, description="chance to be added to any order")
    uses: str | None = Field(None, description="a prepped component that speeds it up")
    prep_saving: float = Field(0.0, ge=0, lt=1, description="share of cook time a component saves")
    offers: list[MenuOffer] = Field(
        default_factory=list, description="the menu updates a player may push for this dish"
    )


class Component(Strict):
    """Something chefs prepare ahead in off-peak hours (a pizza base)."""

    prep_minutes: float = Field(ge=0.1, le=MAX_TASK_MINUTES)
    shelf_life_minutes: float = Field(ge=1, le=MAX_MINUTES)
    cap: int = Field(ge=1, le=100_000)
    cost: Money = 0.0
    waste_cost: Money | None = Field(
        None, description="what throwing away a spoiled one costs (default: its cost)"
    )

    @property
    def spoil_cost(self) -> float:
        return self.cost if self.waste_cost is None else self.waste_cost


class ChefSpec(Strict):
    name: str = Field(min_length=1, max_length=24)
    specialty: str = GENERALIST
    level: int = Field(1, ge=1)
    backup: bool = False
    off: bool = Field(
        False, description="on a day off: away and unpaid, but may be put on call as a backup"
    )

    @model_validator(mode="after")
    def _one_state(self) -> ChefSpec:
        if self.backup and self.off:
            raise ValueError("a chef starts on call (backup) or off, not both")
        return self


class PrepJob(Strict):
    """Cron-like: between clock hours `start` and `end`, idle chefs prep up to `target`."""

    start: float = Field(ge=0, le=48)
    end: float = Field(ge=0, le=48)
    component: str
    target: int = Field(ge=1)

    @model_validator(mode="after")
    def _order(self) -> PrepJob:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class BranchSpec(Strict):
    name: str = Field(min_length=1, max_length=24)
    area: str
    open: bool = True
    rent_per_hour: Money = 0.0
    open_cost: Money = 0.0
    queue_capacity: int | None = Field(None, ge=0, description="items waiting; none = no limit")
    agents: int = Field(0, ge=0, le=1000)
    max_chefs: int = Field(12, ge=1, le=1000)
    menu_delay_minutes: DelayMinutes = Field(0.0, description="how long a menu update takes here")
    chefs: list[ChefSpec] = Field(default_factory=list)
    prep: list[PrepJob] = Field(default_factory=list, max_length=MAX_LIST)


class StaffRules(Strict):
    """Vertical scaling: speed and wage by level; the last level is the hardware limit."""

    speed_by_level: list[Annotated[float, Field(ge=0.1, le=10)]] = Field(
        default_factory=lambda: [1.0, 1.5, 1.8, 1.95, 2.0], min_length=1, max_length=MAX_LIST
    )
    wage_by_level: list[Money] = Field(
        default_factory=lambda: [15.0, 24.0, 38.0, 60.0, 95.0], min_length=1, max_length=MAX_LIST
    )
    upgrade_cost_by_level: list[Money] = Field(
        default_factory=lambda: [150.0, 300.0, 600.0, 1200.0],
        max_length=MAX_LIST,
        description="cost to go from level i+1 to i+2",
    )
    hire_cost: Money = 100.0
    hire_minutes: DelayMinutes = Field(
        0.0, description="how long a chef hired during the shift takes to arrive"
    )
    generalist_factor: float = Field(
        1.25, gt=0, le=10, description="generalist cook time multiplier"
    )
    off_specialty_factor: float = Field(
        1.8, gt=0, le=10, description="specialist cooking another dish"
    )
    call_in_minutes: DelayMinutes = Field(30.0, description="a backup chef's time to arrive")
    backup_retainer: float = Field(0.25, ge=0, le=1, description="share of wage paid on call")

    @model_validator(mode="after")
    def _levels(self) -> StaffRules:
        levels = len(self.speed_by_level)
        if len(self.wage_by_level) != levels:
            raise ValueError("wage_by_level needs one value per level in speed_by_level")
        if len(self.upgrade_cost_by_level) < levels - 1:
            raise ValueError("upgrade_cost_by_level needs one value per level above the first")
        return self


class Delivery(Strict):
    """Decoupled delivery: a pool of agents per branch carries any ready order."""

    enabled: bool = True
    handoff_minutes: DelayMinutes = 2.0
    agent_wage: Money = 12.0
    agent_hire_cost: Money = 50.0
    max_travel_minutes: float | None = Field(
        None, gt=0, le=MAX_TASK_MINUTES, description="farther areas: no route"
    )


class Routing(Strict):
    branch: str = "nearest"
    failover: bool = True
    kitchen: str = KITCHEN_STRATEGY_DEFAULT


class Regulars(Strict):
    """Customers whose usual order a chef or branch already knows."""

    customers: int = Field(1000, ge=1, le=100_000, description="size of the customer population")
    chef_speedup: float = Field(1.0, gt=0, le=1, description="cook time factor, same chef")
    branch_speedup: float = Field(1.0, gt=0, le=1, description="cook time factor, same branch")
    ring_vnodes: int = Field(64, ge=1, le=1024)


class Rush(Strict):
    kind: Literal["rush"]
    at: Minutes
    duration: PositiveMinutes
    factor: float = Field(gt=0, le=100)


class Leave(Strict):
    kind: Literal["leave"]
    at: Minutes
    duration: PositiveMinutes
    chef: str


class Outage(Strict):
    kind: Literal["outage"]
    at: Minutes
    duration: PositiveMinutes
    branch: str | None = None
    area: str | None = None

    @model_validator(mode="after")
    def _target(self) -> Outage:
        if (self.branch is None) == (self.area is None):
            raise ValueError("an outage names exactly one of branch or area")
        return self


class MenuUpdate(Strict):
    kind: Literal["menu_update"]
    at: Minutes
    item: str
    price: Money | None = None
    cook_minutes: JobMinutes | None = None


TimelineEvent = Annotated[Rush | Leave | Outage | MenuUpdate, Field(discriminator="kind")]


class RandomDisruptions(Strict):
    """Disruptions drawn from their own streams: same seed, same outage at the same second."""

    leave_probability: float = Field(0.0, ge=0, le=1, description="per chef, a whole-day absence")
    outages: int = Field(0, ge=0, le=1000, description="random branch outages in the shift")
    outage_minutes: PositiveMinutes = 30.0


class Goal(Strict):
    """A target on one report metric, e.g. goodput >= 0.9, and any further targets it needs."""

    metric: str
    min: float | None = None
    max: float | None = None
    text: Line = Field("", max_length=200)
    also: list[Goal] = Field(
        default_factory=list, description="targets that must hold too, e.g. a wage budget"
    )

    @model_validator(mode="after")
    def _bound(self) -> Goal:
        if self.min is None and self.max is None:
            raise ValueError("a goal needs min or max")
        return self


class Goals(Strict):
    main: Goal
    bonus: Goal | None = None
    speed: Goal | None = None


_MOVE_SETTINGS: Final = {
    "strategy": ("route_kitchen", "route_branches"),
    "failover": ("route_branches",),
    "specialty": ("hire", "set_specialty"),
    "backup": ("mark_backup",),
}


class ConceptMove(Strict):
    """An action that puts a level's concept to work: its kind and, optionally, the settings that
    make it so (only a `ring` route teaches consistent hashing; any `push_menu` teaches
    consistency). A setting left out matches every value."""

    kind: str = Field(description="an action kind")
    strategy: list[str] | None = Field(None, description="route_kitchen / route_branches only")
    failover: bool | None = Field(None, description="route_branches only")
    specialty: list[str] | None = Field(None, description="hire / set_specialty only")
    backup: bool | None = Field(None, description="mark_backup only")

    def matches(self, action: object) -> bool:
        """Whether `action` (any action model) is this move."""
        if getattr(action, "kind", None) != self.kind:
            return False
        for setting in _MOVE_SETTINGS:
            wanted, value = getattr(self, setting), getattr(action, setting, None)
            if wanted is not None and not (
                value in wanted if isinstance(wanted, list) else value == wanted
            ):
                return False
        return True


METERS: Final = (
    "capacity", "ladder", "prep", "backup", "teams", "chefs", "regulars", "branches", "menus",
    "delivery",
)  # fmt: skip
"""The concept meters a level may show (`pizzashop.sim.meters`)."""


class Lesson(Strict):
    """What counts as using a level's concept, for `pizzashop levels check` (docs/levels.md),
    and how the game shows what it bought.

    `moves`: a strategy that makes any of these uses the concept. `avoid`: the concept is holding
    back, so a strategy that makes any of these ignores it (opening day: train nobody until the
    numbers ask). Neither: no one or two moves are the concept (the grand opening needs them all).
    `meter`: the concept meter shown on the board and in the debrief. `naive`: the level's naive
    way (its naive proof) in a few words, for the debrief's comparison.
    """

    moves: list[ConceptMove] = Field(default_factory=list)
    avoid: list[ConceptMove] = Field(default_factory=list)
    meter: str | None = Field(None, description=f"one of {', '.join(METERS)}")
    naive: str = Field("", max_length=18, description="the naive proof in a few words")

    @model_validator(mode="after")
    def _one_way(self) -> Lesson:
        if self.moves and self.avoid:
            raise ValueError("a lesson lists moves or moves to avoid, not both")
        _check(
            self.meter is None or self.meter in METERS,
            f"meter: unknown meter {self.meter!r} (choose from {', '.join(METERS)})",
        )
        return self


class Scenario(Strict):
    """One shift: what happens, what the player starts with and may do, and what counts as a win.

    A shift must be simulable in about a minute: at most 1,000,000 expected orders and at most
    50,000,000 steps of work, counted as shift minutes × (branches + their max_chefs) plus
    expected orders × (branches + dishes per order × (1 + the largest max_chefs)).
    """

    name: Annotated[str, AfterValidator(_name)] = Field(
        min_length=1,
        description="letters, digits and _ . - (at most 40; it names the leaderboard)",
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    title: Line = Field("", max_length=60, description="one printable line")
    description: Text = Field("", max_length=1000)
    concept: Line = Field("", max_length=40)
    briefing: Text = Field(
        "", max_length=4000, description="shown before a level: what happens, which concept"
    )
    debrief: Text = Field(
        "",
        max_length=4000,
        description="shown after: names the concept; {goodput:.0%}-style report fields",
    )
    seed: int = Field(1, ge=0, lt=2**63)
    open_hour: float = Field(11.0, ge=0, lt=24)
    shift_hours: float = Field(gt=0, le=MAX_HOURS, description=f"at most {MAX_HOURS:,}")
    on_time_minutes: PositiveMinutes = 45.0
    money: float = Field(1000.0, ge=-MAX_MONEY, le=MAX_MONEY)
    sample_minutes: PositiveMinutes = 5.0
    demand: Demand
    menu: dict[str, MenuItem] = Field(
        min_length=1, max_length=MAX_MENU, description=f"dishes (at most {MAX_MENU})"
    )
    components: dict[str, Component] = Field(
        default_factory=dict, max_length=MAX_MENU, description=f"at most {MAX_MENU}"
    )
    areas: list[str] = Field(
        default_factory=lambda: ["centre"],
        min_length=1,
        max_length=MAX_AREAS,
        description=f"at most {MAX_AREAS}",
    )
    travel: dict[str, dict[str, DelayMinutes]] = Field(default_factory=dict)
    branches: list[BranchSpec] = Field(
        min_length=1, max_length=MAX_BRANCHES, description=f"at most {MAX_BRANCHES}"
    )
    staff: StaffRules = Field(default_factory=StaffRules)
    delivery: Delivery = Field(default_factory=Delivery)
    routing: Routing = Field(default_factory=Routing)
    regulars: Regulars = Field(default_factory=Regulars)
    timeline: list[TimelineEvent] = Field(
        default_factory=list, max_length=MAX_TIMELINE, description=f"at most {MAX_TIMELINE}"
    )
    disruptions: RandomDisruptions = Field(default_factory=RandomDisruptions)
    allowed_actions: list[str] | None = Field(
        None, max_length=MAX_LIST, description="action kinds; none = all"
    )
    goals: Goals | None = None
    lesson: Lesson | None = Field(
        None, description="which actions use the concept; checked by `pizzashop levels check`"
    )

    @property
    def stations(self) -> set[str]:
        return {item.station or name for name, item in self.menu.items()}

    def travel_minutes(self, a: str, b: str) -> float:
        """Travel time between areas; the matrix may give either direction, same area is 0."""
        if a == b:
            return self.travel.get(a, {}).get(b, 0.0)
        row = self.travel.get(a, {})
        if b in row:
            return row[b]
        return self.travel.get(b, {}).get(a, 0.0)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        areas = set(self.areas)
        stations = self.stations | {GENERALIST}
        for key in self.demand.areas:
            _check(key in areas, f"demand.areas.{key}: unknown area (areas are {sorted(areas)})")
        for src, row in self.travel.items():
            _check(src in areas, f"travel.{src}: unknown area")
            for dst in row:
                _check(dst in areas, f"travel.{src}.{dst}: unknown area")
        for name, item in self.menu.items():
            if item.uses is not None:
                _check(item.uses in self.components, f"menu.{name}.uses: unknown component")
        _check(
            any(item.weight > 0 for item in self.menu.values()),
            "menu: at least one item needs weight > 0",
        )
        names: set[str] = set()
        chef_names: set[str] = set()
        levels = len(self.staff.speed_by_level)
        for i, branch in enumerate(self.branches):
            where = f"branches.{i}"
            _check(branch.name not in names, f"{where}.name: duplicate branch {branch.name!r}")
            names.add(branch.name)
            _check(branch.area in areas, f"{where}.area: unknown area {branch.area!r}")
            _check(len(branch.chefs) <= branch.max_chefs, f"{where}.chefs: more than max_chefs")
            for j, chef in enumerate(branch.chefs):
                _check(
                    chef.specialty in stations,
                    f"{where}.chefs.{j}.specialty: unknown {chef.specialty!r} "
                    f"(choose from {sorted(stations)})",
                )
                _check(chef.level <= levels, f"{where}.chefs.{j}.level: above the max {levels}")
                _check(chef.name not in chef_names, f"{where}.chefs.{j}.name: duplicate chef")
                chef_names.add(chef.name)
            for j, job in enumerate(branch.prep):
                _check(
                    job.component in self.components,
                    f"{where}.prep.{j}.component: unknown component {job.component!r}",
                )
        for i, event in enumerate(self.timeline):
            where = f"timeline.{i}"
            if isinstance(event, Leave):
                _check(event.chef in chef_names, f"{where}.chef: unknown chef {event.chef!r}")
            elif isinstance(event, Outage):
                if event.branch is not None:
                    _check(event.branch in names, f"{where}.branch: unknown {event.branch!r}")
                if event.area is not None:
                    _check(event.area in areas, f"{where}.area: unknown area {event.area!r}")
            elif isinstance(event, MenuUpdate):
                _check(event.item in self.menu, f"{where}.item: unknown item {event.item!r}")
        _check(
            self.routing.kitchen in KITCHEN_STRATEGIES,
            f"routing.kitchen: unknown strategy {self.routing.kitchen!r} "
            f"(choose from {', '.join(KITCHEN_STRATEGIES)})",
        )
        _check(
            self.routing.branch in BRANCH_STRATEGIES,
            f"routing.branch: unknown strategy {self.routing.branch!r} "
            f"(choose from {', '.join(BRANCH_STRATEGIES)})",
        )
        for kind in self.allowed_actions or []:
            _check(kind in ACTION_KINDS, f"allowed_actions: unknown action {kind!r}")
        return self

    @model_validator(mode="after")
    def _workload(self) -> Scenario:
        """Reject a shift too busy to simulate in reasonable time (rushes multiply the rate), or
        too much work for its orders: many chefs, branches or add-ons over a long shift."""
        orders = self.expected_orders()
        _check(
            orders <= MAX_ORDERS,
            f"demand.rate_per_hour: about {orders:,.0f} orders expected in the shift; "
            f"at most {MAX_ORDERS:,} can be simulated",
        )
        work = self.work(orders)
        _check(
            work <= MAX_WORK,
            f"(whole shift): about {work:,.0f} steps of work (shift minutes × branches and "
            f"chefs, orders × dishes × chefs); at most {MAX_WORK:,} can be simulated",
        )
        return self

    def expected_orders(self) -> float:
        """Orders the shift's demand brings, on average, rushes included."""
        return sum((stop - start) * rate for start, stop, rate in rate_segments(self))

    def work(self, orders: float) -> float:
        """An upper bound on the engine's steps: every minute looks at each branch and each chef
        it may have (`max_chefs`); every order looks at the branches, and each of its dishes at
        the chefs of the biggest kitchen. Add-ons multiply the dishes per order."""
        staff = sum(branch.max_chefs for branch in self.branches)
        kitchen = max(branch.max_chefs for branch in self.branches)
        dishes = 1.0 + sum(item.addon for item in self.menu.values())
        minutes = self.shift_hours * 60.0
        branches = len(self.branches)
        return minutes * (branches + staff) + orders * (branches + dishes * (1 + kitchen))

    @model_validator(mode="after")
    def _lesson(self) -> Scenario:
        """A concept move must be an action the level allows, with settings that exist."""
        lesson = self.lesson
        for group, moves in (("moves", lesson.moves), ("avoid", lesson.avoid)) if lesson else ():
            for i, move in enumerate(moves):
                where = f"lesson.{group}.{i}"
                allowed = self.allowed_actions
                _check(
                    move.kind in ACTION_KINDS and (allowed is None or move.kind in allowed),
                    f"{where}.kind: {move.kind!r} is not an action this scenario allows",
                )
                for setting, kinds in _MOVE_SETTINGS.items():
                    if getattr(move, setting) is not None:
                        _check(
                            move.kind in kinds, f"{where}.{setting}: not a setting of {move.kind}"
                        )
                choices = set(KITCHEN_STRATEGIES if move.kind == "route_kitchen" else ())
                choices |= set(BRANCH_STRATEGIES if move.kind == "route_branches" else ())
                for value in move.strategy or ():
                    _check(value in choices, f"{where}.strategy: unknown strategy {value!r}")
                for value in move.specialty or ():
                    _check(
                        value in self.stations | {GENERALIST},
                        f"{where}.specialty: unknown specialty {value!r}",
                    )
        return self


def rate_segments(scenario: Scenario) -> list[tuple[float, float, float]]:
    """Piecewise-constant arrival rate over the shift: (start, end, orders per minute)."""
    end = scenario.shift_hours * 60.0
    hourly = scenario.demand.rate_per_hour
    rates = hourly if isinstance(hourly, list) else [float(hourly)]
    rushes = [event for event in scenario.timeline if isinstance(event, Rush)]
    edges = {0.0, end}
    edges.update(float(h * 60) for h in range(1, math.ceil(scenario.shift_hours)))
    for rush in rushes:
        edges.update((rush.at, rush.at + rush.duration))
    cuts = sorted(edge for edge in edges if 0.0 <= edge <= end)
    segments = []
    for start, stop in pairwise(cuts):
        rate = rates[min(int(start // 60), len(rates) - 1)] / 60.0
        for rush in rushes:
            if rush.at <= start < rush.at + rush.duration:
                rate *= rush.factor
        segments.append((start, stop, rate))
    return segments


def _check(condition: bool, message: str) -> None:
    """Raise a validation error whose field path is the part of `message` before ': '."""
    if not condition:
        field, _, problem = message.partition(": ")
        raise PydanticCustomError("reference", "{problem}", {"field": field, "problem": problem})
