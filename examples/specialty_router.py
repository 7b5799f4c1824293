"""Exercise 3 (docs/workshop.md): send each dish to its own team, to finish.

Routing alone cannot win garlic bread: every chef starts as a generalist, so no chef's
`specialty` ever equals `item.station` until you train them. Grade the router together with an
action file that makes the teams (`set_specialty`, and `hire` with a specialty):

    pizzashop grade examples/scenarios/garlic_bread_router.toml \
        --strategy examples/specialty_router.py:SpecialtyRouter --actions my_teams.toml --name YOU
"""


class SpecialtyRouter:
    """Each dish to a chef of its own team; without a team, to anyone."""

    def choose(self, item, chefs):
        team = [chef for chef in chefs if chef.specialty == item.station]
        # TODO: with no team for this dish, who should cook it? Everyone is a candidate now.
        candidates = team or list(chefs)
        # TODO: inside the team, pick by `load` (and perhaps `speed`), not always the first.
        return candidates[0].id
