"""Where a player's files live, and how they are written.

`PIZZASHOP_HOME` moves every file pizzashop keeps; `write_atomic` leaves either the old file or
the new one — never half of one, and never a temporary file beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

from pizzashop.paths import data_dir, write_atomic

TEXT = "Pâté ★ pizza\nsecond line\n"


pytestmark = pytest.mark.usefixtures("home")


def test_pizzashop_home_is_the_data_directory_and_is_created(home: Path) -> None:
    assert not home.exists()
    assert data_dir() == home
    assert home.is_dir()


def test_a_tilde_in_pizzashop_home_is_the_users_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unit files and .env files pass `~` verbatim; it must not become a folder named `~`."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("PIZZASHOP_HOME", "~/pizza")
    monkeypatch.chdir(tmp_path)
    assert data_dir() == tmp_path / "user" / "pizza"
    assert (tmp_path / "user" / "pizza").is_dir()
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("unset", ["missing", "empty"])
def test_without_pizzashop_home_the_platform_data_directory_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unset: str
) -> None:
    if unset == "missing":
        monkeypatch.delenv("PIZZASHOP_HOME")
    else:
        monkeypatch.setenv("PIZZASHOP_HOME", "")
    asked = []

    def user_data_dir(appname: str, appauthor: bool) -> str:
        asked.append((appname, appauthor))
        return str(tmp_path / "platform")

    monkeypatch.setattr(platformdirs, "user_data_dir", user_data_dir)
    assert data_dir() == tmp_path / "platform"
    assert (tmp_path / "platform").is_dir()
    assert asked == [("pizzashop", False)]


def test_write_atomic_writes_utf8_creates_folders_and_leaves_only_the_file(home: Path) -> None:
    path = home / "deep" / "er" / "notes.txt"
    write_atomic(path, TEXT)
    assert path.read_bytes() == TEXT.encode("utf-8")
    assert list(path.parent.iterdir()) == [path]


def test_write_atomic_replaces_an_existing_file_whole(home: Path) -> None:
    path = home / "notes.txt"
    write_atomic(path, "a much longer first version of the file\n" * 50)
    write_atomic(path, TEXT)
    assert path.read_text(encoding="utf-8") == TEXT
    assert list(home.iterdir()) == [path]


def _replace_fails(monkeypatch: pytest.MonkeyPatch) -> str:
    def replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    return TEXT


def _fsync_interrupted(monkeypatch: pytest.MonkeyPatch) -> str:
    def fsync(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fsync)
    return TEXT


def _unencodable(monkeypatch: pytest.MonkeyPatch) -> str:
    return "half written \ud800 then the encoder fails"  # a lone surrogate is not UTF-8


FAILURES = {
    "rename fails": (_replace_fails, OSError),
    "interrupted before the rename": (_fsync_interrupted, KeyboardInterrupt),
    "the write itself fails": (_unencodable, UnicodeEncodeError),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    home: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    path = home / "progress.json"
    write_atomic(path, '{"old": true}\n')
    before = path.read_bytes()
    arrange, error = FAILURES[failure]
    text = arrange(monkeypatch)
    with pytest.raises(error):
        write_atomic(path, text)
    assert path.read_bytes() == before
    assert list(home.iterdir()) == [path]


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_first_write_leaves_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    home.mkdir()
    arrange, error = FAILURES[failure]
    text = arrange(monkeypatch)
    with pytest.raises(error):
        write_atomic(home / "report.csv", text)
    assert list(home.iterdir()) == []
