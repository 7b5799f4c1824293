"""A starter kitchen router: copy this file, rename the class, and change `choose`.

Try it:    pizzashop run smart_routing --strategy examples/starter_router.py:StarterRouter
Grade it:  pizzashop grade smart_routing --strategy examples/starter_router.py:StarterRouter

The interface, all of it:

- The class is built with no arguments, once for each branch that routes by it (and again when
  a branch is switched to it): each branch has its own router instance, and what you keep on
  `self` is that branch's alone.
- `choose(self, item, chefs)` is called for every item of every order the branch takes, and
  returns the `id` of one of `chefs`. The item joins that chef's own queue; each chef cooks
  their queue in order, and nothing moves an item to another queue later.
- `item` has `order` (order id), `customer` (customer id, an int: regulars come back with the
  same one), `item` (dish name), `station` (the specialty that cooks it best), `area` and
  `placed` (sim minutes since the doors opened).
- `chefs` is a tuple of the chefs on duty in this branch, in hiring order, never empty. Each has
  `id` (return one of these), `name`, `specialty` ("generalist" until trained), `level`,
  `speed` (the level's multiplier), `load` (items in the chef's queue, plus the one cooking)
  and `busy`.
- `busy` is true only while the chef cooks. A chef who is prepping bases, or waiting for the
  power to come back, is not busy, but may not start your item soon: read `load` as well.
- When a chef leaves (a shift ends, a break, a day off, a fire), the items waiting in their
  queue go back through `choose`, one by one, with the chefs still on duty: a router that keeps
  customers with their chef sees them again here.
- `self.rng` is a `random.Random` seeded from the run's seed, set before the first call: use it,
  never `random` itself, so the same seed gives the same day.
- Use a stable hash if you hash anything (hashlib, zlib.crc32): Python's `hash()` of a string
  changes from one process to the next.
- The router runs in its own process with limits: a few seconds for a call, the standard
  library only, no writing files, no network, no programs. A crash, an exception or an answer
  that is not a chef id ends the run with one line that names your file.
"""


class StarterRouter:
    """Spread orders over the chefs by order number (blind to who is fast or busy)."""

    def choose(self, item, chefs):
        return chefs[item.order % len(chefs)].id
