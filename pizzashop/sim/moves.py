"""The moves a player could make on a level, generated from its file for the level check.

A move is one decision at one moment, made of a few actions of one kind ("hire two pizza chefs
at 12:00"). `moves(scenario)` lists them for every action kind the level allows; nothing is
picked by hand, so a new level or a new lever is searched without a line of code here.

- times: the opening, one, two and three hours in, and the first two moments the timeline changes
  something (a chef leaves, a branch goes dark, a rush starts, a menu changes), inside the shift;
- hire: 1, 2 or 3 chefs (as many as the kitchen has room for) of each specialty, at each open
  branch, at each time; one chef of each specialty hired and kept on call is a mark_backup move;
- upgrade: the first chef, or every chef, of each kind (branch, specialty, level) the shop starts
  with, to the next level and to the top level, at each time;
- route_kitchen: every kitchen strategy but the one in use; route_branches: every branch strategy
  with failover on and off but the one in use; both at the opening;
- set_prep: at each branch, idle chefs prep each component from the opening for 1, 2 or 3 hours
  or all day, up to 10, 20 or the stock's cap, set at the opening;
- hire_agents: 1, 2, 4 or 8 drivers at each open branch, at each time;
- open_branch: each closed branch with 1, 2 or 3 chefs of the menu's main station and 3 drivers,
  at each time; close_branch: each open branch, at each time;
- set_specialty: the first chef, half of them or all, among those the shop starts with in another
  specialty, turned to each specialty, at the opening;
- mark_backup and fire: each chef the shop starts with, at the opening and at those first
  timeline moments;
- push_menu: each update the menu offers (`offers` of a dish), at each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pizzashop.sim import actions as a
from pizzashop.sim.routing import BRANCH_STRATEGIES, KITCHEN_STRATEGIES
from pizzashop.sim.scenario import GENERALIST, BranchSpec, ChefSpec, Lesson, Scenario

HOURS_IN = (0, 1, 2, 3)
EVENT_TIMES = 2
MOST_HIRES = 3
PREP_HOURS = (1, 2, 3)
PREP_TARGETS = (10, 20)
DRIVERS = (1, 2, 4, 8)
OPENING_DRIVERS = 3


@dataclass(frozen=True)
class Move:
    """One decision: its kind (moves of different kinds pair up), its actions and a label."""

    kind: str
    actions: tuple[a.Action, ...]
    label: str


def times(scenario: Scenario) -> list[float]:
    """When moves are made: see the module docstring."""
    end = scenario.shift_hours * 60.0
    return sorted({60.0 * h for h in HOURS_IN if 60.0 * h < end} | set(_events(scenario)))


def _events(scenario: Scenario) -> list[float]:
    """The first moments the timeline changes something, inside the shift."""
    end = scenario.shift_hours * 60.0
    return sorted({e.at for e in scenario.timeline if 0 < e.at < end})[:EVENT_TIMES]


def _reactions(scenario: Scenario) -> list[float]:
    """The opening and the first timeline events: when a chef is put on call or let go."""
    return [0.0, *_events(scenario)]


def uses_concept(lesson: Lesson, actions: tuple[a.Action, ...] | list[a.Action]) -> bool:
    """Whether a strategy applies the level's concept (`Lesson` says how to tell)."""
    if lesson.avoid:
        return not any(move.matches(action) for move in lesson.avoid for action in actions)
    return any(move.matches(action) for move in lesson.moves for action in actions)


def moves(scenario: Scenario) -> list[Move]:
    """Every move the level allows, in a fixed order (the same list on every run)."""
    allowed = set(scenario.allowed_actions or a.ACTION_KINDS)
    found: list[Move] = []
    for kind, make in _MAKERS.items():
        if kind in allowed:
            found += make(scenario, times(scenario))
    if "hire" in allowed and "mark_backup" in allowed:
        found += list(_standby(scenario, times(scenario)))
    return found


def _clock(scenario: Scenario, at: float) -> str:
    total = round(scenario.open_hour * 60 + at)
    return f"{total // 60:02d}:{total % 60:02d}"


def _open(scenario: Scenario) -> list[BranchSpec]:
    return [branch for branch in scenario.branches if branch.open]


def _where(scenario: Scenario, branch: BranchSpec) -> str:
    """A label suffix naming the branch, when there is more than one."""
    return f" at {branch.name}" if len(scenario.branches) > 1 else ""


def _specialties(scenario: Scenario) -> list[str]:
    return [*sorted(scenario.stations), GENERALIST]


def _main_station(scenario: Scenario) -> str:
    name, item = max(scenario.menu.items(), key=lambda pair: pair[1].weight)
    return item.station or name


def _chefs(scenario: Scenario) -> Iterator[tuple[BranchSpec, ChefSpec]]:
    for branch in _open(scenario):
        for chef in branch.chefs:
            yield branch, chef


def _hires(
    branch: BranchSpec, specialty: str, count: int, at: float, tag: str
) -> tuple[a.Action, ...]:
    return tuple(
        a.Hire(at=at, branch=branch.name, specialty=specialty, name=f"{tag}{i + 1}")
        for i in range(count)
    )


def _hire(scenario: Scenario, when: list[float]) -> list[Move]:
    found = []
    for branch in _open(scenario):
        room = min(MOST_HIRES, branch.max_chefs - len(branch.chefs))
        for specialty in _specialties(scenario):
            for count in range(1, room + 1):
                for at in when:
                    where = _where(scenario, branch)
                    label = f"hire {count} {specialty}{where} at {_clock(scenario, at)}"
                    actions = _hires(branch, specialty, count, at, "Hire ")
                    found.append(Move("hire", actions, label))
    return found


def _standby(scenario: Scenario, when: list[float]) -> Iterator[Move]:
    for branch in _open(scenario):
        if len(branch.chefs) >= branch.max_chefs:
            continue
        for specialty in _specialties(scenario):
            for at in when:
                hire = a.Hire(at=at, branch=branch.name, specialty=specialty, name="Standby")
                label = (
                    f"hire a {specialty} backup{_where(scenario, branch)} at {_clock(scenario, at)}"
                )
                yield Move("mark_backup", (hire, a.MarkBackup(at=at, chef="Standby")), label)


def _kinds(scenario: Scenario) -> list[list[ChefSpec]]:
    """The starting chefs grouped by branch, specialty and level, in roster order."""
    groups: dict[tuple[str, str, int], list[ChefSpec]] = {}
    for branch, chef in _chefs(scenario):
        groups.setdefault((branch.name, chef.specialty, chef.level), []).append(chef)
    return list(groups.values())


def _upgrade(scenario: Scenario, when: list[float]) -> list[Move]:
    top = len(scenario.staff.speed_by_level)
    found = []
    for group in _kinds(scenario):
        picks = [group[:1], group] if len(group) > 1 else [group]
        for chefs in picks:
            who = _names(chefs)
            for level in sorted({chefs[0].level + 1, top}) if chefs[0].level < top else ():
                steps = level - chefs[0].level
                for at in when:
                    actions = tuple(
                        a.Upgrade(at=at, chef=chef.name) for chef in chefs for _ in range(steps)
                    )
                    label = f"train {who} to level {level} at {_clock(scenario, at)}"
                    found.append(Move("upgrade", actions, label))
    return found


def _names(chefs: list[ChefSpec]) -> str:
    """Who a move trains: "Mario", "Mario and Sofia", or "all 7 pizza chefs at level 1"."""
    if len(chefs) <= 2:
        return " and ".join(chef.name for chef in chefs)
    return f"all {len(chefs)} {chefs[0].specialty} chefs at level {chefs[0].level}"


def _route_kitchen(scenario: Scenario, when: list[float]) -> list[Move]:
    return [
        Move("route_kitchen", (a.RouteKitchen(strategy=name),), f"route the kitchen by {name}")
        for name in KITCHEN_STRATEGIES
        if name != scenario.routing.kitchen
    ]


def _route_branches(scenario: Scenario, when: list[float]) -> list[Move]:
    current = (scenario.routing.branch, scenario.routing.failover)
    return [
        Move(
            "route_branches",
            (a.RouteBranches(strategy=name, failover=failover),),
            f"route orders to the {name} branch, failover {'on' if failover else 'off'}",
        )
        for name in BRANCH_STRATEGIES
        for failover in (True, False)
        if (name, failover) != current
    ]


def _set_prep(scenario: Scenario, when: list[float]) -> list[Move]:
    found = []
    end = scenario.open_hour + scenario.shift_hours
    for branch in _open(scenario):
        for component, spec in scenario.components.items():
            for hours in (*PREP_HOURS, scenario.shift_hours):
                stop = min(end, scenario.open_hour + hours)
                for target in sorted({*PREP_TARGETS, spec.cap}):
                    job = a.PrepSlot(
                        start=scenario.open_hour, end=stop, component=component, target=target
                    )
                    until = _clock(scenario, (stop - scenario.open_hour) * 60)
                    where = _where(scenario, branch)
                    label = f"prep {component} to {target} until {until}{where}"
                    found.append(
                        Move("set_prep", (a.SetPrep(branch=branch.name, jobs=[job]),), label)
                    )
    return found


def _hire_agents(scenario: Scenario, when: list[float]) -> list[Move]:
    return [
        Move(
            "hire_agents",
            (a.HireAgents(at=at, branch=branch.name, count=count),),
            f"hire {count} drivers{_where(scenario, branch)} at {_clock(scenario, at)}",
        )
        for branch in _open(scenario)
        for count in DRIVERS
        for at in when
    ]


def _open_branch(scenario: Scenario, when: list[float]) -> list[Move]:
    station = _main_station(scenario)
    found = []
    for branch in scenario.branches:
        if branch.open:
            continue
        for count in range(1, min(MOST_HIRES, branch.max_chefs) + 1):
            for at in when:
                actions: tuple[a.Action, ...] = (a.OpenBranch(at=at, branch=branch.name),)
                actions += _hires(branch, station, count, at, f"{branch.name} ")
                if scenario.delivery.enabled:
                    actions += (a.HireAgents(at=at, branch=branch.name, count=OPENING_DRIVERS),)
                label = f"open {branch.name} with {count} {station} chefs at {_clock(scenario, at)}"
                found.append(Move("open_branch", actions, label))
    return found


def _close_branch(scenario: Scenario, when: list[float]) -> list[Move]:
    return [
        Move(
            "close_branch",
            (a.CloseBranch(at=at, branch=branch.name),),
            f"close {branch.name} at {_clock(scenario, at)}",
        )
        for branch in _open(scenario)
        for at in when
    ]


def _set_specialty(scenario: Scenario, when: list[float]) -> list[Move]:
    found = []
    chefs = [chef for _, chef in _chefs(scenario)]
    for specialty in _specialties(scenario):
        others = [chef for chef in chefs if chef.specialty != specialty]
        for count in sorted({1, (len(others) + 1) // 2, len(others)} - {0}) if others else ():
            actions = tuple(
                a.SetSpecialty(chef=chef.name, specialty=specialty) for chef in others[:count]
            )
            who = others[0].name if count == 1 else f"{count} chefs"
            found.append(Move("set_specialty", actions, f"make {who} {specialty}"))
    return found


Maker = Callable[[Scenario, list[float]], list[Move]]


def _each_chef(kind: str, verb: str) -> Maker:
    def make(scenario: Scenario, when: list[float]) -> list[Move]:
        found = []
        for _, chef in _chefs(scenario):
            for at in _reactions(scenario):
                action = a.ACTION_ADAPTER.validate_python(
                    {"kind": kind, "at": at, "chef": chef.name}
                )
                found.append(Move(kind, (action,), f"{verb} {chef.name} at {_clock(scenario, at)}"))
        return found

    return make


def _push_menu(scenario: Scenario, when: list[float]) -> list[Move]:
    found = []
    for name, item in scenario.menu.items():
        for offer in item.offers:
            for at in when:
                action = a.PushMenu(
                    at=at, item=name, price=offer.price, cook_minutes=offer.cook_minutes
                )
                label = f"push {name} ({offer.describe()}) at {_clock(scenario, at)}"
                found.append(Move("push_menu", (action,), label))
    return found


_MAKERS: dict[str, Maker] = {
    "hire": _hire,
    "upgrade": _upgrade,
    "route_kitchen": _route_kitchen,
    "route_branches": _route_branches,
    "set_prep": _set_prep,
    "hire_agents": _hire_agents,
    "open_branch": _open_branch,
    "close_branch": _close_branch,
    "set_specialty": _set_specialty,
    "mark_backup": _each_chef("mark_backup", "put on call"),
    "fire": _each_chef("fire", "fire"),
    "push_menu": _push_menu,
}
