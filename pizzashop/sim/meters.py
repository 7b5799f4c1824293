"""Concept meters: for each level, the few figures that show what its concept is buying.

A level names its meter in its `[lesson]` (`meter = "ladder"`); `meter(sim)` reads it off the
running or finished shift, for the board while playing, the report screen after, and
`run --json`. A meter is a small table of display strings (one definition, so the screen and
the JSON say the same), a one-line reading of it, and its raw figures for programs.

- capacity: orders arriving now and at the busiest stretch, against what the chefs on duty cook;
- ladder: every training level up to the hardware limit, its speed, orders an hour, wage, cost;
- prep: components prepped, used, wanted with none on the shelf, spoiled, fresh now;
- backup: each chef's state and time on duty, and how long the kitchen had nobody;
- teams: each specialty's chefs, waiting items and busy share;
- chefs: each chef's speed, queue, items cooked and busy share (is the router looking?);
- regulars: items for returning customers cooked by the chef who knows them, and remaps;
- branches: how each branch's orders ended, and what failed over from it;
- menus: each branch's menu version, its delay, and the orders it cooked stale;
- delivery: orders waiting in the kitchen against orders waiting, ready, for a driver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pizzashop.sim.orders import LossCause
from pizzashop.sim.scenario import GENERALIST, METERS, rate_segments
from pizzashop.sim.shop import WORKING, AgentState, ChefState

if TYPE_CHECKING:
    from collections.abc import Callable

    from pizzashop.sim.engine import Simulation
    from pizzashop.sim.shop import Branch, Chef

Figure = float | int | str | None


@dataclass(frozen=True)
class Meter:
    """A concept meter: a table of display strings, its reading, and the raw figures."""

    kind: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str
    figures: dict[str, Figure] = field(default_factory=dict)
    line: str = ""
    """The meter in one line, for a board with no room for the table."""

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
            "note": self.note,
            "line": self.line,
            "figures": dict(self.figures),
        }


def meter(sim: Simulation) -> Meter | None:
    """The meter the scenario's `[lesson]` names, as the shift stands now (None: no meter)."""
    lesson = sim.scenario.lesson
    if lesson is None or lesson.meter is None:
        return None
    return MAKERS[lesson.meter](sim)


# ------------------------------------------------------------------------------------ helpers


def _per_hour(value: float) -> str:
    return f"{value:.1f}/h" if value < 10 else f"{value:.0f}/h"


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _minutes(value: float) -> str:
    return f"{value:.0f} min"


def _items_per_order(sim: Simulation) -> dict[str, float]:
    """How many of each dish an order holds on average: its main dish or an add-on."""
    menu = sim.scenario.menu
    total = math.fsum(item.weight for item in menu.values())
    counts = {}
    for name, item in menu.items():
        main = item.weight / total
        counts[name] = main + item.addon * (1.0 - main)
    return counts


def _order_minutes(sim: Simulation, chefs: list[Chef]) -> float:
    """A level-1 chef's minutes per average order, each dish cooked by the best kind of chef the
    branch has on duty for it (its station, else a generalist, else anyone), on the latest
    recipe, without prepped components."""
    staff = sim.staff
    specialties = {chef.specialty for chef in chefs}
    recipes = sim.menu_versions[-1]
    minutes = 0.0
    for name, count in _items_per_order(sim).items():
        station = sim.stations[name]
        if not chefs or station in specialties:
            factor = 1.0
        elif GENERALIST in specialties:
            factor = staff.generalist_factor
        else:
            factor = staff.off_specialty_factor
        minutes += count * recipes[name][1] * factor
    return minutes


def kitchen_capacity(sim: Simulation, chefs: list[Chef] | None = None) -> float:
    """Orders an hour the chefs (by default every chef on duty) cook between them."""
    if chefs is None:
        chefs = [chef for chef in sim.chefs.values() if chef.state in WORKING]
    per_order = _order_minutes(sim, chefs)
    return math.fsum(60.0 * chef.speed for chef in chefs) / per_order if per_order else 0.0


def _rate_now(sim: Simulation) -> float:
    if not sim.doors_open:
        return 0.0
    for start, stop, rate in rate_segments(sim.scenario):
        if start <= sim.now < stop:
            return rate * 60.0
    return 0.0


def _busiest(sim: Simulation) -> tuple[float, float, float]:
    """The day's highest arrival rate (orders an hour) and the stretch it lasts."""
    segments = rate_segments(sim.scenario)
    top = max(rate for _, _, rate in segments)
    start = next(s for s, _, rate in segments if rate == top)
    stop = start
    for s, e, rate in segments:
        if s == stop and rate == top:
            stop = e
    return top * 60.0, start, stop


def _busy_share(sim: Simulation, chefs: list[Chef]) -> float | None:
    now = sim.now
    return _share(
        math.fsum(chef.busy_minutes + _running_job(chef, now) for chef in chefs),
        math.fsum(chef.minutes_on_duty(now) for chef in chefs),
    )


def _running_job(chef: Chef, now: float) -> float:
    """Minutes of the job under way (busy minutes are counted when a job ends)."""
    if chef.state is ChefState.COOKING or chef.state is ChefState.PREPPING:
        return max(0.0, now - chef.started_at)
    return 0.0


# ------------------------------------------------------------------------------------- meters


def capacity(sim: Simulation) -> Meter:
    now_rate = _rate_now(sim)
    peak, start, stop = _busiest(sim)
    cooks = kitchen_capacity(sim)
    busy = _busy_share(sim, list(sim.chefs.values()))
    stretch = f"{sim.clock(start)}–{sim.clock(stop)}"
    if sim.doors_open:
        demand, when = ("orders arriving now", now_rate), "now"
    else:  # after closing: the day's orders, an hour at a time
        demand = ("orders placed, per hour open", sim.metrics.placed / sim.scenario.shift_hours)
        when = "over the day"
    rows = (
        (demand[0], _per_hour(demand[1])),
        (f"at the busiest, {stretch}", _per_hour(peak)),
        ("the chefs on duty cook", _per_hour(cooks)),
        ("chefs busy so far", _percent(busy)),
    )
    if cooks < peak:
        note = f"at the busiest, orders come {peak - cooks:.1f}/h faster than the kitchen cooks"
    else:
        note = f"the kitchen cooks {cooks - peak:.1f}/h more than the busiest hour brings"
    figures: dict[str, Figure] = {
        "arriving_per_hour": round(now_rate, 2),
        "busiest_per_hour": round(peak, 2),
        "kitchen_per_hour": round(cooks, 2),
        "chefs_busy": None if busy is None else round(busy, 4),
    }
    line = (
        f"kitchen cooks {_per_hour(cooks)} · orders {_per_hour(demand[1])} {when}, "
        f"{_per_hour(peak)} from {sim.clock(start)}"
    )
    return Meter("capacity", "capacity against demand", (), rows, note, figures, line)


def ladder(sim: Simulation) -> Meter:
    staff = sim.staff
    peak, start, stop = _busiest(sim)
    per_order = _order_minutes(sim, [chef for chef in sim.chefs.values() if chef.on_duty])
    top = len(staff.speed_by_level)
    rows = []
    figures: dict[str, Figure] = {"busiest_per_hour": round(peak, 2)}
    per_level: dict[int, float] = {}
    for level in range(1, top + 1):
        speed = staff.speed_by_level[level - 1]
        cooks = 60.0 * speed / per_order if per_order else 0.0
        cost = "–" if level == 1 else f"{staff.upgrade_cost_by_level[level - 2]:,.0f}"
        who = ", ".join(c.name for c in sim.chefs.values() if c.level == level)
        label = f"L{level}" + (" limit" if level == top else "")
        rows.append(
            (
                label,
                f"×{speed:g}",
                _per_hour(cooks),
                f"{staff.wage_by_level[level - 1]:g}/h",
                cost,
                who,
            )
        )
        figures[f"level_{level}_per_hour"] = round(cooks, 2)
        per_level[level] = cooks
    best = 60.0 * staff.speed_by_level[-1] / per_order if per_order else 0.0
    stretch = f"{sim.clock(start)}–{sim.clock(stop)}"
    if best < peak:
        note = (
            f"orders come at {peak:.0f}/h at the busiest ({stretch}); the limit cooks {best:.1f}/h"
        )
    else:
        note = f"orders come at {peak:.0f}/h at the busiest ({stretch}); each level adds less"
    columns = ("level", "speed", "cooks", "wage", "training", "chefs")
    levels = sorted({c.level for c in sim.chefs.values()})
    now = " · ".join(f"L{level} {_per_hour(per_level[level])}" for level in levels)
    line = f"now {now} · limit L{top} {_per_hour(best)} · busiest {_per_hour(peak)}"
    title = "the training ladder, to the hardware limit"
    return Meter("ladder", title, columns, tuple(rows), note, figures, line)


def prep(sim: Simulation) -> Meter:
    rows = []
    totals = {"prepped": 0, "used": 0, "without": 0, "spoiled": 0, "fresh": 0}
    several = len([b for b in sim.branches if b.is_open]) > 1
    now = sim.now
    for branch in sim.branches:
        for name, stock in branch.stock.items():
            if not (stock.prepped or stock.wanted or branch.prep):
                continue
            fresh = sum(now - made < stock.shelf_life for made in stock.made)
            without = stock.wanted - stock.used
            label = f"{branch.name} {name}" if several else name
            rows.append(
                (
                    label,
                    str(stock.prepped),
                    str(stock.used),
                    str(without),
                    str(stock.spoiled),
                    str(fresh),
                )
            )
            for key, value in zip(
                totals, (stock.prepped, stock.used, without, stock.spoiled, fresh), strict=True
            ):
                totals[key] += value
    components = sim.scenario.components
    waste = math.fsum(
        stock.spoiled * components[name].spoil_cost
        for branch in sim.branches
        for name, stock in branch.stock.items()
    )
    note = (
        f"{totals['used']} dishes started on a prepped component, {totals['without']} from "
        f"scratch; {totals['spoiled']} spoiled"
    )
    if sim.finished:
        note += f" (thrown away for {waste:,.2f})"
    columns = ("stock", "prepped", "used", "none left", "spoiled", "fresh")
    figures: dict[str, Figure] = {key: value for key, value in totals.items()}
    figures["spoilage_cost"] = round(waste, 2)
    line = (
        f"prepped {totals['prepped']} · used {totals['used']} · none left {totals['without']} · "
        f"spoiled {totals['spoiled']} · fresh {totals['fresh']}"
    )
    title = "prepped ahead: made, used, wasted"
    return Meter("prep", title, columns, tuple(rows), note, figures, line)


def backup(sim: Simulation) -> Meter:
    now = sim.now
    rows = []
    for chef in sim.chefs.values():
        role = "backup" if chef.backup else ""
        rows.append((chef.name, role, chef.state.value, _minutes(chef.minutes_on_duty(now))))
    empty = math.fsum(_no_chef_minutes(sim, branch) for branch in sim.branches if branch.is_open)
    no_chef = sim.metrics.losses.get(LossCause.NO_CHEF, 0)
    gave_up = sim.metrics.losses.get(LossCause.GAVE_UP, 0)
    note = (
        f"nobody on duty for {empty:.0f} min: {_count(no_chef, 'order')} lost with no chef, "
        f"{gave_up} gave up waiting"
    )
    figures: dict[str, Figure] = {
        "minutes_without_chef": round(empty, 2),
        "lost_no_chef": no_chef,
        "gave_up": gave_up,
    }
    columns = ("chef", "role", "now", "on duty")
    states = " · ".join(f"{chef.name} {chef.state.value}" for chef in sim.chefs.values())
    line = f"{states} · nobody on duty {empty:.0f} min"
    title = "who can cook, and when nobody could"
    return Meter("backup", title, columns, tuple(rows), note, figures, line)


def _no_chef_minutes(sim: Simulation, branch: Branch) -> float:
    """Minutes of the shift the branch had nobody on duty (up to closing)."""
    end = min(sim.now, sim.shift_end)
    running = max(0.0, end - branch.no_chef_since) if branch.no_chef_since >= 0 else 0.0
    return branch.no_chef_minutes + running


def teams(sim: Simulation) -> Meter:
    by_team: dict[str, list[Chef]] = {}
    for chef in sim.chefs.values():
        by_team.setdefault(chef.specialty, []).append(chef)
    rows = []
    figures: dict[str, Figure] = {}
    busiest, busiest_share = "", -1.0
    for team, chefs in sorted(by_team.items()):
        on_duty = [chef for chef in chefs if chef.on_duty]
        waiting = sum(len(chef.queue) for chef in chefs)
        waiting += sum(len(b.pull.get("@" + team, ())) for b in sim.branches)
        share = _busy_share(sim, chefs)
        rows.append((team.replace("_", " "), str(len(on_duty)), str(waiting), _percent(share)))
        figures[f"{team}_busy"] = None if share is None else round(share, 4)
        if share is not None and share > busiest_share:
            busiest, busiest_share = team, share
    shared = sum(len(b.pull.get("@*", ())) for b in sim.branches)
    if busiest and busiest_share > 0:
        note = f"busiest: the {busiest.replace('_', ' ')} team, {busiest_share:.0%} busy"
    else:
        note = "no team has cooked yet"
    if shared:
        note += f" · {shared} items on the shared line"
    columns = ("team", "on duty", "waiting", "busy")
    line = " · ".join(f"{row[0]} {row[1]} chefs, {row[2]} waiting, {row[3]} busy" for row in rows)
    return Meter("teams", "each team's load", columns, tuple(rows), note, figures, line)


def chefs(sim: Simulation) -> Meter:
    rows = []
    figures: dict[str, Figure] = {}
    everyone = list(sim.chefs.values())
    total = sum(chef.cooked for chef in everyone)
    for chef in everyone:
        share = _busy_share(sim, [chef])
        rows.append(
            (chef.name, f"×{chef.speed:g}", str(len(chef.queue)), str(chef.cooked), _percent(share))
        )
        figures[f"{chef.name}_cooked"] = chef.cooked
    if everyone and total:
        top = max(everyone, key=lambda chef: chef.cooked)
        note = f"{top.name} cooked {top.cooked} of {total} items"
        idle = [c for c in everyone if c.on_duty and not c.queue and c.state is ChefState.IDLE]
        waiting = [c for c in everyone if c.queue]
        if idle and waiting:
            note += f"; now {idle[0].name} is idle while {waiting[0].name} has a queue"
    else:
        note = "nothing cooked yet"
    columns = ("chef", "speed", "queue", "cooked", "busy")
    line = " · ".join(f"{row[0]} {row[1]} q{row[2]} {row[4]}" for row in rows)
    return Meter("chefs", "who cooks what", columns, tuple(rows), note, figures, line)


def regulars(sim: Simulation) -> Meter:
    kitchen = sim.kitchen
    share = _share(kitchen.usual, kitchen.returning)
    last = sim.remaps[-1] if sim.remaps else None
    rows = [
        ("items for returning customers", str(kitchen.returning)),
        ("cooked by the chef who knows them", f"{kitchen.usual} ({_percent(share)})"),
        ("times the chefs on duty changed", str(len(sim.remaps))),
    ]
    if last is not None:
        rows.append(
            ("the last change would move", f"modulo {last['modulo']:.0%} · ring {last['ring']:.0%}")
        )
    strategies = ", ".join(sorted({b.strategy for b in sim.branches if b.is_open}))
    note = f"routed by {strategies}: {_percent(share)} of regulars' items went to their own chef"
    figures: dict[str, Figure] = {
        "returning_items": kitchen.returning,
        "usual_chef_items": kitchen.usual,
        "usual_share": None if share is None else round(share, 4),
        "remaps": len(sim.remaps),
    }
    line = (
        f"{kitchen.usual} of {kitchen.returning} regulars' items by their own chef "
        f"({_percent(share)}) · {len(sim.remaps)} changes"
    )
    title = "regulars kept with their chef"
    return Meter("regulars", title, (), tuple(rows), note, figures, line)


def branches(sim: Simulation) -> Meter:
    waiting: dict[str, int] = {}
    for order in sim.orders.values():
        if order.branch is not None:
            waiting[order.branch] = waiting.get(order.branch, 0) + 1
    rows = []
    figures: dict[str, Figure] = {}
    notes = []
    for branch in sim.branches:
        state = "closed" if not branch.is_open else "DARK" if not branch.lit else "open"
        lost = sum(branch.losses.values())
        if not (branch.is_open or branch.delivered or lost):
            rows.append((branch.name, state, "", "", "", "", ""))
            continue
        late = branch.delivered - branch.on_time
        door = _minutes(branch.door_minutes / branch.delivered) if branch.delivered else "–"
        rows.append(
            (branch.name, state, str(branch.on_time), str(late), str(lost),
             str(waiting.get(branch.name, 0)), door)
        )  # fmt: skip
        figures[f"{branch.name}_on_time"] = branch.on_time
        figures[f"{branch.name}_lost"] = lost
        figures[f"{branch.name}_failed_over"] = branch.failed_over
        dark = branch.losses.get(LossCause.BRANCH_DARK.value, 0)
        if dark:
            notes.append(f"{_count(dark, 'order')} lost to the dark at {branch.name}")
        if branch.failed_over:
            notes.append(f"{_count(branch.failed_over, 'order')} waiting at {branch.name} moved")
        if late * 4 > branch.delivered:  # a quarter or more late: closeness is the problem
            notes.append(
                f"{late} of {branch.delivered} deliveries from {branch.name} late "
                f"(mean {door} to the door)"
            )
    delivered = sum(branch.delivered for branch in sim.branches)
    note = "; ".join(notes) or (
        "every branch delivered mostly on time" if delivered else "nothing delivered yet"
    )
    columns = ("branch", "now", "on time", "late", "lost", "in flight", "mean")
    line = " · ".join(
        f"{row[0]} {row[1]}" + (f" {row[2]} on time, {row[4]} lost" if row[2] else "")
        for row in rows
    )
    return Meter("branches", "each branch's orders", columns, tuple(rows), note, figures, line)


def menus(sim: Simulation) -> Meter:
    latest = len(sim.menu_versions) - 1
    rows = []
    figures: dict[str, Figure] = {"latest": latest}
    stale_total = 0
    for branch in sim.branches:
        stale = branch.losses.get(LossCause.STALE.value, 0)
        stale_total += stale
        version = f"v{branch.menu_version}" + (" (behind)" if branch.menu_version < latest else "")
        rows.append((branch.name, version, _minutes(branch.menu_delay), str(stale)))
        figures[f"{branch.name}_stale"] = stale
    refunds = abs(sim.ledger.total("refunds"))
    note = (
        f"menu v{latest}: {_count(stale_total, 'order')} cooked stale and refunded ({refunds:,.0f})"
    )
    columns = ("branch", "cooks", "delay", "stale")
    line = " · ".join(
        f"{b.name} v{b.menu_version}"
        + (" (behind)" if b.menu_version < latest else "")
        + (f", {stale} stale" if (stale := b.losses.get(LossCause.STALE.value, 0)) else "")
        for b in sim.branches
    )
    return Meter("menus", "one menu everywhere?", columns, tuple(rows), note, figures, line)


def delivery(sim: Simulation) -> Meter:
    kitchen_queue = sum(branch.waiting for branch in sim.branches)
    ready = sum(len(branch.ready) for branch in sim.branches)
    agents = [agent for branch in sim.branches for agent in branch.agents]
    out = sum(agent.state is not AgentState.IDLE for agent in agents)
    drivers = sim.drivers
    wait = drivers.waited / drivers.dispatched if drivers.dispatched else 0.0
    busy = _busy_share(sim, list(sim.chefs.values()))
    rows = (
        ("items waiting for a chef", str(kitchen_queue)),
        ("orders ready, waiting for a driver", str(ready)),
        ("drivers on the road", f"{out}/{len(agents)}"),
        ("mean wait for a driver", f"{wait:.1f} min"),
        ("chefs busy so far", _percent(busy)),
    )
    note = f"a ready order waited {wait:.1f} min for a driver on average"
    figures: dict[str, Figure] = {
        "kitchen_queue": kitchen_queue,
        "ready_waiting": ready,
        "driver_wait_minutes": round(wait, 2),
        "chefs_busy": None if busy is None else round(busy, 4),
    }
    line = (
        f"{kitchen_queue} waiting for a chef · {ready} ready for a driver · drivers out "
        f"{out}/{len(agents)} · wait {wait:.1f} min"
    )
    title = "kitchen or drivers: where orders wait"
    return Meter("delivery", title, (), rows, note, figures, line)


MAKERS: dict[str, Callable[[Simulation], Meter]] = {
    "capacity": capacity,
    "ladder": ladder,
    "prep": prep,
    "backup": backup,
    "teams": teams,
    "chefs": chefs,
    "regulars": regulars,
    "branches": branches,
    "menus": menus,
    "delivery": delivery,
}
assert tuple(MAKERS) == METERS  # the names a level file may use (scenario.py validates them)
