"""The leaderboard: scores per level and seed in SQLite under the data directory.

SQLite in WAL mode with a busy timeout lets many game processes (a class on one SSH host) write
at once without losing a score. Names are cleaned on the way in, so no terminal escape or markup
from a player's name ever reaches anyone's screen.
"""

from __future__ import annotations

import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pizzashop.paths import data_dir

FILE_NAME = "leaderboard.sqlite3"
NAME_LIMIT = 24
_ALLOWED_PUNCTUATION = set(" -_.'")

SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    level TEXT NOT NULL,
    seed INTEGER NOT NULL,
    name TEXT NOT NULL,
    score INTEGER NOT NULL,
    goodput REAL NOT NULL,
    stars INTEGER NOT NULL,
    kind TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_by_level ON scores (level, seed, score DESC);
"""


def clean_name(name: str) -> str:
    """Letters, digits, spaces and -_.' only, at most 24 characters; never empty."""
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", name)
        if ch in _ALLOWED_PUNCTUATION or (ch.isalnum() and ch.isprintable())
    )
    kept = " ".join(kept.split())[:NAME_LIMIT].strip()
    return kept or "anonymous"


@dataclass(frozen=True)
class Entry:
    level: str
    seed: int
    name: str
    score: int
    goodput: float
    stars: int
    kind: str
    created: float


class Leaderboard:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / FILE_NAME
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(
        self, level: str, seed: int, name: str, score: int, goodput: float, stars: int, kind: str
    ) -> Entry:
        entry = Entry(level, seed, clean_name(name), score, goodput, stars, kind, time.time())
        self._db.execute(
            "INSERT INTO scores (level, seed, name, score, goodput, stars, kind, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.level, entry.seed, entry.name, entry.score, entry.goodput, entry.stars,
             entry.kind, entry.created),
        )  # fmt: skip
        return entry

    def top(self, level: str, seed: int | None = None, limit: int = 10) -> list[Entry]:
        """Best scores first; ties go to whoever got there first."""
        query = "SELECT level, seed, name, score, goodput, stars, kind, created FROM scores"
        query += " WHERE level = ?" + (" AND seed = ?" if seed is not None else "")
        query += " ORDER BY score DESC, created ASC LIMIT ?"
        params = (level, seed, limit) if seed is not None else (level, limit)
        return [Entry(*row) for row in self._db.execute(query, params)]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])
