"""Answer to exercise 3: each dish to the least-loaded chef of its own team (docs/workshop.md)."""


class Specialists:
    """Each dish to the least-loaded chef of its team; without a team, the least-loaded chef."""

    def choose(self, item, chefs):
        team = [chef for chef in chefs if chef.specialty == item.station] or list(chefs)
        return min(team, key=lambda chef: (chef.load, -chef.speed)).id
