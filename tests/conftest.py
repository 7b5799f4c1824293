"""Every test runs with a private data directory, so no test reads or writes a player's real
progress, saves or leaderboard (tests that need their own home still set it themselves)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIZZASHOP_HOME", str(tmp_path_factory.mktemp("pizzashop-home")))
        patch.delenv("PIZZASHOP_LEADERBOARD", raising=False)
        patch.delenv("PIZZASHOP_PLAYER", raising=False)
        patch.delenv("PIZZASHOP_HOSTED", raising=False)
        yield


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, not yet created data directory for one test (its progress, saves, leaderboard)."""
    path = tmp_path / "home"
    monkeypatch.setenv("PIZZASHOP_HOME", str(path))
    return path


@pytest.fixture(autouse=True)
def _store_stays_in_its_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """`use_store` names the leaderboard in this process's environment for the games it starts;
    a test that opens one (in-process `serve`, `grade`) must not hand it to the next test."""
    monkeypatch.delenv("PIZZASHOP_LEADERBOARD", raising=False)
