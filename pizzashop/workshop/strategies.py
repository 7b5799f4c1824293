"""Participants' kitchen routers: a small Python class in a file, loaded as `path.py:ClassName`.

The interface (documented in docs/workshop.md):

    class MyRouter:
        def choose(self, item: ItemView, chefs: tuple[ChefView, ...]) -> str:
            return chefs[item.customer % len(chefs)].id

`choose` sees read-only views, never the engine's objects, and returns the id of one of the chefs
offered. `self.rng` is a seeded `random.Random` for routers that need chance. Anything that goes
wrong — the file, the class, an exception in `choose`, a bad answer — is an `InputError` naming
the file, so grading prints one line and exits 2.
"""

from __future__ import annotations

import importlib.util
import random
import reprlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pizzashop.sim.files import InputError
from pizzashop.sim.orders import Task
from pizzashop.sim.routing import KITCHEN_STRATEGIES, ChefLike, KitchenStrategy
from pizzashop.sim.shop import ChefState


class ItemView(NamedTuple):
    """The item to route: which order, which customer, which dish."""

    order: int
    customer: int
    item: str
    station: str
    area: str
    placed: float


class ChefView(NamedTuple):
    """A chef on duty, as a router may see them."""

    id: str
    name: str
    specialty: str
    level: int
    speed: float
    load: int
    busy: bool


def _load_class(spec: str) -> tuple[Path, type]:
    file, sep, class_name = spec.rpartition(":")
    if not sep or not file or not class_name:
        raise InputError("--strategy", "", f"{spec!r}: expected path/to/file.py:ClassName")
    path = Path(file)
    if not path.is_file():
        raise InputError(str(path), "", "no such file")
    module_name = f"pizzashop_player_{path.stem}"
    loader = importlib.util.spec_from_file_location(module_name, path)
    if loader is None or loader.loader is None:
        raise InputError(str(path), "", "not a Python file")
    module = importlib.util.module_from_spec(loader)
    sys.modules[module_name] = module
    try:
        loader.loader.exec_module(module)
    except SyntaxError as error:
        raise InputError(str(path), f"line {error.lineno}", f"syntax error: {error.msg}") from None
    except (Exception, SystemExit) as error:  # anything while importing, even exit()
        raise InputError(str(path), "", f"importing it raised {error!r}") from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise InputError(str(path), class_name, "no such class in the file")
    if not callable(getattr(cls, "choose", None)):
        raise InputError(str(path), class_name, "has no choose(self, item, chefs) method")
    return path, cls


def load_player_strategy(spec: str) -> str:
    """Register a participant's router in the strategy registry and return its name."""
    path, player_cls = _load_class(spec)
    name = f"{path.stem}:{player_cls.__name__}"
    source = str(path)
    doc = (player_cls.__doc__ or "").strip().splitlines()

    class PlayerStrategy(KitchenStrategy):
        summary = doc[0] if doc else f"{name}, a participant's router"

        def __init__(self, rng: random.Random, vnodes: int) -> None:
            super().__init__(rng, vnodes)
            try:
                self.player: Any = player_cls()
            except (Exception, SystemExit) as error:  # participant's code: anything, even exit()
                raise InputError(source, f"{player_cls.__name__}()", repr(error)) from None
            try:
                self.player.rng = rng
            except Exception as error:  # a frozen dataclass or __slots__ refuses new attributes
                problem = f"cannot set self.rng ({error!r}); allow attribute assignment"
                raise InputError(source, f"{player_cls.__name__}.rng", problem) from None

        def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
            order = task.order
            assert order is not None  # an item is routed while its order is in flight
            item = ItemView(order.id, order.customer, task.item, station, order.area, order.placed)
            views = tuple(
                ChefView(
                    c.id,
                    c.name,
                    c.specialty,
                    c.level,
                    c.speed,
                    c.load,
                    c.state is ChefState.COOKING,
                )
                for c in chefs
            )
            try:
                choice = self.player.choose(item, views)
            except (Exception, SystemExit) as error:  # participant's code: anything, even exit()
                raise InputError(source, f"{name}.choose", f"raised {error!r}") from None
            # Compare as a plain str: an object claiming to equal every id must not reach the
            # engine, whose queue keys are only ever the chefs' own ids.
            chosen = str.__str__(choice) if isinstance(choice, str) else None
            ids = tuple(view.id for view in views)
            if chosen not in ids:
                answer = reprlib.repr(choice)  # bounded, and safe if the object's repr raises
                problem = f"returned {answer}, not a chef id ({', '.join(ids)})"
                raise InputError(source, f"{name}.choose", problem)
            return chosen

    PlayerStrategy.name = name
    PlayerStrategy.__name__ = player_cls.__name__
    KITCHEN_STRATEGIES[name] = PlayerStrategy
    return name
