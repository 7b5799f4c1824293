"""Each player's own folder on a shared host: no two names ever share one (on any file system),
and each kind of file a player writes there is capped, oldest out first."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from helpers import lab
from hypothesis import given
from hypothesis import strategies as st

from pizzashop.paths import prune
from pizzashop.player.identity import folder_name, name_of_folder
from pizzashop.player.library import (
    EXPORTS,
    KEEP,
    REPLAYS,
    SAVES,
    export_shift,
    listing,
    old_player_folders,
    player_dir,
    save_game,
)
from pizzashop.sim import Simulation
from pizzashop.workshop.leaderboard import clean_name

SAFE = re.compile(r"[a-z0-9_-]+")
COLLIDED = ["Мария", "日本語", "a.da", "a da", "a_da", "a-da", "Zoë", "Zoé", "ada", "Ada", "shift"]
"""Names that shared a folder before (non-Latin ones all went to `shift`)."""


@given(st.text(min_size=1))
def test_a_folder_spells_out_exactly_one_name(name: str) -> None:
    folder = folder_name(name)
    assert name_of_folder(folder) == name, "the name comes back: no two names share a folder"
    assert SAFE.fullmatch(folder), "lowercase ASCII: equal under any case folding or normalisation"
    assert unicodedata.normalize("NFD", folder) == folder == folder.casefold()


@given(st.text(min_size=1), st.text(min_size=1))
def test_different_names_differ_even_where_case_is_ignored(first: str, second: str) -> None:
    if first != second:
        assert folder_name(first).casefold() != folder_name(second).casefold()


@given(st.text())
def test_every_cleaned_name_fits_a_file_name(raw: str) -> None:
    assert len(folder_name(clean_name(raw)).encode()) <= 255


def test_the_longest_names_fit_too() -> None:
    widest = chr(0x3134A)  # a letter with the largest code point there is (CJK extension G)
    assert clean_name(widest * 40) == widest * 24
    assert len(folder_name(widest * 24)) == 192


def test_names_that_collided_before_have_folders_of_their_own(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    folders = []
    for name in COLLIDED:
        monkeypatch.setenv("PIZZASHOP_PLAYER", name)
        folders.append(player_dir())
    assert len({str(folder).casefold() for folder in folders}) == len(COLLIDED)
    assert all(folder.parent == home / "people" for folder in folders)
    assert [path.name for path in folders[:4]] == [
        "_1052__1072__1088__1080__1103_", "_26085__26412__35486_", "a_46_da", "a-da",
    ]  # fmt: skip
    assert folder_name("Ada Lovelace") == "_ada-_lovelace"
    monkeypatch.setenv("PIZZASHOP_PLAYER", unicodedata.normalize("NFD", "Zoë"))
    assert player_dir() == folders[COLLIDED.index("Zoë")], "one name however it is encoded"


def test_a_folder_from_the_old_mapping_is_left_alone(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`players/ada` may hold the files of `ada.`, `_ada_` or `ada`: no one inherits them."""
    monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    monkeypatch.setenv("PIZZASHOP_PLAYER", "ada")
    old = home / "players" / "ada" / "saves"
    old.mkdir(parents=True)
    sim = shift()
    save_game(sim)
    (old / "lab-1.json").write_bytes((player_dir() / SAVES / "lab-1.json").read_bytes())
    assert [entry.path.parent for entry in listing(SAVES)] == [player_dir() / SAVES]
    assert old_player_folders() == 1
    assert (old / "lab-1.json").exists()


def shift() -> Simulation:
    sim = Simulation(lab(), seed=1)
    sim.run_until(5.0)
    return sim


def test_on_a_shared_host_each_kind_keeps_the_newest_files(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIZZASHOP_HOSTED", "1")
    monkeypatch.setenv("PIZZASHOP_PLAYER", "ada")
    sim = shift()
    saves = [save_game(sim) for _ in range(KEEP + 15)]
    finished = Simulation(lab(), seed=1)
    finished.run()
    for _ in range(KEEP + 3):
        save_game(finished, REPLAYS)
        export_shift(finished)
    folder = player_dir()
    kept = sorted((folder / SAVES).iterdir(), key=lambda path: number(path.name))
    assert kept == saves[-KEEP:], "the oldest went first"
    assert number(save_game(sim).name) == KEEP + 16, "numbers go on from the highest"
    assert len(list((folder / SAVES).iterdir())) == KEEP
    assert len(list((folder / REPLAYS).iterdir())) == KEEP
    exports = sorted(path.name for path in (folder / EXPORTS).iterdir())
    assert len(exports) == 3 * KEEP, "an export is its three files, removed together"
    assert "lab-seed1-4.json" in exports and "lab-seed1-3-timeline.csv" not in exports


def test_a_local_player_keeps_everything(home: Path) -> None:
    sim = shift()
    for _ in range(KEEP + 5):
        save_game(sim)
    assert len(list((home / SAVES).iterdir())) == KEEP + 5


def test_pruning_orders_files_of_one_tick_by_number(tmp_path: Path) -> None:
    for n in (1, 2, 9, 10, 11):
        (tmp_path / f"day-{n}.json").write_text("{}")
        os.utime(tmp_path / f"day-{n}.json", (1000, 1000))
    (tmp_path / "day-9.csv").write_text("")
    (tmp_path / "notes.txt").write_text("")
    prune(tmp_path, 2, (".json", ".csv"))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "day-10.json", "day-11.json", "notes.txt",
    ]  # fmt: skip


def number(name: str) -> int:
    return int(name.removesuffix(".json").rsplit("-", 1)[1])
