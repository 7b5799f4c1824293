"""Money: every change of the balance is an entry with a cause, so profit can be explained."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain

INCOME = ("revenue",)
COSTS = ("wages", "rent", "hiring", "upgrades", "opening", "ingredients", "spoilage")


class Ledger:
    __slots__ = ("_by_cause", "balance", "entries", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.balance = start
        self.entries = 0
        self._by_cause: dict[str, list[float]] = defaultdict(list)

    def post(self, cause: str, amount: float) -> None:
        if amount:
            self._by_cause[cause].append(amount)
            self.balance += amount
            self.entries += 1

    def total(self, cause: str) -> float:
        return math.fsum(self._by_cause.get(cause, ()))

    def causes(self) -> dict[str, float]:
        return {cause: math.fsum(amounts) for cause, amounts in sorted(self._by_cause.items())}

    def exact_balance(self) -> float:
        return self.start + math.fsum(chain.from_iterable(self._by_cause.values()))

    def can_afford(self, cost: float) -> bool:
        return self.balance >= cost
