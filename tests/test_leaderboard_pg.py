"""The PostgreSQL leaderboard against a real server on loopback that these tests start and stop.

Several hosts share one class's leaderboard this way, so the tests write from several processes
at once into a fresh database (the schema race included) and count every score.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pizzashop.hosting.probe import free_port
from pizzashop.sim import InputError
from pizzashop.workshop.leaderboard import (
    STORE_VARIABLE,
    Leaderboard,
    PostgresLeaderboard,
    masked_url,
    scrubbed,
    use_store,
)

ROOT = Path(__file__).resolve().parent.parent


def postgres_binaries() -> Path | None:
    """Debian keeps them in /usr/lib/postgresql/VERSION/bin, off PATH; the newest wins."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


BINARIES = postgres_binaries()
needs_postgres = pytest.mark.skipif(BINARIES is None, reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port, trust auth, no fsync."""
    assert BINARIES is not None
    # initdb refuses to run as root: the cluster then belongs to Debian's postgres user.
    user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="pizzashop-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data, port = base / "data", free_port()
    subprocess.run(
        [BINARIES / "initdb", "-D", data, "-U", "pizzashop", "--auth=trust", "--no-locale",
         "-E", "UTF8", "--no-sync"],
        user=user, group=user, extra_groups=[] if user else None,
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    server = subprocess.Popen(
        [BINARIES / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", base,
         "-c", "fsync=off", "-c", "max_connections=40"],
        user=user, group=user, extra_groups=[] if user else None,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"postgresql://pizzashop@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@needs_postgres
def test_the_postgres_board_keeps_the_sqlite_boards_rules(server_url: str) -> None:
    url = fresh_database(server_url, "rules")
    board = PostgresLeaderboard(url)
    try:
        board.add("lunch_rush", 7, "ada", 900, 0.9, 2, "play")
        board.add("lunch_rush", 7, "\x1b[31mgrace[/b]", 950, 0.95, 3, "grade")
        board.add("lunch_rush", 7, "linus", 900, 0.8, 1, "play")
        board.add("lunch_rush", 8, "ken", 999, 1.0, 3, "play")
        board.add("regulars", 7, "ada", 100, 0.1, 0, "play")
        top = board.top("lunch_rush", 7)
        assert [(e.name, e.score) for e in top] == [("31mgraceb", 950), ("ada", 900),
                                                   ("linus", 900)]  # fmt: skip
        assert top[0].goodput == 0.95 and top[0].stars == 3 and top[0].kind == "grade"
        assert [e.name for e in board.top("lunch_rush")] == ["ken", "31mgraceb", "ada",
                                                            "linus"]  # fmt: skip
        assert len(board.top("lunch_rush", limit=2)) == 2
        assert board.count() == 5
        big = 2**62
        board.add("lunch_rush", big, "big seed", 1, 0.0, 0, "play")
        assert board.top("lunch_rush", big)[0].seed == big
    finally:
        board.close()


@needs_postgres
def test_leaderboard_follows_the_configured_store(
    server_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = fresh_database(server_url, "configured")
    monkeypatch.setenv(STORE_VARIABLE, url)
    board = Leaderboard()
    assert isinstance(board, PostgresLeaderboard)
    board.add("opening_day", 1, "ada", 10, 0.5, 1, "play")
    board.close()
    local = Leaderboard(tmp_path / "own.sqlite3")
    assert not isinstance(local, PostgresLeaderboard), "a path still means a SQLite file"
    assert local.count() == 0
    local.close()


WRITER = """
import sys
from pizzashop.workshop.leaderboard import Leaderboard
board = Leaderboard()
for n in range(int(sys.argv[2])):
    board.add("growing_crowd", 3, f"host{sys.argv[1]}", 1000 * int(sys.argv[1]) + n, 0.5, 1, "play")
board.close()
"""


@needs_postgres
def test_writers_on_several_hosts_lose_no_score(server_url: str) -> None:
    """Processes standing in for hosts start together on an empty database and all write."""
    url = fresh_database(server_url, "race")
    writers, each = 6, 40
    env = dict(os.environ, **{STORE_VARIABLE: url})
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(host), str(each)], env=env, cwd=ROOT)
        for host in range(1, writers + 1)
    ]
    assert [process.wait(120) for process in processes] == [0] * writers
    board = PostgresLeaderboard(url)
    try:
        scores = {(e.name, e.score) for e in board.top("growing_crowd", limit=10_000)}
        assert board.count() == writers * each
    finally:
        board.close()
    expected = {(f"host{h}", 1000 * h + n) for h in range(1, writers + 1) for n in range(each)}
    assert scores == expected


@needs_postgres
def test_scores_reads_a_shared_postgres_board(server_url: str, tmp_path: Path) -> None:
    url = fresh_database(server_url, "cli")
    board = PostgresLeaderboard(url)
    board.add("regulars", 5, "ada", 777, 0.7, 2, "grade")
    board.close()
    result = subprocess.run(
        [sys.executable, "-m", "pizzashop", "scores", "regulars", "--leaderboard", url, "--json"],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PIZZASHOP_HOME=str(tmp_path)),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"name": "ada", "seed": 5, "score": 777' in result.stdout


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://ada:secret@127.0.0.1:1/class", "cannot connect"),
        ("postgresql://[bad", "not a PostgreSQL URL"),
        ("postgresql://127.0.0.1:1/x?sslmode=sometimes", "invalid sslmode value"),
    ],
)
def test_a_bad_postgres_url_is_one_line_without_the_password(
    url: str, problem: str, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as raised:
        PostgresLeaderboard(url)
    assert problem in str(raised.value) and "secret" not in str(raised.value)
    result = subprocess.run(
        [sys.executable, "-m", "pizzashop", "scores", "regulars", "--leaderboard", url],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PIZZASHOP_HOME=str(tmp_path)),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("pizzashop: error: ")
    assert problem in result.stderr and "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_masked_url_hides_only_the_password() -> None:
    assert masked_url("postgresql://ada:pw@db:5432/c") == "postgresql://ada:***@db:5432/c"
    assert masked_url("postgresql://ada@db/c") == "postgresql://ada@db/c"
    assert masked_url("postgres://db/c") == "postgres://db/c"
    assert masked_url("postgresql://db/c?user=a&password=pw&sslmode=require") == (
        "postgresql://db/c?user=a&password=***&sslmode=require"
    )


def test_use_store_names_a_sqlite_file_that_is_not_one(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database, just notes\n" * 100)
    with contextlib.ExitStack() as stack:
        stack.callback(os.environ.pop, STORE_VARIABLE, None)
        with pytest.raises(InputError) as raised:
            use_store(str(bogus))
    assert str(bogus) in str(raised.value) and "not a usable SQLite leaderboard" in str(
        raised.value
    )


# Each of these leaked its password, in the shown URL or in the error built from psycopg's message
# (found by fuzzing masked_url and the errors with the strategy below).
LEAKY_URLS = {
    "a / in the password": "postgresql://ada:Pw/Zq@127.0.0.1:1/db",
    "an @ in the password": "postgresql://ada:Pw@Zq@127.0.0.1:1/db",
    "a bad IPv6 host": "postgresql://ada:PwZq@[bad",
    "a bad percent-escape": "postgresql://ada:Pw%zzZq@127.0.0.1:1/db",
    "a space": "postgresql://ada:Pw Zq@127.0.0.1:1/db",
    "two = in a parameter": "postgresql://127.0.0.1:1/db?password=Pw=Zq",
    "an encoded key": "postgresql://127.0.0.1:1/db?p%61ssword=PwZq&x",
    "a key in capitals": "postgresql://127.0.0.1:1/db?PASSWORD=PwZq",
    "a scheme in capitals": "POSTGRESQL://ada:PwZq@127.0.0.1:1/db",
    "brackets around the query": "postgresql://[bad/class?password=Pw]/Zq",
    "an escape that is not UTF-8": "postgresql://ada:Pw%90Zq@127.0.0.1:1/class",  # a traceback
    "a NUL byte": "postgresql://ada:PwZq@h\x00/db",  # a traceback too
}


def _errors_about(url: str, where: Path) -> list[str]:
    """Every line pizzashop would print about `url`: the store's own error and the command's."""
    lines = []
    with pytest.raises(InputError) as raised:
        PostgresLeaderboard(url)
    lines.append(str(raised.value))
    with contextlib.ExitStack() as stack:
        stack.callback(os.environ.pop, STORE_VARIABLE, None)
        stack.enter_context(contextlib.chdir(where))  # a non-URL is a SQLite file, made here
        try:
            use_store(url).close()
        except InputError as error:
            lines.append(str(error))
    return lines


@pytest.mark.parametrize("url", list(LEAKY_URLS.values()), ids=list(LEAKY_URLS))
def test_no_form_of_a_password_reaches_a_message(url: str, tmp_path: Path) -> None:
    for shown in (masked_url(url), *_errors_about(url, tmp_path)):
        assert "Pw" not in shown and "Zq" not in shown, shown


SPECIAL = "/@:?&=%#[]{} '\"\\,;\x00é\n"
# "Pw" and "Zq" mark both ends of the password: a piece of it cut at any special character
# still carries one of them.
PASSWORDS = st.text(st.sampled_from(SPECIAL + "az09"), max_size=8).map(lambda mid: f"Pw{mid}Zq")


@st.composite
def urls_with_a_password(draw: st.DrawFn) -> str:
    password = draw(PASSWORDS)
    written = draw(st.sampled_from([password, quote(password, safe="")]))
    scheme = draw(st.sampled_from(["postgresql://", "postgres://", "POSTGRESQL://"]))
    user = draw(st.sampled_from(["ada", "", "a.b"]))
    host = draw(st.sampled_from(["127.0.0.1:1", "[::1]:1", "127.0.0.1:x", "[bad", ""]))
    path = draw(st.sampled_from(["/class", "", "/d b", "/x?sslmode=sometimes&"]))
    key = draw(st.sampled_from(["password", "sslpassword", "p%61ssword", "PASSWORD"]))
    where = draw(st.sampled_from(["userinfo", "query"]))
    if where == "userinfo":
        return f"{scheme}{user}:{written}@{host}{path}"
    joiner = "&" if "?" in path else "?"
    return f"{scheme}{host}{path}{joiner}{key}={written}"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=urls_with_a_password())
def test_masked_url_and_errors_hide_every_password(url: str, tmp_path: Path) -> None:
    for shown in (masked_url(url), *_errors_about(url, tmp_path)):
        assert "Pw" not in shown and "Zq" not in shown, (url, shown)


def test_scrubbing_keeps_the_rest_of_the_message() -> None:
    url = "postgresql://ada:PwZq@127.0.0.1:1/db?sslmode=sometimes"
    message = f'invalid sslmode value: "sometimes" in "{url}"'
    assert scrubbed(message, url) == (
        'invalid sslmode value: "sometimes" in "postgresql://ada:***@127.0.0.1:1/db?sslmode=sometimes"'
    )
