"""Load balancing at two levels: which branch takes an order, which chef cooks an item.

A strategy is one small class in a registry. Kitchen strategies answer with a queue key: a chef's
id (push: the item waits in that chef's own queue) or a pull queue ("@*" for one shared line, or
"@<station>" for a team's line) from which the next free chef takes the oldest item.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Final, Protocol

from mypy_extensions import mypyc_attr

from pizzashop.sim.hashing import Ring, modulo_pick

if TYPE_CHECKING:
    from pizzashop.sim.orders import Task

SHARED_QUEUE: Final = "@*"


class ChefLike(Protocol):
    id: str
    specialty: str
    level: int

    @property
    def load(self) -> int: ...

    @property
    def speed(self) -> float: ...


@mypyc_attr(allow_interpreted_subclasses=True)  # a workshop participant's router is one
class KitchenStrategy:
    """Base of kitchen routers. `route` gets the on-duty chefs (never empty) in hiring order."""

    name: ClassVar[str]
    summary: ClassVar[str]
    hashes_customers: ClassVar[bool] = False

    def __init__(self, rng: random.Random, vnodes: int) -> None:
        self.rng = rng
        self.vnodes = vnodes

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        raise NotImplementedError


class Shared(KitchenStrategy):
    name = "shared"
    summary = "one line for the whole kitchen; the next free chef takes the oldest item"

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        return SHARED_QUEUE


class BySpecialty(KitchenStrategy):
    name = "by_specialty"
    summary = "each dish joins its team's line (pizza chefs take pizza); generalists help anywhere"

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        if any(chef.specialty == station for chef in chefs):
            return "@" + station
        return SHARED_QUEUE


class RandomChef(KitchenStrategy):
    name = "random"
    summary = "each item goes to a chef picked at random, busy or not"

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        return chefs[int(self.rng.random() * len(chefs))].id


class RoundRobin(KitchenStrategy):
    name = "round_robin"
    summary = "chefs take turns: 1, 2, 3, 1, 2, 3 … whatever each is doing"

    def __init__(self, rng: random.Random, vnodes: int) -> None:
        super().__init__(rng, vnodes)
        self._turn = 0

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        chef = chefs[self._turn % len(chefs)]
        self._turn += 1
        return chef.id


class LeastLoaded(KitchenStrategy):
    name = "least_loaded"
    summary = "the chef with the fewest items waiting or cooking gets the next one"

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        return min(chefs, key=lambda chef: chef.load).id


class WeightedBySpeed(KitchenStrategy):
    name = "weighted"
    summary = "random, but a chef twice as fast is picked twice as often"

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        target = self.rng.random() * sum(chef.speed for chef in chefs)
        for chef in chefs:
            target -= chef.speed
            if target < 0:
                return chef.id
        return chefs[-1].id


class ModuloHash(KitchenStrategy):
    name = "modulo"
    summary = "customer id % chefs: regulars keep their chef, until a chef joins or leaves"
    hashes_customers = True

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        return modulo_pick(task.customer, [chef.id for chef in chefs])


class ConsistentHash(KitchenStrategy):
    name = "ring"
    summary = "consistent hashing: a chef joining or leaving moves only about 1/n of customers"
    hashes_customers = True

    def __init__(self, rng: random.Random, vnodes: int) -> None:
        super().__init__(rng, vnodes)
        self._ring: Ring | None = None

    def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
        members = tuple(chef.id for chef in chefs)
        if self._ring is None or self._ring.members != members:
            self._ring = Ring(members, self.vnodes)
        return self._ring.pick(task.customer)


# By name. A workshop adds participants' routers here (`pizzashop.workshop.strategies`).
KITCHEN_STRATEGIES: dict[str, type[KitchenStrategy]] = {
    cls.name: cls
    for cls in (
        Shared,
        BySpecialty,
        RandomChef,
        RoundRobin,
        LeastLoaded,
        WeightedBySpeed,
        ModuloHash,
        ConsistentHash,
    )
}

BRANCH_STRATEGIES: dict[str, str] = {
    "nearest": "the open branch closest to the customer",
    "fastest": "the branch with the soonest estimated delivery: queue, cooking and travel",
}


def describe_strategies() -> dict[str, dict[str, str]]:
    """Every strategy with its one-line explanation, for help screens and `--help`."""
    return {
        "kitchen": {name: cls.summary for name, cls in KITCHEN_STRATEGIES.items()},
        "branch": dict(BRANCH_STRATEGIES),
    }
