"""A player's standing in the campaign: progress (in the player's own folder, see
`library.player_dir`) and the shared leaderboard, updated after a level.

Progress that cannot be read (corrupt, newer, not ours) is reported once and then kept only in
memory: the file is never written, so nothing the player had is lost. Each record reloads the
file first, so two games of the same player do not undo each other's stars.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pizzashop.player.identity import player_name
from pizzashop.player.library import player_dir
from pizzashop.player.progress import FILE_NAME, LevelRecord, Progress
from pizzashop.sim import InputError, Scenario, bundled_levels
from pizzashop.sim.catalog import unchanged_bundled
from pizzashop.sim.files import parse_scenario, read_data
from pizzashop.workshop.leaderboard import Entry, Leaderboard

TOP = 5
"""Leaderboard rows shown after a level."""


@dataclass(frozen=True)
class Standing:
    """What one finished level changed, for the report screen."""

    level: str
    seed: int
    record: LevelRecord
    previous_best: int | None
    unlocked: str | None
    """The next level, if this shift opened it."""
    top: list[Entry] = field(default_factory=list)
    mine: Entry | None = None
    """This shift's own leaderboard entry (to mark it in `top`)."""
    problems: list[str] = field(default_factory=list)
    """Why something was not saved; shown to the player."""

    @property
    def new_best(self) -> bool:
        return self.record.best_score is not None and self.record.best_score != self.previous_best


class Career:
    """The campaign order, the player's progress, and whether it can be saved."""

    def __init__(self) -> None:
        self.order = list(bundled_levels())
        self.opened: set[str] = set()
        """Levels an instructor's room opened, whatever the player has won."""
        self.problem: str | None = None
        """Why progress is not being saved (the file could not be read), if so."""
        path = player_dir() / FILE_NAME
        try:
            self.progress = Progress.load(path)
        except InputError as error:
            self.problem = str(error)
            self.progress = Progress(path)

    def record_of(self, level: str) -> LevelRecord | None:
        return self.progress.levels.get(level)

    def unlocked(self) -> set[str]:
        return self.progress.unlocked(self.order) | self.opened

    def open_levels(self, levels: Iterable[str]) -> None:
        """Open these levels for this session (an instructor's room does), known ones only."""
        self.opened |= set(levels) & set(self.order)

    def needed_for(self, level: str) -> str | None:
        """The level to win to unlock `level` (None for the first one)."""
        index = self.order.index(level)
        return self.order[index - 1] if index else None

    def next_after(self, level: str) -> str | None:
        index = self.order.index(level)
        return self.order[index + 1] if index + 1 < len(self.order) else None

    def stars(self) -> tuple[int, int]:
        """Stars earned over the campaign, and the most there are."""
        earned = sum(record.stars for record in self.progress.levels.values())
        return earned, 3 * len(self.order)

    def level_of(self, scenario: Scenario) -> str | None:
        """The campaign level this scenario is, unchanged (a sandbox copy or an edited file is
        not a level and earns no stars)."""
        name = unchanged_bundled(scenario)
        return name if name in bundled_levels() else None

    def finish(self, level: str, seed: int, report: dict[str, Any]) -> Standing:
        """Record a finished shift of `level`: stars and best score, then the leaderboard."""
        problems: list[str] = []
        if self.problem is None:
            try:
                self.progress = Progress.load(self.progress.path)
            except InputError as error:
                self.problem = str(error)
        if self.problem is not None:
            problems.append("progress not saved: the progress file could not be read")
        before = self.progress.levels.get(level)
        best = None if before is None else before.best_score
        unlocked = self.unlocked()
        record = self.progress.record(level, report).model_copy()
        if self.problem is None:
            try:
                self.progress.save()
            except OSError as error:
                problems.append(f"progress not saved: {error}")
        following = self.next_after(level)
        opened = following if following in self.unlocked() - unlocked else None
        top, mine = self._board(level, seed, report, problems)
        return Standing(
            level,
            seed,
            record,
            previous_best=best,
            unlocked=opened,
            top=top,
            mine=mine,
            problems=problems,
        )

    @staticmethod
    def _board(
        level: str, seed: int, report: dict[str, Any], problems: list[str]
    ) -> tuple[list[Entry], Entry | None]:
        """Add the shift to the leaderboard and read the top scores; a store that fails (a
        locked file, a PostgreSQL server gone) costs the leaderboard, never the report."""
        try:
            board = Leaderboard()
        except (InputError, OSError, sqlite3.Error) as error:
            problems.append(f"leaderboard unavailable: {error}")
            return [], None
        try:
            mine = board.add(
                level, seed, player_name(), int(report["score"]), float(report["goodput"]),
                int(report.get("stars", 0)), "play",
            )  # fmt: skip
            return board.top(level, seed, TOP), mine
        except Exception as error:  # sqlite3's and psycopg's errors share no base class
            problems.append(f"leaderboard not updated: {error}")
            return [], None
        finally:
            board.close()


def level_title(level: str) -> str:
    """A level's title for messages, or its id when its file cannot be read."""
    path = bundled_levels().get(level)
    if path is None:
        return level
    try:
        return parse_scenario(read_data(path), str(path)).title or level
    except InputError:
        return level
