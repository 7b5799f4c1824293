"""Entry point from the command line: load the scenario first (a bad one is a one-line error
with exit status 2, raised before the terminal is touched), then run the app."""

from __future__ import annotations

from pizzashop.sim import DEFAULT_SCENARIO, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.codex import load_codex


def launch(scenario: str | None, seed: int | None, title: bool) -> int:
    """Run the game; returns the exit status (0 after a clean quit)."""
    loaded = None if title else load_scenario(scenario or DEFAULT_SCENARIO)
    app = PizzaShopApp(loaded, seed, codex=load_codex())
    app.run()
    return app.return_code or 0
