"""What the shop board shows, as plain rows read from the sim's public state.

Each row is a NamedTuple holding exactly what its line displays, rounded to what the eye can see
(a progress bar in eighths, patience in three moods), so a row compares equal from one frame to
the next unless its line would look different. Only public, read-only sim state is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from pizzashop.sim import PATIENCE_WARNING, SHARED_QUEUE, AgentState, ChefState, Simulation

if TYPE_CHECKING:
    from pizzashop.sim.orders import Order, Task

PROGRESS_STEPS = 8


class Mood(IntEnum):
    """How a waiting customer feels: patience left over half, over the warning line, or below."""

    CALM = 0
    WANING = 1
    CRITICAL = 2


class BranchRow(NamedTuple):
    name: str
    area: str
    is_open: bool
    lit: bool
    strategy: str
    menu_version: int
    latest_menu: int
    waiting: int
    capacity: int | None
    cooking: int
    ready: int
    out: int
    open_cost: float
    alerts: int
    failover: bool


class ChefHeader(NamedTuple):
    branch: str


class ChefRow(NamedTuple):
    id: str
    name: str
    specialty: str
    level: int
    top_level: int
    state: str
    backup: bool
    job: str
    progress: int
    queue: tuple[Mood, ...]
    selected: bool


class LineRow(NamedTuple):
    """A pull line: the shared line, or a team's line that its chefs take from."""

    label: str
    queue: tuple[Mood, ...]


class PrepRow(NamedTuple):
    component: str
    fresh: int
    cap: int
    spoiled: int
    slots: tuple[tuple[float, float, int], ...]


class DriversRow(NamedTuple):
    ready: int
    agents: tuple[tuple[str, int], ...]


class Gap(NamedTuple):
    pass


BoardRow = BranchRow | ChefHeader | ChefRow | LineRow | PrepRow | DriversRow | Gap


def mood(order: Order, now: float) -> Mood:
    """How much patience the customer has left (none is needed once cooking has started)."""
    patience = order.patience
    if patience is None or order.started >= 0:
        return Mood.CALM
    left = (order.placed + patience - now) / patience
    if left < PATIENCE_WARNING:
        return Mood.CRITICAL
    return Mood.WANING if left < 2 * PATIENCE_WARNING else Mood.CALM


def _moods(queue: Iterable[Task], now: float) -> tuple[Mood, ...]:
    return tuple(mood(task.order, now) for task in queue)


def board_rows(sim: Simulation, selected: str | None) -> list[BoardRow]:
    """Every branch: its header, chefs, pull lines, prep stock and drivers."""
    now = sim.now
    top_level = len(sim.staff.speed_by_level)
    latest = len(sim.menu_versions) - 1
    alerts: dict[str, int] = {}
    for _, branch_name in sim.warnings:
        alerts[branch_name] = alerts.get(branch_name, 0) + 1
    rows: list[BoardRow] = []
    for branch in sim.branches:
        if rows:
            rows.append(Gap())
        rows.append(
            BranchRow(
                branch.name,
                branch.area,
                branch.is_open,
                branch.lit,
                branch.strategy,
                branch.menu_version,
                latest,
                branch.waiting,
                branch.capacity,
                sum(chef.state is ChefState.COOKING for chef in branch.chefs),
                len(branch.ready),
                sum(agent.state is AgentState.OUT for agent in branch.agents),
                branch.spec.open_cost,
                alerts.get(branch.name, 0),
                sim.failover,
            )
        )
        if not branch.is_open and not branch.chefs:
            continue
        rows.append(ChefHeader(branch.name))
        for chef in branch.chefs:
            if chef.state is ChefState.COOKING and chef.task is not None:
                job = f"#{chef.task.order_id} {chef.task.item}"
            elif chef.state is ChefState.PREPPING and chef.prep_component:
                job = f"prep {chef.prep_component}"
            else:
                job = ""
            rows.append(
                ChefRow(
                    chef.id,
                    chef.name,
                    chef.specialty,
                    chef.level,
                    top_level,
                    chef.state.value,
                    chef.backup,
                    job,
                    int(chef.progress(now) * PROGRESS_STEPS),
                    _moods(chef.queue, now),
                    chef.id == selected,
                )
            )
        for key, queue in sorted(branch.pull.items()):
            label = "shared" if key == SHARED_QUEUE else key[1:]
            rows.append(LineRow(label, _moods(queue, now)))
        for component, stock in branch.stock.items():
            slots = tuple(
                (job.start, job.end, job.target)
                for job in branch.prep
                if job.component == component
            )
            if slots or stock.made:
                # Counted here rather than with `Stock.fresh`, which discards what has expired.
                fresh = sum(now - made < stock.shelf_life for made in stock.made)
                rows.append(PrepRow(component, fresh, stock.cap, stock.spoiled, slots))
        if sim.delivery.enabled:
            agents = tuple(
                (agent.state.value, agent.order.id if agent.order is not None else -1)
                for agent in branch.agents
            )
            rows.append(DriversRow(len(branch.ready), agents))
    return rows


def chef_ids(rows: Iterable[object]) -> list[str]:
    """The chefs on the board, top to bottom (the order the selection moves in)."""
    return [row.id for row in rows if isinstance(row, ChefRow)]
