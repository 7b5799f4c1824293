"""The leaderboard: scores per level and seed in SQLite under the data directory.

SQLite in WAL mode with a busy timeout lets many game processes (a class on one SSH host) write
at once without losing a score. Names are cleaned on the way in, and every row is checked and
cleaned again on the way out (another program may have written the file): no terminal escape or
markup ever reaches anyone's screen, and no number too big to print is read.

When a class outgrows one host, several hosts share one leaderboard in PostgreSQL: the
`PIZZASHOP_LEADERBOARD` variable (set by `--leaderboard`) names the store — a postgresql:// URL
or a SQLite file — and `Leaderboard()` opens it, so every game process a server starts uses it.
"""

from __future__ import annotations

import hashlib
import math
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
from urllib.parse import unquote

from pizzashop.paths import data_dir
from pizzashop.sim.catalog import unchanged_bundled
from pizzashop.sim.files import InputError, not_regular
from pizzashop.sim.scenario import Scenario
from pizzashop.workshop.room import clean_line

FILE_NAME = "leaderboard.sqlite3"
STORE_VARIABLE = "PIZZASHOP_LEADERBOARD"
"""A postgresql:// URL or a SQLite file; unset means FILE_NAME under the data directory."""
NAME_LIMIT = 24
_ALLOWED_PUNCTUATION = set(" -_.'")
MAX_SCORE = 10**15
"""No shift scores more (money is bounded per dish and orders per shift): a row beyond it was not
written by pizzashop, and is not shown."""
MAX_STARS = 3
KINDS = ("grade", "play")
_SEED_LIMIT = 2**63 - 1

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


def board_name(scenario: Scenario) -> str:
    """The leaderboard a scenario's scores go on. A bundled scenario or level, unchanged, keeps
    its name; any other file gets its name and a digest of its settings, so an edited copy that
    keeps a bundled level's name never lands on that level's board (nor on another copy's)."""
    if unchanged_bundled(scenario) is not None:
        return scenario.name
    digest = hashlib.blake2b(scenario.model_dump_json().encode(), digest_size=4).hexdigest()
    return f"{scenario.name}~{digest}"


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
    try:
        problem = not_regular(path.stat().st_mode)
    except FileNotFoundError:  # a new leaderboard
        problem = None
    if problem:  # SQLite would wait forever on a FIFO, or write into a device
        raise InputError(str(path), "", problem)
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

    _errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    """What the database driver raises when the store is unusable."""

    @property
    def target(self) -> str:
        """The store as configured: a file, or a URL that may hold a password."""
        return str(self.path)

    @property
    def where(self) -> str:
        """Where the scores live, for logs and headers (never a password)."""
        return masked_url(self.target)

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
        """Best scores first; ties go to whoever got there first.

        Only rows pizzashop could have written are read (numbers in range, so a text goodput or
        three hundred million stars never reach the screen), with names and kinds cut short in
        the query and cleaned again here.
        """
        query = (
            f"SELECT level, seed, substr(name, 1, {4 * NAME_LIMIT}), score, goodput, stars,"
            " substr(kind, 1, 16), created FROM scores WHERE level = ?"
            f" AND seed BETWEEN 0 AND {_SEED_LIMIT} AND score BETWEEN {-MAX_SCORE} AND {MAX_SCORE}"
            f" AND goodput BETWEEN 0 AND 1 AND stars BETWEEN 0 AND {MAX_STARS}"
        )
        query += " AND seed = ?" if seed is not None else ""
        query += " ORDER BY score DESC, created ASC, id ASC LIMIT ?"
        params = (level, seed, limit) if seed is not None else (level, limit)
        try:
            rows = list(self._db.execute(query, params))
        except self._errors as error:  # a table some other program made, a store gone away
            problem = f"cannot read the scores ({scrubbed(_first_line(error), self.target)})"
            raise InputError(self.where, "", problem) from None
        shown = (_shown(row) for row in rows)
        return [entry for entry in shown if entry is not None]

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


def _shown(row: Sequence[Any]) -> Entry | None:
    """A row as it may be shown, or None if it cannot be pizzashop's (SQLite keeps any type)."""
    level, seed, name, score, goodput, stars, kind, created = row
    if not all(type(value) is int for value in (seed, score, stars)):
        return None
    if type(goodput) not in (int, float) or not 0 <= goodput <= 1:
        return None
    if type(created) not in (int, float) or not math.isfinite(created):
        created = 0.0
    name = clean_name(name if isinstance(name, str) else "")
    return Entry(level, seed, name, score, float(goodput), stars, kind if kind in KINDS else "?",
                 float(created))  # fmt: skip


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


LIBPQ_KEYWORDS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "passfile",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "require_auth",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    }
)
"""The settings libpq takes (a query parameter after a password that is not one of these is a
piece of the password)."""
_PARAMETER = re.compile(r"(?<=[?&])([^&=]*)(=?)([^&]*)")
"""A URL's query parameter `key=value` (the value runs to the next `&`, spaces and all), or a
lone `key`."""
_WORD = re.compile(r"""(?:^|(?<=\s))([\w%.-]+)(\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)""")
"""A libpq connection-string word `key = value`, the value quoted or up to a space."""


def _masked(url: str) -> tuple[str, list[str], bool]:
    """`url` with every password masked; the passwords as written (to scrub from errors); and
    whether libpq may read the URL differently (a password holding `@` or `/` unencoded: libpq
    then takes pieces of it for the host, port or database, so its messages may quote them).

    libpq's own rule: `user[:password]@` is everything before the first `@` that comes before
    the first `/`. Here every reading is masked at once: the password runs to the *last* such
    `@`; an `@` after a `/` hides everything before it; a parameter whose key (percent-decoded)
    holds "pass" hides its value, and the first later one that is not a libpq setting hides
    everything from there (an unencoded `&` split the password).
    """
    spans: list[tuple[int, int]] = []
    ambiguous = False
    scheme_end = url.find("://")
    if scheme_end >= 0:
        start = scheme_end + 3
        slash = url.find("/", start)
        head_end = len(url) if slash < 0 else slash
        cut = url.rfind("@", start, head_end)
        if cut >= 0:
            colon = url.find(":", start, cut)
            if colon >= 0:
                spans.append((colon + 1, cut))
                ambiguous = "@" in url[colon + 1 : cut]
        last = url.rfind("@", head_end)
        if last >= 0:
            spans.append((start, last))
            ambiguous = True
    after_password = False
    for setting in (_PARAMETER if scheme_end >= 0 else _WORD).finditer(url):
        key = unquote(setting.group(1)).strip().lower()
        if "pass" in key:
            spans.append(setting.span(3))
            after_password = scheme_end >= 0
        elif after_password and key not in LIBPQ_KEYWORDS:
            # Not a setting libpq knows: the rest of a password that held an unencoded `&`.
            spans.append((setting.start(1) - 1, len(url)))
            ambiguous = True
            break
    hidden = [False] * len(url)
    for begin, end in spans:
        hidden[begin:end] = [True] * (end - begin)
    masked, secrets, index = [], [], 0
    while index < len(url):
        if hidden[index]:
            run = index
            while run < len(url) and hidden[run]:
                run += 1
            secrets.append(url[index:run])
            masked.append("***")
            index = run
        else:
            masked.append(url[index])
            index += 1
    ambiguous = ambiguous or any("@" in secret or "&" in secret for secret in secrets)
    return "".join(masked), secrets, ambiguous


def _check_scheme(url: str) -> None:
    """A URL libpq would not read as one (it parses anything else as `key=value` words), or
    would cut short (C strings end at a NUL byte)."""
    if "\0" in url:
        raise InputError(masked_url(url), "", "holds a NUL byte")
    if not is_postgres_url(url):
        problem = "not a PostgreSQL URL (they start postgresql:// or postgres://)"
        raise InputError(masked_url(url), "", problem)


_DELIMITERS = re.compile(r"[/?#\[\]@:&=,;\s\x00-\x1f]+")
"""What libpq may cut a URL at (brackets too: `[...]` holds a host, slashes and all)."""
HINT = "percent-encode @, /, :, [, ] and & in the password (%40, %2F, %3A, %5B, %5D, %26)"


def _pieces(secrets: list[str]) -> set[str]:
    """Each password as written and decoded, and every piece of it between URL delimiters: the
    pieces libpq may quote after cutting a password it took for a host, a port or a path."""
    forms = {form for secret in secrets for form in (secret, unquote(secret))}
    return {piece for form in forms for piece in _DELIMITERS.split(form) if piece} | forms - {""}


def masked_url(url: str) -> str:
    """The URL without its password, in any form (user:password@, a password holding @ or /,
    ?password=, a percent-encoded key), fit for a log line or an error. If a piece of a password
    would still show (a reading none of the rules foresaw), all but the scheme is masked."""
    masked, secrets, _ = _masked(url)
    if any(piece in masked for piece in _pieces(secrets)):
        return url.partition("://")[0] + "://***"
    return masked


def scrubbed(message: str, url: str) -> str:
    """A driver's message about `url` with every password in it masked (libpq quotes pieces of
    a URL it cannot parse). When libpq may have read a password otherwise than here — as a host,
    a port or a path — or any piece of one would still show, none of the message is kept."""
    _, secrets, ambiguous = _masked(url)
    if ambiguous:
        return HINT
    message = message.replace(url, masked_url(url))
    forms = {form for secret in secrets for form in (secret, unquote(secret)) if form}
    for form in sorted(forms, key=len, reverse=True):
        message = message.replace(form, "***")
    if any(piece in message for piece in _pieces(secrets)):
        return HINT
    return message


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
        _check_scheme(self.url)
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
            problem = f"not a PostgreSQL URL ({scrubbed(_first_line(error), self.url)})"
            raise InputError(where, "", problem) from None
        except ValueError as error:  # a NUL byte; a percent-escape that is no UTF-8 (%90)
            problem = f"not a PostgreSQL URL ({scrubbed(_first_line(error), self.url)})"
            raise InputError(where, "", problem) from None
        except psycopg.Error as error:
            problem = f"cannot connect ({scrubbed(_first_line(error), self.url)})"
            raise InputError(where, "", problem) from None
        try:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                connection.execute(POSTGRES_SCHEMA)
        except psycopg.Error as error:
            connection.close()
            problem = f"cannot create the scores table ({scrubbed(_first_line(error), self.url)})"
            raise InputError(where, "", problem) from None
        self._db = _PostgresConnection(connection)
        self._errors = (psycopg.Error,)

    @property
    def target(self) -> str:
        return self.url


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def use_store(target: str | None = None) -> Leaderboard:
    """Open the leaderboard `target` names (a postgresql:// URL or a SQLite file), else the
    configured one, and make it the store of every process this one starts. Opening it now makes
    a bad one fail here, in one line, and not later in a player's game."""
    target = (target or configured_store()).strip()
    if "://" in target or "\0" in target:
        _check_scheme(target)
    elif target:
        target = str(Path(target).expanduser().resolve())
    if target:
        os.environ[STORE_VARIABLE] = target
    try:
        return Leaderboard()
    except (sqlite3.Error, OSError) as error:
        where = target or str(data_dir() / FILE_NAME)
        problem = f"not a usable SQLite leaderboard ({scrubbed(str(error), where)})"
        raise InputError(masked_url(where), "", problem) from None
