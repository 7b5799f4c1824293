"""A player's own files — saves, replays, exported reports — under the data directory.

On a shared host (the SSH and web servers set `PIZZASHOP_HOSTED`) every session has the same
data directory, so each player's files live in a folder of their own under `people/`, named by
`identity.folder_name` (one name, one folder; no two names share one). Every new file gets the
number after the highest of its kind (`default_day-3.json`), claimed by creating it exclusively,
so neither a second game nor a second press of the key ever replaces an older file. On a shared
host each kind keeps the newest KEEP files (the ones the title screen lists) and removes older
ones, so a player cannot fill the host's disk. Listing and opening never write anything.

Folders under `players/`, from before names had folders of their own, are never read or
written: their names could be shared by several players (see docs/hosting.md).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pizzashop.paths import data_dir, prune
from pizzashop.player.identity import folder_name, player_name
from pizzashop.player.saves import SaveFile, export_report, load_save, write_save
from pizzashop.sim import KITCHEN_STRATEGIES, InputError, Simulation

HOSTED = "PIZZASHOP_HOSTED"
PEOPLE = "people"
OLD_PLAYERS = "players"
"""Where players' folders were before each name had its own; no longer used."""
SAVES = "saves"
REPLAYS = "replays"
EXPORTS = "exports"
EXPORT_SUFFIXES = (".json", ".csv", "-timeline.csv")
LISTED = 20
"""The newest files of a kind shown on the title screen (each one is read and validated)."""
KEEP = LISTED
"""On a shared host, the files of each kind a player keeps (an export counts once)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def hosted() -> bool:
    """Is this game one of many on a shared host (started by `serve ssh` or `serve web`)?"""
    return bool(os.environ.get(HOSTED))


def file_stem(name: str) -> str:
    """A scenario name made safe as a file name on any system."""
    return _UNSAFE.sub("_", name).strip("_")[:40] or "shift"


def player_dir() -> Path:
    """Where this player's progress, saves, replays and exports go."""
    if not hosted():
        return data_dir()
    return data_dir() / PEOPLE / folder_name(player_name())


def shown_path(path: Path) -> str:
    """A file as its player should see it: on a shared host relative to their own folder (the
    host's layout is not theirs to read), locally the whole path."""
    if hosted():
        try:
            return str(path.relative_to(player_dir()))
        except ValueError:
            return path.name
    return str(path)


def shown_error(error: OSError) -> str:
    """Why a file could not be written, without the host's paths on a shared host."""
    if hosted():
        return error.strerror or type(error).__name__
    return str(error)


def old_player_folders() -> int:
    """How many folders the data directory still has from the old, shared mapping."""
    try:
        return sum(1 for entry in (data_dir() / OLD_PLAYERS).iterdir() if entry.is_dir())
    except OSError:
        return 0


def claim(folder: Path, stem: str, suffixes: tuple[str, ...] = (".json",)) -> Path:
    """`folder/stem-n` plus the first suffix, n one more than the highest of `stem` there.

    The first file is created empty and exclusively (the caller then replaces it atomically), so
    two games saving at once get different numbers.
    """
    folder.mkdir(parents=True, exist_ok=True)
    first = suffixes[0]
    taken = [
        int(middle)
        for path in folder.iterdir()
        if path.name.startswith(f"{stem}-") and path.name.endswith(first)
        and (middle := path.name[len(stem) + 1 : -len(first)]).isascii() and middle.isdigit()
    ]  # fmt: skip
    number = max(taken, default=0) + 1
    while True:
        base = folder / f"{stem}-{number}"
        paths = [base.with_name(base.name + suffix) for suffix in suffixes]
        if not any(path.exists() for path in paths):
            try:
                paths[0].open("x").close()
            except FileExistsError:
                pass
            else:
                return paths[0]
        number += 1


def _make_room(folder: Path, suffixes: tuple[str, ...] = (".json",)) -> None:
    """On a shared host, remove the oldest files of `folder` so one more fits in KEEP."""
    if hosted():
        prune(folder, KEEP - 1, suffixes)


def save_game(sim: Simulation, kind: str = SAVES) -> Path:
    """Write the game (mid-shift: a save; finished: a replay) to a new file of `kind`."""
    stem = file_stem(sim.scenario.name)
    if kind == REPLAYS:
        stem += f"-seed{sim.seed}"
    folder = player_dir() / kind
    _make_room(folder)
    path = claim(folder, stem)
    try:
        write_save(path, sim)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def export_shift(sim: Simulation) -> list[Path]:
    """The shift's report as JSON and CSV (and its time series) in new files under exports/."""
    stem = f"{file_stem(sim.scenario.name)}-seed{sim.seed}"
    folder = player_dir() / EXPORTS
    _make_room(folder, EXPORT_SUFFIXES)
    claimed = claim(folder, stem, EXPORT_SUFFIXES)
    try:
        return export_report(sim, claimed.with_suffix(""))
    except BaseException:
        claimed.unlink(missing_ok=True)
        raise


def open_save(path: Path) -> SaveFile:
    """A save or replay file, checked so it can be played: the routing it names must be one of
    the game's own strategies (the game never loads a participant's code)."""
    save = load_save(path)
    strategy = save.kitchen_strategy
    if strategy is not None and strategy not in KITCHEN_STRATEGIES:
        choices = ", ".join(KITCHEN_STRATEGIES)
        problem = f"unknown strategy {strategy!r} (choose from {choices})"
        raise InputError(str(path), "kitchen_strategy", problem)
    return save


@dataclass(frozen=True)
class Listed:
    """One file in a listing: its contents, or why they cannot be used."""

    path: Path
    modified: float
    """When the file was written (seconds since the epoch)."""
    save: SaveFile | None
    problem: str | None = None


def listing(kind: str) -> list[Listed]:
    """The newest files of `kind` (saves or replays), newest first, each opened or its problem."""
    folder = player_dir() / kind
    try:
        files = [(path.stat().st_mtime, path) for path in folder.glob("*.json") if path.is_file()]
    except OSError:
        return []
    files.sort(key=lambda file: (file[0], file[1].name), reverse=True)
    found = []
    for modified, path in files[:LISTED]:
        try:
            found.append(Listed(path, modified, open_save(path)))
        except InputError as error:
            found.append(Listed(path, modified, None, str(error)))
    return found


def delete_save(path: Path) -> bool:
    """Delete one of this player's save or replay files (never anything else); whether it went."""
    folders = {(player_dir() / kind).resolve() for kind in (SAVES, REPLAYS)}
    try:
        if path.resolve().parent not in folders or path.suffix != ".json" or not path.is_file():
            return False
        path.unlink()
    except OSError:
        return False
    return True
