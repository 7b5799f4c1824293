"""The menu and its versions: what each dish sells for, how long it cooks, and where.

Version 0 is the scenario's menu. A menu update makes a new version, which reaches each branch
after that branch's delay (`timeline.py`). An order keeps the version that was current when it was
placed: a branch still on an older version of a dish that changed cooks it stale (refunded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pizzashop.sim.scenario import Scenario


class Recipe:
    """A dish's cooking constants, copied once off its menu item (pydantic attributes are slow)."""

    __slots__ = ("cv", "prep_saving", "service", "station", "uses")

    def __init__(
        self, service: str, cv: float, station: str, uses: str | None, prep_saving: float
    ) -> None:
        self.service = service
        self.cv = cv
        self.station = station
        self.uses = uses
        self.prep_saving = prep_saving


class Menu:
    """Every version of the menu so far, and each dish's recipe and station (which team cooks it).

    `versions[v][dish]` is (price, cook minutes) in version v; `changes[v]` names the dishes that
    version changed.
    """

    __slots__ = ("changes", "recipes", "stations", "versions")

    def __init__(self, scenario: Scenario) -> None:
        self.versions = [
            {name: (item.price, item.cook_minutes) for name, item in scenario.menu.items()}
        ]
        self.changes: list[frozenset[str]] = [frozenset()]
        self.stations = {name: item.station or name for name, item in scenario.menu.items()}
        self.recipes = {
            name: Recipe(item.service, item.cv, self.stations[name], item.uses, item.prep_saving)
            for name, item in scenario.menu.items()
        }

    def latest(self) -> int:
        """The newest version: the one a new order is placed on."""
        return len(self.versions) - 1

    def publish(self, item: str, price: float | None, cook_minutes: float | None) -> int:
        """A new version with `item`'s price or cook time changed (None keeps it); its number."""
        current = dict(self.versions[-1])
        old_price, old_minutes = current[item]
        current[item] = (
            old_price if price is None else price,
            old_minutes if cook_minutes is None else cook_minutes,
        )
        self.versions.append(current)
        self.changes.append(frozenset({item}))
        return len(self.versions) - 1

    def stale(self, item: str, cooked: int, ordered: int) -> bool:
        """Whether `item` changed after version `cooked`, up to the order's version `ordered`."""
        return any(item in names for names in self.changes[cooked + 1 : ordered + 1])
