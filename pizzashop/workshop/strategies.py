"""Participants' kitchen routers: a small Python class in a file, named `path.py:ClassName`.

The interface (documented in docs/workshop.md):

    class MyRouter:
        def choose(self, item: ItemView, chefs: tuple[ChefView, ...]) -> str:
            return chefs[item.customer % len(chefs)].id

`choose` sees read-only views of plain values and returns the id of one of the chefs offered;
`self.rng` is a seeded `random.Random` for routers that need chance. The class runs in a child
process (`sandbox`), never in the grader: the grader registers a strategy that asks the child
for each decision. Anything that goes wrong — the file, the class, an exception in `choose`, a
bad answer, a limit — is an `InputError` naming the file, so grading prints one line, exits 2.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pizzashop.sim.files import InputError
from pizzashop.sim.orders import Task
from pizzashop.sim.routing import KITCHEN_STRATEGIES, ChefLike, KitchenStrategy
from pizzashop.sim.shop import ChefState
from pizzashop.workshop import sandbox
from pizzashop.workshop.router_child import ChefView, ItemView
from pizzashop.workshop.sandbox import Limits, RouterProcess

__all__ = ["ChefView", "ItemView", "fresh_run", "player_router"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_RUNNING: dict[str, RouterProcess] = {}


def _parse(spec: str) -> tuple[Path, str]:
    file, sep, class_name = spec.rpartition(":")
    if not sep or not file or not class_name.isidentifier():
        raise InputError("--strategy", "", f"{spec!r}: expected path/to/file.py:ClassName")
    return Path(file), class_name


@contextmanager
def player_router(spec: str, limits: Limits | None = None) -> Iterator[str]:
    """Load the router `spec` names in a child process and register it as a kitchen strategy
    while the block runs; yields its name (`file:Class`). Afterwards the name is gone from the
    registry, and the child with anything it started. `limits` default to `sandbox.LIMITS`."""
    path, class_name = _parse(spec)
    stem = _UNSAFE.sub("_", path.stem)[:40] or "router"
    name = f"{stem}:{class_name}"
    with RouterProcess(path, class_name, name, limits or sandbox.LIMITS) as process:
        KITCHEN_STRATEGIES[name] = _strategy(name, process)
        _RUNNING[name] = process
        try:
            yield name
        finally:
            KITCHEN_STRATEGIES.pop(name, None)
            _RUNNING.pop(name, None)


def fresh_run(strategy: str | None) -> None:
    """Before a new run: a participant's router starts over in a new child (its module state,
    its time budget), so each seed of a grade is exactly `run --seed` of that seed."""
    process = _RUNNING.get(strategy or "")
    if process is not None:
        process.restart()


def _strategy(name: str, process: RouterProcess) -> type[KitchenStrategy]:
    """A kitchen strategy whose every decision is the child's answer."""

    class PlayerStrategy(KitchenStrategy):
        summary = process.summary or f"{name}, a participant's router"

        def __init__(self, rng: random.Random, vnodes: int) -> None:
            super().__init__(rng, vnodes)
            self.router = process.new_router(rng.getstate())

        def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
            order = task.order
            assert order is not None  # an item is routed while its order is in flight
            item = [order.id, order.customer, task.item, station, order.area, order.placed]
            views = [
                [c.id, c.name, c.specialty, c.level, c.speed, c.load, c.state is ChefState.COOKING]
                for c in chefs
            ]
            return process.choose(self.router, item, views, [view[0] for view in views])

    PlayerStrategy.name = name
    return PlayerStrategy
