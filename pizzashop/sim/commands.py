"""Player commands: each action kind has one handler that checks, refuses with a reason, or acts.

Handlers are the only code that changes the shop on a player's behalf; they decide whether an
action may happen and what it costs, and the stages' public methods do the moving. A refusal
never changes anything. Disruptions (a game day's outage, rush or leave) have handlers here too,
but only a simulation in an instructor's room may apply them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from pizzashop.sim import actions as a
from pizzashop.sim.routing import BRANCH_STRATEGIES, KITCHEN_STRATEGIES
from pizzashop.sim.scenario import GENERALIST, PrepJob
from pizzashop.sim.shop import WORKING, ChefState

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.drivers import Drivers
    from pizzashop.sim.frontdoor import FrontDoor
    from pizzashop.sim.kitchen import Kitchen
    from pizzashop.sim.menu import Menu
    from pizzashop.sim.roster import Roster
    from pizzashop.sim.shop import Branch, Chef, Shop
    from pizzashop.sim.timeline import Timeline


class Stages(NamedTuple):
    """What the handlers act on: the shop's state and the stages of an order's path."""

    shop: Shop
    menu: Menu
    books: Books
    drivers: Drivers
    kitchen: Kitchen
    roster: Roster
    front_door: FrontDoor
    timeline: Timeline


class Refused(Exception):
    """Raised inside a handler to refuse the action with a reason."""


def _branch(s: Stages, name: str | None) -> Branch:
    if name is None:
        for branch in s.shop.branches:
            if branch.is_open:
                return branch
        raise Refused("no branch is open")
    named = s.shop.branch_by_name.get(name)
    if named is None:
        raise Refused(f"no branch called {name!r}")
    return named


def _chef(s: Stages, ref: str) -> Chef:
    chefs = s.shop.chefs
    chef = chefs.get(ref)
    if chef is None:
        chef = next((c for c in chefs.values() if c.name == ref), None)
    if chef is None:
        raise Refused(f"no chef called {ref!r}")
    return chef


def _pay(s: Stages, cause: str, cost: float, what: str) -> None:
    ledger = s.shop.ledger
    if not ledger.can_afford(cost):
        raise Refused(f"{what} costs {cost:,.0f}; you have {ledger.balance:,.0f}")
    ledger.post(cause, -cost)


def _specialty(s: Stages, specialty: str) -> str:
    stations = set(s.menu.stations.values()) | {GENERALIST}
    if specialty not in stations:
        raise Refused(f"no specialty {specialty!r} (choose from {', '.join(sorted(stations))})")
    return specialty


def hire(s: Stages, action: a.Hire) -> str:
    branch = _branch(s, action.branch)
    specialty = _specialty(s, action.specialty)
    if not branch.is_open:
        raise Refused(f"{branch.name} is not open")
    if len(branch.chefs) >= branch.max_chefs:
        raise Refused(f"{branch.name}'s kitchen holds {branch.max_chefs} chefs at most")
    name = action.name or s.roster.next_chef_name()
    if any(chef.name == name for chef in s.shop.chefs.values()):
        raise Refused(f"there is already a chef called {name!r}")
    _pay(s, "hiring", s.shop.scenario.staff.hire_cost, "hiring a chef")
    chef = s.roster.hire(branch, name, specialty)
    delay = s.shop.scenario.staff.hire_minutes
    if delay > 0:
        arrival = s.shop.clock(s.shop.loop.now + delay)
        return f"hired {chef.name} ({specialty}) at {branch.name}, arriving at {arrival}"
    return f"hired {chef.name} ({specialty}) at {branch.name}"


def fire(s: Stages, action: a.Fire) -> str:
    chef = _chef(s, action.chef)
    s.roster.fire(chef)
    return f"{chef.name} has left {chef.branch.name}"


def upgrade(s: Stages, action: a.Upgrade) -> str:
    chef = _chef(s, action.chef)
    staff = s.shop.scenario.staff
    top = len(staff.speed_by_level)
    if chef.level >= top:
        raise Refused(f"{chef.name} is at level {top}, the hardware limit")
    cost = staff.upgrade_cost_by_level[chef.level - 1]
    _pay(s, "upgrades", cost, f"training {chef.name} to level {chef.level + 1}")
    s.roster.upgrade(chef)
    return f"{chef.name} is now level {chef.level} (speed ×{chef.speed:g})"


def set_specialty(s: Stages, action: a.SetSpecialty) -> str:
    chef = _chef(s, action.chef)
    s.roster.set_specialty(chef, _specialty(s, action.specialty))
    return f"{chef.name} now cooks as {chef.specialty}"


def mark_backup(s: Stages, action: a.MarkBackup) -> str:
    chef = _chef(s, action.chef)
    branch = chef.branch
    if chef.backup == action.backup:
        raise Refused(f"{chef.name} is {'already' if chef.backup else 'not'} a backup")
    if action.backup and not any(
        c.state in WORKING and not c.backup for c in branch.chefs if c is not chef
    ):
        if chef.state is ChefState.OFF:
            raise Refused(
                f"{chef.name} is off today and out of reach: a backup is put on call while "
                f"someone still cooks at {branch.name}"
            )
        raise Refused(f"{chef.name} is the last chef on duty at {branch.name}")
    s.roster.mark_backup(chef, action.backup)
    if action.backup:
        return f"{chef.name} is now on call as backup"
    return f"{chef.name} is a regular chef again"


def route_kitchen(s: Stages, action: a.RouteKitchen) -> str:
    if action.strategy not in KITCHEN_STRATEGIES:
        raise Refused(
            f"no kitchen strategy {action.strategy!r} (choose from {', '.join(KITCHEN_STRATEGIES)})"
        )
    targets = [_branch(s, action.branch)] if action.branch else s.shop.branches
    for branch in targets:
        s.kitchen.set_strategy(branch, action.strategy)
    where = action.branch or "every branch"
    return f"{where} routes items by {action.strategy}"


def route_branches(s: Stages, action: a.RouteBranches) -> str:
    if action.strategy not in BRANCH_STRATEGIES:
        raise Refused(
            f"no branch strategy {action.strategy!r} (choose from {', '.join(BRANCH_STRATEGIES)})"
        )
    s.front_door.route_by(action.strategy, action.failover)
    s.front_door.fail_over_all()
    return (
        f"orders go to the {action.strategy} branch, failover {'on' if action.failover else 'off'}"
    )


def set_prep(s: Stages, action: a.SetPrep) -> str:
    branch = _branch(s, action.branch)
    for slot in action.jobs:
        if slot.component not in s.shop.scenario.components:
            raise Refused(f"nothing called {slot.component!r} can be prepped")
        if slot.end <= slot.start:
            raise Refused(f"prep from {slot.start:g}h must end after it starts")
    s.kitchen.set_prep(branch, [PrepJob(**slot.model_dump()) for slot in action.jobs])
    if not action.jobs:
        return f"{branch.name} preps nothing"
    slots = ", ".join(
        f"{slot.start:g}–{slot.end:g}h {slot.component}≤{slot.target}" for slot in action.jobs
    )
    return f"{branch.name} preps {slots}"


def open_branch(s: Stages, action: a.OpenBranch) -> str:
    branch = _branch(s, action.branch)
    if branch.is_open:
        raise Refused(f"{branch.name} is already open")
    _pay(s, "opening", branch.spec.open_cost, f"opening {branch.name}")
    s.books.set_branch_open(branch, True)
    return f"{branch.name} is open in {branch.area}"


def close_branch(s: Stages, action: a.CloseBranch) -> str:
    branch = _branch(s, action.branch)
    if not branch.is_open:
        raise Refused(f"{branch.name} is already closed")
    if sum(b.is_open for b in s.shop.branches) == 1:
        raise Refused(f"{branch.name} is your last open branch")
    s.books.set_branch_open(branch, False)
    return f"{branch.name} takes no new orders"


def hire_agents(s: Stages, action: a.HireAgents) -> str:
    branch = _branch(s, action.branch)
    delivery = s.shop.scenario.delivery
    if not delivery.enabled:
        raise Refused("this shop does not deliver")
    cost = delivery.agent_hire_cost * action.count
    hired = f"{action.count} driver" + ("" if action.count == 1 else "s")
    _pay(s, "hiring", cost, f"hiring {hired}")
    s.drivers.hire(branch, action.count)
    drivers = len(branch.agents)
    return f"hired {hired}: {branch.name} has {drivers} driver" + ("" if drivers == 1 else "s")


def push_menu(s: Stages, action: a.PushMenu) -> str:
    item = s.shop.scenario.menu.get(action.item)
    if item is None:
        raise Refused(f"no menu item {action.item!r}")
    if action.price is None and action.cook_minutes is None:
        raise Refused("a menu update changes price or cook_minutes")
    if not item.offers:
        raise Refused(f"head office offers no update for {action.item}")
    wanted = (action.price, action.cook_minutes)
    if not any((offer.price, offer.cook_minutes) == wanted for offer in item.offers):
        choices = "; ".join(offer.describe() for offer in item.offers)
        raise Refused(f"head office offers {action.item} only as: {choices}")
    price, minutes = s.menu.versions[-1][action.item]
    if action.price in (None, price) and action.cook_minutes in (None, minutes):
        raise Refused(f"the menu has that {action.item} already (v{s.menu.latest()})")
    version = s.timeline.publish_menu(action.item, action.price, action.cook_minutes)
    return f"menu v{version} sent to every branch"


def outage(s: Stages, action: a.PowerOutage) -> str:
    if action.branch is not None:
        targets = [_branch(s, action.branch)]
    else:
        targets = [branch for branch in s.shop.branches if branch.area == action.area]
        if not targets:
            raise Refused(f"no branch in an area called {action.area!r}")
    for branch in targets:
        s.timeline.cut_power(branch, action.minutes)
        s.front_door.fail_over(branch)  # the orders waiting in the dark, if failover is on
    names = ", ".join(branch.name for branch in targets)
    return f"the power is cut at {names} for {action.minutes:g} min"


def rush(s: Stages, action: a.Rush) -> str:
    if not s.shop.doors_open:
        raise Refused("the doors are closed: no more orders come")
    s.front_door.rush(action.factor, action.minutes)
    return f"a rush: orders ×{action.factor:g} for {action.minutes:g} min"


def leave(s: Stages, action: a.ChefLeave) -> str:
    chef = _chef(s, action.chef)
    s.roster.send_on_leave(chef, action.minutes)
    return f"{chef.name} is called away for {action.minutes:g} min"


# Each handler takes its own kind of action (`Hire`, `Fire` …), so the table cannot name one type.
HANDLERS: dict[str, Callable[[Stages, Any], str]] = {
    "hire": hire,
    "fire": fire,
    "upgrade": upgrade,
    "set_specialty": set_specialty,
    "mark_backup": mark_backup,
    "route_kitchen": route_kitchen,
    "route_branches": route_branches,
    "set_prep": set_prep,
    "open_branch": open_branch,
    "close_branch": close_branch,
    "hire_agents": hire_agents,
    "push_menu": push_menu,
    "outage": outage,
    "rush": rush,
    "leave": leave,
}


def apply_action(s: Stages, action: a.Action, room: bool = False) -> a.Outcome:
    """Check and apply one action. A disruption applies only in a room (`room`), whatever the
    scenario allows; a player's action only if the scenario allows its kind."""
    allowed = s.shop.scenario.allowed_actions
    if action.kind in a.DISRUPTION_KINDS:
        if not room:
            return a.Outcome.refused(
                f"a {action.kind} is a game-day disruption that only an instructor's room "
                "injects, never a player's action"
            )
    elif allowed is not None and action.kind not in allowed:
        return a.Outcome.refused(f"{action.kind} is not allowed in this scenario")
    try:
        return a.Outcome.done(HANDLERS[action.kind](s, action))
    except Refused as refusal:
        return a.Outcome.refused(str(refusal))
