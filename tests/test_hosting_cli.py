"""`serve` and `scores --live` from the command line: bad input is one line and status 2; the
live view follows the leaderboard; the guard rails and key files behave on their own."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import asyncssh
import pytest

from pizzashop.hosting.child import clamp_size
from pizzashop.hosting.keys import HOST_KEY_FILE, host_key, player_keys
from pizzashop.hosting.limits import (
    FDS_RESERVED,
    Connections,
    RateLimiter,
    Slots,
    connection_budget,
    network_of,
    raise_fd_limit,
)
from pizzashop.hosting.logs import RepeatLimit, log_loop_errors
from pizzashop.workshop.leaderboard import Leaderboard


def pizzashop(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pizzashop", *args],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        env=dict(os.environ, PIZZASHOP_HOME=str(home)),
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("pizzashop: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve"], ["KIND"]),
        (["serve", "telnet"], ["telnet"]),
        (["serve", "ssh", "--port", "70000"], ["--port", "70000"]),
        (["serve", "ssh", "--port", "ssh"], ["--port", "'ssh'"]),
        (["serve", "ssh", "--max-sessions", "0"], ["--max-sessions"]),
        (["serve", "ssh", "--idle-timeout", "-5"], ["--idle-timeout"]),
        (["serve", "ssh", "--idle-timeout", "nan"], ["--idle-timeout"]),
        (["serve", "ssh", "--rate-limit", "1.5"], ["--rate-limit"]),
        (["serve", "ssh", "--max-connections", "0"], ["--max-connections"]),
        (["serve", "ssh", "--max-per-address", "many"], ["--max-per-address", "'many'"]),
        (["serve", "ssh", "--strategy", "x.py:X"], ["--strategy"]),
        (["serve", "web", "--port", "0"], ["--port"]),
        (["serve", "web", "--idle-timeout", "0"], ["--idle-timeout"]),
        (["serve", "web", "--rate-limit", "none"], ["--rate-limit", "'none'"]),
        (["scores", "regulars", "--live", "--json"], ["--json", "--live"]),
    ],
)
def test_bad_arguments_are_one_line(args: list[str], words: list[str], tmp_path: Path) -> None:
    assert_one_line_error(pizzashop(tmp_path, *args), *words)


def test_bad_keys_files_are_named(tmp_path: Path) -> None:
    good = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    cases = {
        "missing": (None, "no such file"),
        "typo": (f"# class\nada {good}bob ssh-ed25519 AAAAnotbase64 bob\n", "line 3: not a valid"),
        "empty": ("# nobody yet\n\n", "no keys in the file"),
        "binary": (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        "nameless": (f"ada {good}{other}", "line 2: no name before the key"),
        "options": (f'from="10.0.0.1",no-pty {good}', 'line 1: the name \'from="10.0.0.1"'),
        "long name": (f"{'a' * 25} {good}", "at most 24 characters"),
        "one key, two names": (f"ada {good}bob {good}", "line 2: the same key as line 1"),
        "a device": (Path("/dev/zero"), "not a regular file"),
    }
    for name, (content, problem) in cases.items():
        path = tmp_path / name
        if isinstance(content, Path):
            path = content
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content)
        result = pizzashop(tmp_path / "home", "serve", "ssh", "--authorized-keys", str(path))
        assert_one_line_error(result, str(path), problem)


def test_a_damaged_host_key_is_named(tmp_path: Path) -> None:
    (tmp_path / HOST_KEY_FILE).write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n")
    result = pizzashop(tmp_path, "serve", "ssh", "--port", str(_free_port()))
    assert_one_line_error(result, HOST_KEY_FILE, "cannot read the host key")


@pytest.mark.parametrize("kind", ["ssh", "web"])
def test_a_port_in_use_is_one_line(kind: str, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = pizzashop(tmp_path, "serve", kind, "--port", str(port))
    assert_one_line_error(result, "--port", f"127.0.0.1:{port}")


def test_a_leaderboard_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n" * 200)
    for args in (["scores", "regulars"], ["serve", "ssh"]):
        result = pizzashop(tmp_path, *args, "--leaderboard", str(notes))
        assert_one_line_error(result, str(notes), "not a usable SQLite leaderboard")


def test_scores_live_follows_new_scores_until_ctrl_c(tmp_path: Path) -> None:
    store = tmp_path / "class.sqlite3"
    board = Leaderboard(store)
    board.add("regulars", 1, "ada", 500, 0.5, 1, "play")
    command = ["scores", "regulars", "--live", "--leaderboard", str(store)]
    live = subprocess.Popen(
        [sys.executable, "-m", "pizzashop", *command], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PIZZASHOP_HOME=str(tmp_path)),
    )  # fmt: skip
    assert live.stdout is not None
    watchdog = threading.Timer(60, live.kill)  # a hung view ends the reads below
    watchdog.start()
    try:
        seen = _read_until(live.stdout, "ada")
        assert "regulars on " in seen and "Ctrl+C to stop" in seen
        board.add("regulars", 1, "grace", 900, 0.9, 3, "play")
        seen = _read_until(live.stdout, "grace")
        seen += _read_until(live.stdout, "ada")
        live.send_signal(signal.SIGINT)
        assert live.wait(20) == 0, "Ctrl+C is the normal way out"
    finally:
        watchdog.cancel()
        board.close()
        if live.poll() is None:
            live.kill()
            live.wait()
        live.stdout.close()
    newest = seen.rsplit("regulars on ", 1)[1]
    assert newest.index("grace") < newest.index("ada"), "a later, better score comes first"


def _read_until(stream: IO[str], text: str) -> str:
    """The live view's lines up to the first that shows `text` (it redraws every 2 s)."""
    seen = ""
    while text not in seen:
        line = stream.readline()
        assert line, f"the view ended before {text!r}: {seen[-300:]!r}"
        seen += line
    return seen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_rate_limiter_counts_per_address_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60.0, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    assert limiter.allow("b"), "another address has its own budget"
    now[0] = 59.0
    assert not limiter.allow("a")
    now[0] = 60.5
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")


def test_the_rate_limiter_forgets_quiet_addresses() -> None:
    now = [0.0]
    limiter = RateLimiter(1, window=1.0, clock=lambda: now[0])
    limiter.MAX_ADDRESSES = 3
    for address in "abc":
        limiter.allow(address)
    now[0] = 5.0
    assert limiter.allow("d")
    assert len(limiter._seen) == 1


def test_slots_hold_the_cap() -> None:
    slots = Slots(2)
    assert [slots.acquire(), slots.acquire(), slots.acquire()] == [True, True, False]
    slots.release()
    assert slots.acquire() and slots.in_use == 2


def test_window_sizes_are_clamped() -> None:
    assert clamp_size(0, 0) == (80, 24)
    assert clamp_size(120, 40) == (120, 40)
    assert clamp_size(100_000, 3) == (1000, 3)


def test_the_host_key_is_generated_once(tmp_path: Path) -> None:
    first = host_key(tmp_path)
    assert (tmp_path / HOST_KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert host_key(tmp_path).get_fingerprint() == first.get_fingerprint()


def test_a_keys_file_gives_each_key_its_name(tmp_path: Path) -> None:
    ada, laptop, bob = (asyncssh.generate_private_key("ssh-ed25519") for _ in range(3))
    path = tmp_path / "keys"
    path.write_text(
        "# the class: NAME, then the public key\n\n"
        f"Ada Lovelace {ada.export_public_key().decode()}"
        f"Ada Lovelace   {laptop.export_public_key('openssh').decode().strip()}  second laptop\n"
        f"bob {bob.export_public_key().decode()}"
    )
    keys = player_keys(path)
    assert keys.name_of(ada) == keys.name_of(laptop) == "Ada Lovelace", "one person, two keys"
    assert keys.name_of(bob) == "bob"
    assert keys.name_of(asyncssh.generate_private_key("ssh-ed25519")) is None


def test_limits_count_ipv6_clients_by_their_64() -> None:
    subnet = "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:2::7") == network_of("2001:db8:1:2:ffff::1") == subnet
    assert network_of("2001:db8:1:3::7") != network_of("2001:db8:1:2::7")
    assert network_of("::ffff:10.0.0.5") == "10.0.0.5", "IPv4 through an IPv6 socket"
    assert network_of("fe80::1%eth0") == "fe80::/64"
    assert network_of("10.0.0.5") == "10.0.0.5" and network_of("?") == "?"


def test_connections_are_capped_per_network_and_in_total() -> None:
    caps = Connections(per_network=2, total=3)
    assert [caps.admit("a"), caps.admit("a")] == [None, None]
    assert caps.admit("a") == "2 connections open from a"
    assert caps.admit("b") is None
    assert caps.admit("c") == "3 connections open in all"
    caps.release("a")
    assert caps.admit("c") is None and caps.open == 3
    caps.release("b")
    caps.release("c")
    caps.release("a")
    assert caps.open == 0 and caps.admit("a") is None and caps.admit("a") is None


def test_the_open_file_limit_is_raised_and_bounds_the_connections() -> None:
    limit = raise_fd_limit()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert limit == soft and (soft == hard or hard == resource.RLIM_INFINITY)
    assert connection_budget(FDS_RESERVED + 400) == 100
    assert connection_budget(10) == 1, "a tiny limit still lets one player in"


def test_repeated_warnings_are_logged_a_few_times_then_counted() -> None:
    now = [0.0]
    records: list[str] = []
    log = logging.getLogger("test.repeats")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    log.addHandler(handler)
    log.addFilter(RepeatLimit(burst=3, window=60.0, clock=lambda: now[0]))
    for n in range(1000):
        log.warning("refused %s: too many", f"10.0.0.{n % 250}")
        log.info("connect %s", n)
    assert sum("refused" in line for line in records) == 3
    assert sum("connect" in line for line in records) == 1000, "information is never dropped"
    log.error("something else")
    now[0] = 61.0
    log.warning("refused %s: too many", "10.0.0.1")
    assert records[-1] == "refused 10.0.0.1: too many (997 more like this not logged)"
    assert "something else" in records


def test_the_event_loops_own_errors_are_one_bounded_line_each() -> None:
    """What asyncio does when accept() fails for want of descriptors, a thousand times over."""
    records: list[logging.LogRecord] = []
    log = logging.getLogger("test.loop")
    log.propagate = False
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    log.addHandler(handler)
    log.addFilter(RepeatLimit(burst=5))

    async def fail_often() -> None:
        log_loop_errors(log)
        loop = asyncio.get_running_loop()
        for _ in range(1000):
            try:
                raise OSError(errno.EMFILE, "Too many open files")
            except OSError as error:
                loop.call_exception_handler(
                    {"message": "socket.accept() out of system resource", "exception": error}
                )

    asyncio.run(fail_often())
    assert [record.getMessage() for record in records] == [
        "event loop: socket.accept() out of system resource: OSError: [Errno 24] Too many open "
        "files"
    ] * 5
    assert all(record.exc_info is None for record in records), "no traceback"
