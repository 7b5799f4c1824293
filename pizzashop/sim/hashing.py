"""Modulo hashing and a consistent-hash ring with virtual nodes, plus the remap meter.

Hashes come from blake2b, not Python's `hash()`, so placement is the same on every run and machine.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from hashlib import blake2b


@lru_cache(maxsize=65536)
def stable_hash(key: str) -> int:
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big")


def customer_key(customer: int) -> int:
    return stable_hash(f"customer:{customer}")


def modulo_pick(customer: int, members: Sequence[str]) -> str:
    """m % n: the customer id modulo the number of members (in their fixed order)."""
    return members[customer % len(members)]


class Ring:
    """A consistent-hash ring: each member owns `vnodes` points; a key goes to the next point."""

    __slots__ = ("_owners", "_points", "members")

    def __init__(self, members: Sequence[str], vnodes: int) -> None:
        self.members = tuple(members)
        placed = sorted(
            (stable_hash(f"{member}#{i}"), member) for member in self.members for i in range(vnodes)
        )
        self._points = [point for point, _ in placed]
        self._owners = [member for _, member in placed]

    def pick(self, customer: int) -> str:
        index = bisect_right(self._points, customer_key(customer))
        return self._owners[index % len(self._owners)]


REMAP_SAMPLE = 10_000


def remapped_fraction(before: list[str], after: list[str], population: int, vnodes: int) -> dict:
    """Share of customers whose member changes, under modulo and under a ring, for one change.

    Large populations are measured on their first `REMAP_SAMPLE` customers, which keeps a chef
    change cheap while the fraction stays within about a percent.
    """
    if not before or not after:
        return {"modulo": 1.0, "ring": 1.0}
    population = min(population, REMAP_SAMPLE)
    ring_before, ring_after = Ring(before, vnodes), Ring(after, vnodes)
    moved_mod = moved_ring = 0
    for customer in range(population):
        moved_mod += modulo_pick(customer, before) != modulo_pick(customer, after)
        moved_ring += ring_before.pick(customer) != ring_after.pick(customer)
    return {"modulo": moved_mod / population, "ring": moved_ring / population}
