"""Saves, replays and exports in the app, and `pizzashop play --load`: played with Pilot.

A save continued from the title screen ends exactly as the game it was saved from; a replay
watched in the app ends in the same report and lets the player do nothing; exports write both
files and never replace an older one; a file that cannot be opened is one line, left untouched.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from test_ui_campaign import finish, highlight, title
from test_ui_play import SIZE, new_app, panel_text, playing, record_notes, shift
from textual.widgets import OptionList

from pizzashop.cli import main
from pizzashop.player.career import Career
from pizzashop.player.library import REPLAYS, SAVES, listing, save_game
from pizzashop.player.saves import load_save
from pizzashop.sim import InputError, load_scenario
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.launch import build_app
from pizzashop.ui.palette import shift_commands
from pizzashop.ui.screens.dialogs import ChefDialog
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.widgets.status import StatusBar

pytestmark = pytest.mark.usefixtures("home")


@playing
async def test_a_save_continued_from_the_title_ends_as_uninterrupted_play(home: Path) -> None:
    app = new_app("default_day", seed=7)
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = shift(app)
        for _ in range(3):
            await pilot.press("full_stop")
        await pilot.press("h")
        await pilot.click("#ok")
        await pilot.pause()
        for _ in range(4):
            await pilot.press("full_stop")
        await pilot.press("s")
        path = home / "saves" / "default_day-1.json"
        assert ("information", f"Saved to {path}.") in notes
        saved_at, saved_log = screen.game.sim.now, list(screen.game.sim.action_log)
        expected = (await finish(pilot)).report

    resumed = PizzaShopApp(paused=False, live=False)
    async with resumed.run_test(size=SIZE) as pilot:
        listed = title(resumed).query_one("#scenarios", OptionList).get_option("save:0")
        prompt = str(listed.prompt)
        assert "A day at Central" in prompt and "at 11:07 · seed 7" in prompt
        await highlight(pilot, "save:0")
        await pilot.press("enter")
        await pilot.pause()
        game = shift(resumed).game
        assert game.paused, "a continued game waits for the player"
        assert game.sim.now == saved_at == 7.0
        assert game.sim.action_log == saved_log
        report = await finish(pilot)
        assert report.report == expected
    assert not path.exists(), "a save continued to the end of its shift is used up"


@playing
async def test_a_replay_reproduces_the_report_and_the_player_cannot_act(home: Path) -> None:
    app = new_app("opening_day", seed=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")
        shift(app).tick(5.0)
        await pilot.press("space", "enter")
        assert isinstance(app.screen, ChefDialog)
        await pilot.click("#upgrade")
        await pilot.pause()
        report = await finish(pilot)
        expected = report.report
        assert expected["actions"] == 1
        await pilot.press("s")
        replay = home / "replays" / "opening_day-seed5-1.json"
        assert load_save(replay).kind == "replay"
        plays = app.career.record_of("opening_day")
        assert plays is not None and plays.plays == 1
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)

        await highlight(pilot, "replay:0")
        await pilot.press("enter")
        await pilot.pause()
        screen = shift(app)
        game = screen.game
        assert game.mode is Mode.REPLAY and game.paused
        assert "REPLAY" in panel_text(screen.query_one(StatusBar))
        await pilot.press("h", "s", "enter")
        assert isinstance(app.screen, ShiftScreen), "no dialog opens during a replay"
        assert not any(game.allows(kind) for kind in ("hire", "upgrade", "route_kitchen"))
        titles = [command.title for command in shift_commands(screen)]
        assert not any(title.startswith(("Upgrade", "Hire", "Save")) for title in titles)
        await pilot.press("2")
        screen.tick(30.0)
        assert game.sim.now == pytest.approx(60.0), "a replay runs at the chosen speed"
        await pilot.press("space", "full_stop")
        assert game.sim.now == pytest.approx(61.0), "and steps while paused"
        watched = await finish(pilot)
        assert watched.report == expected
        assert watched.standing is None, "watching a replay is not a play"
    assert app.career.record_of("opening_day") == plays


@playing
async def test_export_writes_json_and_csv_and_never_replaces_a_file(home: Path) -> None:
    app = new_app("mmc_lab", seed=1)
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        report = await finish(pilot)
        await pilot.press("e")
        stem = home / "exports" / "mmc_lab-seed1-1"
        json_path, csv_path = stem.with_suffix(".json"), stem.with_suffix(".csv")
        assert json.loads(json_path.read_text())["report"] == report.report
        rows = dict(csv.reader(csv_path.read_text().splitlines()))
        assert float(rows["goodput"]) == report.report["goodput"]
        assert rows["orders_placed"] == str(report.report["orders_placed"])
        assert str(json_path) in notes[-1][1] and str(csv_path) in notes[-1][1]
        first = json_path.read_bytes()
        await pilot.press("e")
        assert (home / "exports" / "mmc_lab-seed1-2.json").exists()
        assert json_path.read_bytes() == first


@playing
async def test_a_save_that_cannot_be_opened_is_one_notification(home: Path) -> None:
    (home / "saves").mkdir(parents=True)
    broken = home / "saves" / "default_day-1.json"
    broken.write_text('{"version": 1, "kind": "save"', encoding="utf-8")
    app = PizzaShopApp(paused=True, live=False)
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, "save:0")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        errors = [message for severity, message in notes if severity == "error"]
        assert len(errors) == 1
        assert "default_day-1.json" in errors[0] and "\n" not in errors[0]
    assert broken.read_text(encoding="utf-8") == '{"version": 1, "kind": "save"'


def saved(kind: str) -> Path:
    """A save (an hour in) or a replay (the whole shift) of the lab, written as the app does."""
    game = Game.start(load_scenario("mmc_lab"), 2)
    if kind == SAVES:
        game.sim.run_until(60.0)
    else:
        game.sim.run()
    return save_game(game.sim, kind)


def test_play_load_opens_saves_and_replays_and_refuses_bad_files(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay = saved(REPLAYS)
    app = build_app(None, None, False, load=replay)
    assert app.game is not None and app.game.mode is Mode.REPLAY and app.game.sim.now == 0
    app = build_app(None, None, False, load=saved(SAVES))
    assert app.game is not None and app.game.mode is Mode.PLAY
    assert app.game.paused and app.game.sim.now == 60.0

    data = json.loads(replay.read_text())
    data["kitchen_strategy"] = "evil.py:Router"
    rogue = home / "rogue.json"
    rogue.write_text(json.dumps(data))
    with pytest.raises(InputError, match=re.escape("strategy: unknown strategy 'evil.py:Router'")):
        build_app(None, None, False, load=rogue)

    before = replay.read_bytes()
    assert main(["play", "--load", str(home / "missing.json")]) == 2
    assert main(["play", "default_day", "--load", str(replay)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["play", "opening_day", "--versus", "evil.py:Router"])
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "missing.json: no such file" in err
    assert "invalid choice: 'evil.py:Router'" in err
    assert replay.read_bytes() == before

    app = build_app("opening_day", 42, False, versus="least_loaded")
    assert app.game is not None and app.game.rival is not None
    assert app.game.sim.seed == app.game.rival.seed == 42


def test_on_a_shared_host_each_player_keeps_their_own_files(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    monkeypatch.setenv("PIZZASHOP_PLAYER", "../Ada")
    path = saved(SAVES)
    assert path == home / "people" / "_46__46__ada" / "saves" / "mmc_lab-1.json", "'..Ada'"
    assert [listed.path for listed in listing(SAVES)] == [path]
    assert Career().progress.path == home / "people" / "_46__46__ada" / "progress.json"
    monkeypatch.setenv("PIZZASHOP_PLAYER", "Bob")
    assert listing(SAVES) == [], "another player does not see Ada's saves"
    assert Career().progress.path == home / "people" / "_bob" / "progress.json"


@playing
async def test_a_hosted_player_sees_their_files_not_the_hosts_paths(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a shared host the notices name a file within the player's own folder: the host's
    directories (the server account's home, other players' folders) are not theirs to read."""
    monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    monkeypatch.setenv("PIZZASHOP_PLAYER", "Ada")
    app = new_app("default_day", seed=7)
    notes = record_notes(app)
    async with app.run_test(size=SIZE) as pilot:
        shift(app)
        await pilot.press("full_stop")
        await pilot.press("s")
        await pilot.pause()
        await finish(pilot)
        await pilot.press("s", "e")
        await pilot.pause()
    shown = "\n".join(text for _, text in notes)
    assert "Saved to saves/default_day-1.json." in shown
    assert "Replay saved to replays/default_day-seed7-1.json" in shown
    assert "exports/default_day-seed7-1.json" in shown
    assert str(home) not in shown and "people" not in shown
