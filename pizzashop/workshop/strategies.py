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
    except Exception as error:  # the participant's module may raise anything while importing
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
            except Exception as error:  # the participant's code may raise anything
                raise InputError(source, f"{player_cls.__name__}()", repr(error)) from None
            self.player.rng = rng

        def route(self, task: Task, chefs: Sequence[ChefLike], station: str) -> str:
            order = task.order
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
            except Exception as error:  # the participant's code may raise anything
                raise InputError(source, f"{name}.choose", f"raised {error!r}") from None
            if not any(view.id == choice for view in views):
                ids = ", ".join(view.id for view in views)
                raise InputError(
                    source, f"{name}.choose", f"returned {choice!r}, not a chef id ({ids})"
                )
            return choice

    PlayerStrategy.name = name
    PlayerStrategy.__name__ = player_cls.__name__
    KITCHEN_STRATEGIES[name] = PlayerStrategy
    return name
