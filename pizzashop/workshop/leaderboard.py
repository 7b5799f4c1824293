"""The leaderboard: scores per level and seed in SQLite under the data directory.

SQLite in WAL mode with a busy timeout lets many game processes (a class on one SSH host) write
at once without losing a score. Names are cleaned on the way in, so no terminal escape or markup
from a player's name ever reaches anyone's screen.

When a class outgrows one host, several hosts share one leaderboard in PostgreSQL: the
`PIZZASHOP_LEADERBOARD` variable (set by `--leaderboard`) names the store — a postgresql:// URL
or a SQLite file — and `Leaderboard()` opens it, so every game process a server starts uses it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from time import monotonic, sleep
from typing import Any, Protocol

from pizzashop.paths import data_dir
from pizzashop.sim.files import InputError
from pizzashop.workshop.room import clean_line

FILE_NAME = "leaderboard.sqlite3"
STORE_VARIABLE = "PIZZASHOP_LEADERBOARD"
"""A postgresql:// URL or a SQLite file; unset means FILE_NAME under the data directory."""
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
CREATE TABLE IF NOT EXISTS room_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round TEXT NOT NULL,
    level TEXT NOT NULL,
    seed INTEGER NOT NULL,
    name TEXT NOT NULL,
    goodput REAL NOT NULL,
    score INTEGER NOT NULL,
    stars INTEGER NOT NULL,
    orders_lost INTEGER NOT NULL,
    routing TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS room_rounds_by_round ON room_rounds (round);
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


@dataclass(frozen=True)
class RoundEntry:
    """One participant of an instructor's room round, with the routing they ended with."""

    round: str
    level: str
    seed: int
    name: str
    goodput: float
    score: int
    stars: int
    orders_lost: int
    routing: str
    created: float


class _Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class _Connection(Protocol):
    """What the leaderboard needs of a database connection (sqlite3's, or PostgreSQL's adapted)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> _Cursor: ...

    def close(self) -> None: ...


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def configured_store() -> str:
    """The store `PIZZASHOP_LEADERBOARD` names, or "" for the default SQLite file."""
    return os.environ.get(STORE_VARIABLE, "").strip()


SETUP_SECONDS = 30.0


def _open_sqlite(path: Path) -> sqlite3.Connection:
    """Connect, switch a new file to WAL and create the table.

    Several game processes may open a new leaderboard at the same instant. SQLite can answer
    "database is locked" to the switch to WAL without waiting on its busy timeout, so that
    first-time setup is retried for a while; every later write waits on the timeout as usual.
    """
    db = sqlite3.connect(path, timeout=SETUP_SECONDS, isolation_level=None)
    deadline = monotonic() + SETUP_SECONDS
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            return db
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or monotonic() > deadline:
                db.close()
                raise
            sleep(0.05)


class Leaderboard:
    """Scores in the SQLite file `path`; with no path, in the configured store.

    `Leaderboard()` is a `PostgresLeaderboard` when `PIZZASHOP_LEADERBOARD` holds a PostgreSQL
    URL, so game processes started by a server share its store without knowing which it is.
    """

    def __new__(cls, path: Path | None = None) -> Leaderboard:
        if cls is Leaderboard and path is None and is_postgres_url(configured_store()):
            cls = PostgresLeaderboard
        return super().__new__(cls)

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(configured_store() or data_dir() / FILE_NAME)
        self._db: _Connection = _open_sqlite(self.path)

    @property
    def where(self) -> str:
        """Where the scores live, for logs and headers (never a password)."""
        return str(self.path)

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
        query += " ORDER BY score DESC, created ASC, id ASC LIMIT ?"
        params = (level, seed, limit) if seed is not None else (level, limit)
        return [Entry(*row) for row in self._db.execute(query, params)]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])

    def add_round(self, entry: RoundEntry) -> RoundEntry:
        """One participant's result in an instructor's room round (name and routing cleaned)."""
        entry = replace(entry, name=clean_name(entry.name), routing=clean_line(entry.routing, 60))
        self._db.execute(
            "INSERT INTO room_rounds (round, level, seed, name, goodput, score, stars,"
            " orders_lost, routing, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.round, entry.level, entry.seed, entry.name, entry.goodput, entry.score,
             entry.stars, entry.orders_lost, entry.routing, entry.created),
        )  # fmt: skip
        return entry

    def round_ranking(self, round_id: str) -> list[RoundEntry]:
        """A round's entries, best first: by goodput, then score; a tie (the same day played
        alike) by name, as the room ranks it."""
        query = (
            "SELECT round, level, seed, name, goodput, score, stars, orders_lost, routing, created"
            " FROM room_rounds WHERE round = ? ORDER BY goodput DESC, score DESC, name, id"
        )
        return [RoundEntry(*row) for row in self._db.execute(query, (round_id,))]


POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level TEXT NOT NULL,
    seed BIGINT NOT NULL,
    name TEXT NOT NULL,
    score BIGINT NOT NULL,
    goodput DOUBLE PRECISION NOT NULL,
    stars INTEGER NOT NULL,
    kind TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_by_level ON scores (level, seed, score DESC);
CREATE TABLE IF NOT EXISTS room_rounds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round TEXT NOT NULL,
    level TEXT NOT NULL,
    seed BIGINT NOT NULL,
    name TEXT NOT NULL,
    goodput DOUBLE PRECISION NOT NULL,
    score BIGINT NOT NULL,
    stars INTEGER NOT NULL,
    orders_lost BIGINT NOT NULL,
    routing TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS room_rounds_by_round ON room_rounds (round);
"""
SCHEMA_LOCK = 0x7069_7A7A_6173
"""An advisory lock id: hosts starting together create the schema one at a time (PostgreSQL's
CREATE … IF NOT EXISTS is not safe against a concurrent twin)."""


def masked_url(url: str) -> str:
    """The URL without its password, fit for a log line or an error."""
    url = re.sub(r"(://[^:@/]*):[^@/]*@", r"\1:***@", url)
    return re.sub(r"(password=)[^&]*", r"\1***", url)


class _PostgresConnection:
    """psycopg's connection with the leaderboard's `?` placeholders (psycopg wants `%s`)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> _Cursor:
        result: _Cursor = self._connection.execute(sql.replace("?", "%s"), parameters)
        return result

    def close(self) -> None:
        self._connection.close()


class PostgresLeaderboard(Leaderboard):
    """The same leaderboard in PostgreSQL, shared by several hosts; every score commits at once.

    `url` defaults to the configured store. A bad URL, a missing driver or a server that cannot
    be reached is an `InputError` naming the URL (password masked), never a traceback.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or configured_store()
        where = masked_url(self.url)
        try:
            import psycopg
        except ImportError:
            raise InputError(
                where, "", "PostgreSQL needs the postgres extra: pip install 'pizzashop[postgres]'"
            ) from None
        try:
            connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.ProgrammingError as error:
            raise InputError(where, "", f"not a PostgreSQL URL ({_first_line(error)})") from None
        except psycopg.Error as error:
            raise InputError(where, "", f"cannot connect ({_first_line(error)})") from None
        try:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                connection.execute(POSTGRES_SCHEMA)
        except psycopg.Error as error:
            connection.close()
            problem = f"cannot create the scores table ({_first_line(error)})"
            raise InputError(where, "", problem) from None
        self._db = _PostgresConnection(connection)

    @property
    def where(self) -> str:
        return masked_url(self.url)


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def use_store(target: str | None = None) -> Leaderboard:
    """Open the leaderboard `target` names (a postgresql:// URL or a SQLite file), else the
    configured one, and make it the store of every process this one starts. Opening it now makes
    a bad one fail here, in one line, and not later in a player's game."""
    target = (target or configured_store()).strip()
    if target and not is_postgres_url(target):
        target = str(Path(target).expanduser().resolve())
    if target:
        os.environ[STORE_VARIABLE] = target
    try:
        return Leaderboard()
    except sqlite3.Error as error:
        where = target or str(data_dir() / FILE_NAME)
        raise InputError(where, "", f"not a usable SQLite leaderboard ({error})") from None
