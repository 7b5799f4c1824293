"""A game played once in the game template, headless, before any seat is forked from it.

The first time Python runs a function it rewrites its bytecode for speed (3.11's specialising
interpreter), and Textual builds per-class caches the first time a widget class is styled or
rendered. Done in the template, that work is done once and shared; done in each seat, it is
done sixty times. The rehearsal opens the title screen and moves along its list, then plays a
few seconds of a shift at 4× with the help opened and closed, in a data directory of its own
that is removed after (no player's files are read or written), and leaves no thread, event
loop or open file behind.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from textual.pilot import Pilot

from pizzashop.sim import load_scenario
from pizzashop.ui.app import PizzaShopApp

SIZE = (120, 40)
SHIFT_SECONDS = 1.0
TIMEOUT = 20.0
"""Seconds the whole rehearsal may take: a stuck one must not keep the template from serving."""


@contextmanager
def scratch_home() -> Iterator[None]:
    """PIZZASHOP_HOME points at an empty folder meanwhile, removed after."""
    before = os.environ.get("PIZZASHOP_HOME")
    with tempfile.TemporaryDirectory(prefix="pizzashop-rehearsal-") as folder:
        os.environ["PIZZASHOP_HOME"] = folder
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("PIZZASHOP_HOME", None)
            else:
                os.environ["PIZZASHOP_HOME"] = before


def rehearse() -> None:
    """Raises TimeoutError if it takes longer than TIMEOUT seconds."""
    with scratch_home():
        asyncio.run(asyncio.wait_for(_both(), TIMEOUT))


async def _both() -> None:
    await _title()
    await _shift()


async def _title() -> None:
    app = PizzaShopApp(live=False)

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "up", "end", "home")
        await pilot.pause()
        app.exit()

    await app.run_async(headless=True, size=SIZE, auto_pilot=script)


async def _shift() -> None:
    app = PizzaShopApp(load_scenario("default_day"))

    async def script(pilot: Pilot[None]) -> None:
        await pilot.press("3")
        for _ in range(3):
            await asyncio.sleep(SHIFT_SECONDS / 3)
            await pilot.press("down", "up")
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.exit()

    await app.run_async(headless=True, size=SIZE, auto_pilot=script)
