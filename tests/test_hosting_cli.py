"""`serve` and `scores --live` from the command line: bad input is one line and status 2; the
live view follows the leaderboard; the guard rails and key files behave on their own."""

from __future__ import annotations

import os
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
from pizzashop.hosting.keys import HOST_KEY_FILE, authorized_keys, host_key
from pizzashop.hosting.limits import RateLimiter, Slots
from pizzashop.sim import InputError
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
        (["serve", "ssh", "--strategy", "x.py:X"], ["--strategy"]),
        (["serve", "web", "--port", "0"], ["--port"]),
        (["scores", "regulars", "--live", "--json"], ["--json", "--live"]),
    ],
)
def test_bad_arguments_are_one_line(args: list[str], words: list[str], tmp_path: Path) -> None:
    assert_one_line_error(pizzashop(tmp_path, *args), *words)


def test_bad_authorized_keys_files_are_named(tmp_path: Path) -> None:
    good = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    cases = {
        "missing": (None, "no such file"),
        "typo": (
            f"# class\n{good}ssh-ed25519 AAAAnotbase64 bob\n",
            "line 3: not a valid public key",
        ),
        "empty": ("# nobody yet\n\n", "no keys in the file"),
        "binary": (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
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


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = pizzashop(tmp_path, "serve", "ssh", "--port", str(port))
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


def test_authorized_keys_accept_comments_and_options(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    path = tmp_path / "keys"
    path.write_text(f"# instructors\n\n{key}no-pty {key}")
    assert authorized_keys(path) is not None
    path.write_text("ssh-rsa")
    with pytest.raises(InputError, match="line 1"):
        authorized_keys(path)
