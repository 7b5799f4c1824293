"""Money: every change of the balance is an entry with a cause, so profit can be explained."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain

INCOME = ("revenue",)
COSTS = ("wages", "rent", "hiring", "upgrades", "opening", "ingredients", "spoilage")
CAUSES = (*INCOME, "refunds", *COSTS)
"""Every cause of a money change, in the order the report and the log list them."""


class Ledger:
    __slots__ = ("_by_cause", "_told", "balance", "entries", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.balance = start
        self.entries = 0
        self._by_cause: dict[str, list[float]] = defaultdict(list)
        self._told: dict[str, int] = {}  # cause -> its entries already given by `changes`

    def post(self, cause: str, amount: float) -> None:
        if amount:
            self._by_cause[cause].append(amount)
            self.balance += amount
            self.entries += 1

    def total(self, cause: str) -> float:
        return math.fsum(self._by_cause.get(cause, ()))

    def causes(self) -> dict[str, float]:
        return {cause: math.fsum(amounts) for cause, amounts in sorted(self._by_cause.items())}

    def changes(self) -> list[tuple[str, float, int]]:
        """(cause, total, entries) for each cause with entries since the last call, in `CAUSES`
        order: what the money log line says."""
        out = []
        for cause in (*CAUSES, *sorted(set(self._by_cause) - set(CAUSES))):
            amounts = self._by_cause.get(cause)
            told = self._told.get(cause, 0)
            if amounts is not None and len(amounts) > told:
                out.append((cause, math.fsum(amounts[told:]), len(amounts) - told))
                self._told[cause] = len(amounts)
        return out

    def exact_balance(self) -> float:
        return self.start + math.fsum(chain.from_iterable(self._by_cause.values()))

    def can_afford(self, cost: float) -> bool:
        return self.balance >= cost
