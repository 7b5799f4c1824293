"""The menu-update dialog takes whatever the player types: a number its input box accepts but no
price can be (`1e999` is infinity) is named in a notification, and the dialog stays open."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import Input

from pizzashop.sim import load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.screens.dialogs import MenuDialog

pytestmark = pytest.mark.usefixtures("home")


async def _push(price: str, minutes: str) -> tuple[PizzaShopApp, list[str], int]:
    app = PizzaShopApp(load_scenario("default_day"), 7, paused=True, live=False)
    notes: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        notes.append(f"{kwargs.get('severity')}: {message}")
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        sim = app.screen.game.sim  # type: ignore[attr-defined]
        await pilot.press("m")
        dialog = app.screen
        assert isinstance(dialog, MenuDialog)
        dialog.query_one("#price", Input).value = price
        dialog.query_one("#minutes", Input).value = minutes
        await pilot.click("#ok")
        await pilot.pause()
        still_open = isinstance(app.screen, MenuDialog)
        versions = len(sim.menu_versions)
        if still_open:  # the player fixes the price and pushes again, with the keyboard
            dialog.query_one("#price", Input).value = "16"
            dialog.query_one("#minutes", Input).value = ""
            dialog.query_one("#price", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, MenuDialog)
            assert sim.menu_versions[-1]["pizza"][0] == 16
        return app, notes, versions if still_open else -versions


@pytest.mark.parametrize(
    ("price", "minutes", "needle"),
    [
        ("1e999", "", "new price: Input should be a finite number"),
        ("-1e999", "", "new price: Input should be a finite number"),
        ("1e300", "", "new price: Input should be less than or equal to"),
        ("-5", "", "new price: Input should be greater than or equal to 0"),
        ("", "1e999", "new cook minutes: Input should be a finite number"),
        ("", "0", "new cook minutes: Input should be greater than 0"),
        ("", "-", "price and minutes are numbers"),
    ],
)
def test_a_number_no_menu_can_hold_is_named_and_the_dialog_stays_open(
    price: str, minutes: str, needle: str
) -> None:
    _, notes, versions = asyncio.run(_push(price, minutes))
    assert versions == 1, "nothing was pushed while the dialog stayed open"
    assert any(note.startswith("error: ") and needle in note for note in notes), notes
