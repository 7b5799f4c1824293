"""The menu-update dialog has no box to type a price or cook time into: it lists the updates the
scenario offers, and whatever key the player presses, only one of them is pushed (`1e999`, a
negative price or a 1-minute recipe cannot even be entered)."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, OptionList

from pizzashop.sim import load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.dialogs import MenuDialog

pytestmark = pytest.mark.usefixtures("home")


async def _push(keys: list[str]) -> tuple[list[str], list[tuple[float | None, float | None]]]:
    app = PizzaShopApp(load_scenario("default_day"), 7, paused=True, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        sim = app.screen.game.sim  # type: ignore[attr-defined]
        await pilot.press("m")
        dialog = app.screen
        assert isinstance(dialog, MenuDialog)
        assert not dialog.query(Input), "nothing to type a number into"
        offers = [str(o.prompt).split("  ")[0] for o in dialog.query_one(OptionList).options]
        await pilot.press(*keys)
        await pilot.pause()
        assert not isinstance(app.screen, MenuDialog)
        pushed = [(action.price, action.cook_minutes) for action, _ in sim.action_log]
        return offers, pushed


@pytest.mark.parametrize(
    ("keys", "pushed"),
    [
        (["enter"], [(16, None)]),
        (["down", "enter"], [(None, 8)]),
        (["1", "e", "9", "9", "9", "enter"], [(16, None)]),  # typed digits are no price
        (["-", "5", "down", "enter"], [(None, 8)]),
        (["escape"], []),
    ],
)
def test_whatever_is_typed_only_an_offer_is_pushed(keys: list[str], pushed: list) -> None:
    offers, done = asyncio.run(_push(keys))
    assert offers == ["pizza: price 16", "pizza: cooks in 8 min"]
    assert done == pushed
