"""A worked example for workshops: consistent hashing as a participant's kitchen router.

Grade it with:  pizzashop grade regulars --strategy examples/ring_router.py:RingRouter

It makes the same choices as the built-in `ring` strategy, item for item: the same hash
(blake2b, 8 bytes, of `chef-id#i` for a chef's points and of `customer:N` for a customer) and
the same number of points per chef as the *regulars* level's `ring_vnodes` (32). With a different
number of points the ring is still consistent, but another ring: other customers land on other
chefs, and the figures differ from `ring`'s.

Never use Python's `hash()` of a string here: it changes in every process (PYTHONHASHSEED), so
the same customer would land on another chef in each run, and never where `ring` puts them.
"""

from bisect import bisect_right
from hashlib import blake2b

POINTS_PER_CHEF = 32
"""Virtual nodes: the regulars level's `ring_vnodes`. More points spread customers more evenly
over the chefs; fewer make the ring cheaper to rebuild."""


def stable_hash(key: str) -> int:
    """The same number for the same text in every process and on every machine."""
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big")


class RingRouter:
    """Consistent hashing: each customer sticks to a chef; a change moves about 1/n of them."""

    def __init__(self) -> None:
        self.members: tuple[str, ...] = ()
        self.points: list[int] = []
        self.owners: list[str] = []

    def choose(self, item, chefs):
        members = tuple(chef.id for chef in chefs)
        if members != self.members:  # a chef came or went: rebuild the ring for who is here
            self.members = members
            ring = sorted(
                (stable_hash(f"{chef}#{i}"), chef)
                for chef in members
                for i in range(POINTS_PER_CHEF)
            )
            self.points = [point for point, _ in ring]
            self.owners = [owner for _, owner in ring]
        index = bisect_right(self.points, stable_hash(f"customer:{item.customer}"))
        return self.owners[index % len(self.owners)]
