"""A worked example for workshops: consistent hashing as a participant's kitchen router.

Grade it with:  pizzashop grade regulars --strategy examples/ring_router.py:RingRouter
"""

from bisect import bisect_right
from hashlib import blake2b

POINTS_PER_CHEF = 64


def _hash(key: str) -> int:
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big")


class RingRouter:
    """Consistent hashing: each customer sticks to a chef; a change moves about 1/n of them."""

    def __init__(self) -> None:
        self.members: tuple[str, ...] = ()
        self.points: list[int] = []
        self.owners: list[str] = []

    def choose(self, item, chefs):
        members = tuple(chef.id for chef in chefs)
        if members != self.members:
            self.members = members
            ring = sorted(
                (_hash(f"{chef}#{i}"), chef) for chef in members for i in range(POINTS_PER_CHEF)
            )
            self.points = [point for point, _ in ring]
            self.owners = [owner for _, owner in ring]
        index = bisect_right(self.points, _hash(f"customer:{item.customer}"))
        return self.owners[index % len(self.owners)]
