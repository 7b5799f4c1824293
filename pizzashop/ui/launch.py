"""Entry point from the command line: load the scenario or the saved file first (bad input is a
one-line error with exit status 2, raised before the terminal is touched), then run the app."""

from __future__ import annotations

from pathlib import Path

from pizzashop.player.library import open_save
from pizzashop.sim import DEFAULT_SCENARIO, InputError, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.codex import load_codex
from pizzashop.ui.collector import tune_collector
from pizzashop.ui.crash import run_app
from pizzashop.ui.game import Game
from pizzashop.ui.lenient_input import decode_leniently
from pizzashop.ui.seat import seat_from_environment


def build_app(
    scenario: str | None,
    seed: int | None,
    title: bool,
    load: Path | None = None,
    versus: str | None = None,
) -> PizzaShopApp:
    """The app for these arguments: the title screen, a shift (against `versus`, a registered
    strategy), or the game or replay saved in `load`."""
    if load is not None:
        if scenario is not None or seed is not None or versus is not None:
            raise InputError(
                "--load", "", "the file has its own scenario and seed: give no SCENARIO, --seed "
                "or --versus with it",
            )  # fmt: skip
        save = open_save(load)
        game = Game.replay(save) if save.kind == "replay" else Game.resume(save)
        return PizzaShopApp(game=game, codex=load_codex())
    if title:
        return PizzaShopApp(codex=load_codex(), seat=seat_from_environment())
    loaded = load_scenario(scenario or DEFAULT_SCENARIO)
    return PizzaShopApp(game=Game.start(loaded, seed, versus=versus), codex=load_codex())


def launch(
    scenario: str | None,
    seed: int | None,
    title: bool,
    load: Path | None = None,
    versus: str | None = None,
) -> int:
    """Run the game; returns the exit status (0 after a clean quit)."""
    decode_leniently()
    tune_collector()
    return run_app(lambda: build_app(scenario, seed, title, load, versus))
