"""Answer to exercise 2: least loaded, ties to the faster chef (docs/workshop.md, answer key)."""


class LeastLoaded:
    """The chef with the least work waiting gets the next item; ties go to the faster chef."""

    def choose(self, item, chefs):
        return min(chefs, key=lambda chef: (chef.load, -chef.speed)).id
