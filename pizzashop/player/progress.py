"""Campaign progress: stars and best scores per level, in a versioned JSON file.

A file that cannot be read — corrupt, from a newer version, not ours, too big, nested too deep,
holding a number too long to parse or a boolean where a number goes — is never overwritten:
loading raises an `InputError` naming it, and the game then plays without saving progress.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pizzashop.paths import data_dir, write_atomic
from pizzashop.sim.files import InputError, parse_json, read_text, validation_error
from pizzashop.workshop.leaderboard import MAX_SCORE

VERSION = 1
FILE_NAME = "progress.json"
MAX_PLAYS = 10**9
MAX_LEVELS = 1000


class LevelRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    stars: int = Field(0, ge=0, le=3)
    best_score: int | None = Field(None, ge=-MAX_SCORE, le=MAX_SCORE)
    won: bool = False
    plays: int = Field(0, ge=0, le=MAX_PLAYS)


class ProgressFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    version: int
    levels: dict[str, LevelRecord] = Field(default_factory=dict, max_length=MAX_LEVELS)


@dataclass
class Progress:
    """What the player has won so far; `unlocked` follows the campaign order."""

    path: Path
    levels: dict[str, LevelRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Progress:
        path = path or data_dir() / FILE_NAME
        if not path.exists():
            return cls(path)
        source = str(path)
        try:
            data: Any = parse_json(read_text(path), source)
        except InputError as error:
            problem = f"cannot read progress ({error.problem}); left untouched"
            raise InputError(source, error.field, problem) from None
        if not isinstance(data, dict) or type(data.get("version")) is not int:
            raise InputError(source, "version", "not a pizzashop progress file; left untouched")
        if data["version"] < VERSION:
            older = f"written by an older pizzashop (v{data['version']}); left untouched"
            raise InputError(source, "version", older)
        if data["version"] > VERSION:
            newer = f"written by a newer pizzashop (v{data['version']}); left untouched"
            raise InputError(source, "version", newer)
        try:
            parsed = ProgressFile.model_validate(data)
        except ValidationError as error:
            raise validation_error(source, error) from None
        return cls(path, dict(parsed.levels))

    def save(self) -> None:
        body = ProgressFile(version=VERSION, levels=self.levels)
        write_atomic(self.path, json.dumps(body.model_dump(), indent=2, sort_keys=True) + "\n")

    def record(self, level: str, report: dict[str, Any]) -> LevelRecord:
        """Fold one finished shift into the level's record (best stars, best score)."""
        entry = self.levels.setdefault(level, LevelRecord())
        entry.plays += 1
        if "stars" in report:
            entry.stars = max(entry.stars, int(report["stars"]))
            entry.won = entry.won or bool(report.get("won"))
        score = int(report["score"])
        entry.best_score = score if entry.best_score is None else max(entry.best_score, score)
        return entry

    def unlocked(self, order: list[str]) -> set[str]:
        """The first level, and every level after one that was won."""
        open_levels: set[str] = set()
        for index, level in enumerate(order):
            if index == 0 or self.levels.get(order[index - 1], LevelRecord()).won:
                open_levels.add(level)
            else:
                break
        return open_levels
