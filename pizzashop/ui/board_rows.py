"""What the shop board shows, as plain rows read from the sim's public state.

Each row is a NamedTuple holding exactly what its line displays, rounded to what the eye can see
(a progress bar in eighths, patience in three moods), so a row compares equal from one frame to
the next unless its line would look different. Only public, read-only sim state is read here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from pizzashop.sim import (
    PATIENCE_WARNING,
    SHARED_QUEUE,
    AgentState,
    ChefState,
    OrderState,
    Simulation,
)
from pizzashop.sim.meters import Meter, meter

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


class MeterTitle(NamedTuple):
    """The level's concept meter (`pizzashop.sim.meters`): its title."""

    title: str


class MeterNote(NamedTuple):
    """One line of the meter's reading (or, on a short board, of its one-line form)."""

    text: str
    figures: bool = False


class MeterLine(NamedTuple):
    """A row of the meter's table, its cells padded to the column widths."""

    cells: tuple[str, ...]
    widths: tuple[int, ...]
    header: bool = False


BoardRow = (
    BranchRow | ChefHeader | ChefRow | LineRow | PrepRow | DriversRow | Gap | MeterTitle
    | MeterNote | MeterLine
)  # fmt: skip


def meter_rows(shown: Meter, width: int, room: int | None = None) -> list[BoardRow]:
    """The meter as board rows: title, table (header first, if it has one) and its reading; in
    its one-line form when that would take more than `room` rows."""
    wrap = max(20, width - 4)
    table = [shown.columns, *shown.rows] if shown.columns else list(shown.rows)
    count = max((len(row) for row in table), default=0)
    widths = tuple(max(len(row[i]) for row in table if i < len(row)) for i in range(count))
    rows: list[BoardRow] = [MeterTitle(shown.title)]
    rows += [
        MeterLine(tuple(row), widths, header=bool(shown.columns) and index == 0)
        for index, row in enumerate(table)
    ]
    rows += [MeterNote(part) for part in textwrap.wrap(shown.note, wrap)]
    if room is not None and len(rows) > room and shown.line:
        rows = [MeterTitle(shown.title)]
        rows += [MeterNote(part, figures=True) for part in textwrap.wrap(shown.line, wrap)]
    return rows


def mood(order: Order, now: float) -> Mood:
    """How much patience the customer has left (none is needed once cooking has started)."""
    patience, deadline = order.patience, order.deadline()
    if patience is None or deadline is None or order.state is not OrderState.QUEUED:
        return Mood.CALM
    left = (deadline - now) / patience
    if left < PATIENCE_WARNING:
        return Mood.CRITICAL
    return Mood.WANING if left < 2 * PATIENCE_WARNING else Mood.CALM


def _moods(queue: Iterable[Task], now: float) -> tuple[Mood, ...]:
    return tuple(mood(task.order, now) for task in queue)


def board_rows(
    sim: Simulation, selected: str | None, width: int = 80, height: int | None = None
) -> list[BoardRow]:
    """The level's concept meter, then every branch: its header, chefs, pull lines, prep stock
    and drivers. The meter takes the room the shop leaves in `height` rows (one line at least)."""
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
    shown = meter(sim)
    if shown is not None:
        room = None if height is None else height - len(rows) - 1
        rows = [*meter_rows(shown, width, room), Gap(), *rows]
    return rows


def chef_ids(rows: Iterable[object]) -> list[str]:
    """The chefs on the board, top to bottom (the order the selection moves in)."""
    return [row.id for row in rows if isinstance(row, ChefRow)]
