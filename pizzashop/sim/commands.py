"""Player commands: each action kind has one handler that checks, refuses with a reason, or acts.

Handlers are the only code that changes the shop on a player's behalf; the engine's own methods
do the moving. A refusal never changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pizzashop.sim import actions as a
from pizzashop.sim.routing import BRANCH_STRATEGIES, KITCHEN_STRATEGIES
from pizzashop.sim.scenario import GENERALIST, PrepJob
from pizzashop.sim.shop import WORKING, Branch, Chef, ChefState

if TYPE_CHECKING:
    from pizzashop.sim.engine import Simulation


class Refused(Exception):
    """Raised inside a handler to refuse the action with a reason."""


def _branch(sim: Simulation, name: str | None) -> Branch:
    if name is None:
        for branch in sim.branches:
            if branch.is_open:
                return branch
        raise Refused("no branch is open")
    named = sim.branch_by_name.get(name)
    if named is None:
        raise Refused(f"no branch called {name!r}")
    return named


def _chef(sim: Simulation, ref: str) -> Chef:
    chef = sim.chefs.get(ref)
    if chef is None:
        chef = next((c for c in sim.chefs.values() if c.name == ref), None)
    if chef is None:
        raise Refused(f"no chef called {ref!r}")
    return chef


def _pay(sim: Simulation, cause: str, cost: float, what: str) -> None:
    if not sim.ledger.can_afford(cost):
        raise Refused(f"{what} costs {cost:,.0f}; you have {sim.ledger.balance:,.0f}")
    sim.ledger.post(cause, -cost)


def _specialty(sim: Simulation, specialty: str) -> str:
    stations = set(sim.stations.values()) | {GENERALIST}
    if specialty not in stations:
        raise Refused(f"no specialty {specialty!r} (choose from {', '.join(sorted(stations))})")
    return specialty


def hire(sim: Simulation, action: a.Hire) -> str:
    branch = _branch(sim, action.branch)
    specialty = _specialty(sim, action.specialty)
    if not branch.is_open:
        raise Refused(f"{branch.name} is not open")
    if len(branch.chefs) >= branch.max_chefs:
        raise Refused(f"{branch.name}'s kitchen holds {branch.max_chefs} chefs at most")
    name = action.name or sim.next_chef_name()
    if any(chef.name == name for chef in sim.chefs.values()):
        raise Refused(f"there is already a chef called {name!r}")
    _pay(sim, "hiring", sim.staff.hire_cost, "hiring a chef")
    before = sim._members(branch)
    chef = sim._new_chef(branch, name, specialty, 1)
    sim._members_changed(branch, before)
    sim._wake(branch)
    return f"hired {chef.name} ({specialty}) at {branch.name}"


def fire(sim: Simulation, action: a.Fire) -> str:
    chef = _chef(sim, action.chef)
    branch = chef.branch
    before = sim._members(branch)
    sim._interrupt(chef)
    sim._set_state(chef, ChefState.ON_LEAVE)
    sim._settle(chef.pay)
    branch.chefs.remove(chef)
    del sim.chefs[chef.id]
    sim._release_queue(chef)
    for backup in branch.chefs:
        if backup.covering == chef.id:
            backup.covering = None
            if backup.state in (ChefState.IDLE, ChefState.CALLED_IN):
                sim._set_state(backup, ChefState.ON_CALL)
    sim._members_changed(branch, before)
    sim._wake(branch)
    return f"{chef.name} has left {branch.name}"


def upgrade(sim: Simulation, action: a.Upgrade) -> str:
    chef = _chef(sim, action.chef)
    top = len(sim.staff.speed_by_level)
    if chef.level >= top:
        raise Refused(f"{chef.name} is at level {top}, the hardware limit")
    cost = sim.staff.upgrade_cost_by_level[chef.level - 1]
    _pay(sim, "upgrades", cost, f"training {chef.name} to level {chef.level + 1}")
    sim._settle(chef.pay)
    chef.level += 1
    chef.speed = sim.speed_at(chef.level)
    sim._set_state(chef, chef.state)
    return f"{chef.name} is now level {chef.level} (speed ×{chef.speed:g})"


def set_specialty(sim: Simulation, action: a.SetSpecialty) -> str:
    chef = _chef(sim, action.chef)
    chef.specialty = _specialty(sim, action.specialty)
    sim._rescue_orphans(chef.branch)
    sim._wake(chef.branch)
    return f"{chef.name} now cooks as {chef.specialty}"


def mark_backup(sim: Simulation, action: a.MarkBackup) -> str:
    chef = _chef(sim, action.chef)
    branch = chef.branch
    if chef.backup == action.backup:
        raise Refused(f"{chef.name} is {'already' if chef.backup else 'not'} a backup")
    before = sim._members(branch)
    chef.backup = action.backup
    if action.backup:
        if sum(c.state in WORKING and not c.backup for c in branch.chefs) == 0:
            chef.backup = False
            raise Refused(f"{chef.name} is the last chef on duty at {branch.name}")
        if chef.state is ChefState.IDLE:
            sim._set_state(chef, ChefState.ON_CALL)
            sim._release_queue(chef)
        text = f"{chef.name} is now on call as backup"
    else:
        chef.covering = None
        if chef.state is ChefState.ON_CALL:
            sim._set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        text = f"{chef.name} is a regular chef again"
    sim._members_changed(branch, before)
    sim._wake(branch)
    return text


def route_kitchen(sim: Simulation, action: a.RouteKitchen) -> str:
    if action.strategy not in KITCHEN_STRATEGIES:
        raise Refused(
            f"no kitchen strategy {action.strategy!r} (choose from {', '.join(KITCHEN_STRATEGIES)})"
        )
    targets = [_branch(sim, action.branch)] if action.branch else sim.branches
    for branch in targets:
        sim._set_kitchen_strategy(branch, action.strategy)
    where = action.branch or "every branch"
    return f"{where} routes items by {action.strategy}"


def route_branches(sim: Simulation, action: a.RouteBranches) -> str:
    if action.strategy not in BRANCH_STRATEGIES:
        raise Refused(
            f"no branch strategy {action.strategy!r} (choose from {', '.join(BRANCH_STRATEGIES)})"
        )
    sim.branch_strategy = action.strategy
    sim.failover = action.failover
    return (
        f"orders go to the {action.strategy} branch, failover {'on' if action.failover else 'off'}"
    )


def set_prep(sim: Simulation, action: a.SetPrep) -> str:
    branch = _branch(sim, action.branch)
    for slot in action.jobs:
        if slot.component not in sim.scenario.components:
            raise Refused(f"nothing called {slot.component!r} can be prepped")
        if slot.end <= slot.start:
            raise Refused(f"prep from {slot.start:g}h must end after it starts")
    branch.prep = [PrepJob(**slot.model_dump()) for slot in action.jobs]
    sim._schedule_prep(branch)
    sim._wake(branch)
    if not action.jobs:
        return f"{branch.name} preps nothing"
    slots = ", ".join(f"{s.start:g}–{s.end:g}h {s.component}≤{s.target}" for s in action.jobs)
    return f"{branch.name} preps {slots}"


def open_branch(sim: Simulation, action: a.OpenBranch) -> str:
    branch = _branch(sim, action.branch)
    if branch.is_open:
        raise Refused(f"{branch.name} is already open")
    _pay(sim, "opening", branch.spec.open_cost, f"opening {branch.name}")
    sim.set_branch_open(branch, True)
    return f"{branch.name} is open in {branch.area}"


def close_branch(sim: Simulation, action: a.CloseBranch) -> str:
    branch = _branch(sim, action.branch)
    if not branch.is_open:
        raise Refused(f"{branch.name} is already closed")
    if sum(b.is_open for b in sim.branches) == 1:
        raise Refused(f"{branch.name} is your last open branch")
    sim.set_branch_open(branch, False)
    return f"{branch.name} takes no new orders"


def hire_agents(sim: Simulation, action: a.HireAgents) -> str:
    branch = _branch(sim, action.branch)
    if not sim.delivery.enabled:
        raise Refused("this shop does not deliver")
    cost = sim.delivery.agent_hire_cost * action.count
    _pay(sim, "hiring", cost, f"{action.count} delivery agent(s)")
    sim._add_agents(branch, action.count)
    return f"{branch.name} has {len(branch.agents)} delivery agents"


def push_menu(sim: Simulation, action: a.PushMenu) -> str:
    if action.item not in sim.scenario.menu:
        raise Refused(f"no menu item {action.item!r}")
    if action.price is None and action.cook_minutes is None:
        raise Refused("a menu update changes price or cook_minutes")
    version = sim.publish_menu(action.item, action.price, action.cook_minutes)
    return f"menu v{version} sent to every branch"


# Each handler takes its own kind of action (`Hire`, `Fire` …), so the table cannot name one type.
HANDLERS: dict[str, Callable[[Simulation, Any], str]] = {
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
}


def apply_action(sim: Simulation, action: a.Action) -> a.Outcome:
    allowed = sim.scenario.allowed_actions
    if allowed is not None and action.kind not in allowed:
        return a.Outcome.refused(f"{action.kind} is not allowed in this scenario")
    try:
        return a.Outcome.done(HANDLERS[action.kind](sim, action))
    except Refused as refusal:
        return a.Outcome.refused(str(refusal))
