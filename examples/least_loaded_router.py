"""Exercise 2 (docs/workshop.md): a least-loaded router, to finish.

The interface is in examples/starter_router.py. Run and grade it with:

    pizzashop run smart_routing --strategy examples/least_loaded_router.py:LeastLoaded
    pizzashop grade smart_routing --strategy examples/least_loaded_router.py:LeastLoaded --name YOU
"""


class LeastLoaded:
    """The chef with the least work waiting gets the next item."""

    def choose(self, item, chefs):
        # TODO: pick the chef with the smallest `load` (items queued, plus the one cooking).
        # TODO: then choose a tie-break: the first in hiring order? the faster (`speed`)? one
        #       picked with self.rng? Grade each and compare p95.
        return chefs[0].id
