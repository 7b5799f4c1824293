"""Orders and the items (tasks) a kitchen cooks for them.

An order is placed → routed → queued → cooking → ready → out for delivery → delivered, or lost with
a cause. Its items are tasks: a kitchen may cook them on different chefs, and the order is ready
when the last one is done. Every lost order carries exactly one `LossCause`.

A delivered order's time splits into four parts (`PARTS`), the same in the log, the live view and
the report, along the item that came out of the oven last: waiting in the queue (placed → that
item goes in the oven for good: a wait behind other items, its own order's or others', or in a
dark kitchen, is queueing), cooking (→ it comes out), waiting for a driver (→ a driver leaves
with the order) and the road (→ the door, with the handoff).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Final


class OrderState(StrEnum):
    PLACED = "placed"
    ROUTED = "routed"
    QUEUED = "queued"
    COOKING = "cooking"
    READY = "ready"
    OUT = "out for delivery"
    DELIVERED = "delivered"
    LOST = "lost"


class LossCause(StrEnum):
    QUEUE_FULL = "queue_full"
    GAVE_UP = "gave_up"
    BRANCH_DARK = "branch_dark"
    NO_ROUTE = "no_route"
    NO_CHEF = "no_chef"
    STALE = "stale_recipe"
    UNSERVED = "unserved_at_close"


LOSS_TEXT: dict[LossCause, str] = {
    LossCause.QUEUE_FULL: "turned away: the queue was full",
    LossCause.GAVE_UP: "gave up waiting for cooking to start",
    LossCause.BRANCH_DARK: "the branch was dark and nothing failed over",
    LossCause.NO_ROUTE: "no open branch could reach the customer",
    LossCause.NO_CHEF: "no chef on duty at the branch",
    LossCause.STALE: "cooked to an old recipe and refunded",
    LossCause.UNSERVED: "still waiting when the last chef went home",
}


PARTS: Final = ("queue", "cooking", "driver", "road")
"""Where a delivered order's time went, in the order it passes them."""

PART_TEXT: Final = {
    "queue": "waiting in the queue",
    "cooking": "cooking",
    "driver": "waiting for a driver",
    "road": "on the road",
}


def parts_of(delivers: bool) -> tuple[str, ...]:
    """The parts an order's time has: no driver or road where the shop does not deliver."""
    return PARTS if delivers else PARTS[:2]


def split_text(minutes: Sequence[float], delivers: bool, first: str | None = None) -> str:
    """Minutes by part (`minutes` in `PARTS` order), e.g. "queue 5 · cooking 10 · driver 2 ·
    road 6"; `first` leads, in words: "35 waiting for a driver · queue 1 · …"."""
    shown = parts_of(delivers)
    words = [f"{part} {minutes[PARTS.index(part)]:.0f}" for part in shown if part != first]
    if first is not None:
        words.insert(0, f"{minutes[PARTS.index(first)]:.0f} {PART_TEXT[first]}")
    return " · ".join(words)


_PLACED: Final = OrderState.PLACED  # bound once: an enum member read off its class is slow on 3.11


class Task:
    """One item of an order, cooked by one chef.

    `order` links back to the order until it is finished, then it is None: an order and its items
    would otherwise form a reference cycle each, left to the cycle collector, which cost a sixth
    of a long run. `order_id` (arrival order: the kitchen's first-come order) and `customer` (for
    routing by customer) stay.
    """

    __slots__ = ("chef", "customer", "item", "key", "order", "order_id", "quantile", "started")

    def __init__(self, order: Order, item: str, quantile: float) -> None:
        self.order: Order | None = order
        self.order_id = order.id
        self.customer = order.customer
        self.item = item
        self.quantile = quantile
        self.chef: str | None = None
        self.key: str = ""
        self.started = -1.0


class Order:
    """A customer's order and its journey through the shop."""

    __slots__ = (
        "area",
        "branch",
        "cause",
        "customer",
        "done_at",
        "id",
        "left_at",
        "menu_version",
        "on_time",
        "oven_at",
        "patience",
        "placed",
        "ready_at",
        "remaining",
        "stale",
        "started",
        "state",
        "tasks",
        "waits_from",
    )

    def __init__(
        self,
        order_id: int,
        customer: int,
        area: str,
        placed: float,
        patience: float | None,
        menu_version: int,
    ) -> None:
        self.id = order_id
        self.customer = customer
        self.area = area
        self.placed = placed
        self.waits_from = placed
        self.patience = patience
        self.menu_version = menu_version
        self.tasks: list[Task] = []
        self.remaining = 0
        self.branch: str | None = None
        self.state = _PLACED
        self.cause: LossCause | None = None
        self.started = -1.0  # its first item went in the oven
        self.oven_at = -1.0  # the item that came out last went in
        self.ready_at = -1.0  # and came out
        self.left_at = -1.0  # a driver left with it (ready_at when the shop does not deliver)
        self.done_at = -1.0
        self.on_time = False
        self.stale = False

    @property
    def finished(self) -> bool:
        return self.state is OrderState.DELIVERED or self.state is OrderState.LOST

    @property
    def items(self) -> list[str]:
        return [task.item for task in self.tasks]

    def release_tasks(self) -> None:
        """The order is finished: unlink its items from it (see `Task`)."""
        for task in self.tasks:
            task.order = None

    def split(self) -> tuple[float, float, float, float]:
        """A delivered order's minutes in each of `PARTS`: queue, cooking, driver, road."""
        return (
            self.oven_at - self.placed,
            self.ready_at - self.oven_at,
            self.left_at - self.ready_at,
            self.done_at - self.left_at,
        )

    def deadline(self) -> float | None:
        """When the customer gives up unless cooking has started: their patience after the order,
        or after a power cut spoiled what was cooking for them (`Kitchen.power_cut`)."""
        return None if self.patience is None else self.waits_from + self.patience
