"""Campaign progress: stars and best scores per level in a versioned file under the data directory.

Records only ever improve, levels open in campaign order, and a file pizzashop cannot read is
reported by name and left exactly as it was — never overwritten with a fresh, empty progress.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import denying, returns_soon
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pizzashop.player.progress import FILE_NAME, VERSION, LevelRecord, Progress
from pizzashop.sim import InputError, Simulation, build_report, load_scenario
from pizzashop.sim.campaign import levels

LEVEL_IDS = [level.id for level in levels()]


pytestmark = pytest.mark.usefixtures("home")


def shift(name: str) -> dict[str, Any]:
    sim = Simulation(load_scenario(name))
    sim.run()
    return build_report(sim)


def result(score: int, stars: int) -> dict[str, Any]:
    """The parts of a report `record` reads, for a level with goals."""
    return {"score": score, "won": stars > 0, "stars": stars}


def test_a_fresh_player_has_no_file_and_no_records(home: Path) -> None:
    progress = Progress.load()
    assert progress.path == home / FILE_NAME
    assert progress.levels == {}
    assert not (home / FILE_NAME).exists()


def test_progress_round_trips_through_the_file_under_pizzashop_home(home: Path) -> None:
    won = shift("opening_day")
    no_goals = shift("mmc_lab")
    assert won["won"] and won["stars"] >= 1 and "stars" not in no_goals
    progress = Progress.load()
    progress.record("opening_day", won)
    progress.record("mmc_lab", no_goals)
    progress.save()

    assert list(home.iterdir()) == [home / FILE_NAME]
    data = json.loads((home / FILE_NAME).read_text(encoding="utf-8"))
    assert data["version"] == VERSION
    again = Progress.load()
    assert again.levels == progress.levels
    assert again.levels["opening_day"] == LevelRecord(
        stars=won["stars"], best_score=won["score"], won=True, plays=1
    )
    assert again.levels["mmc_lab"] == LevelRecord(
        stars=0, best_score=no_goals["score"], won=False, plays=1
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(-5000, 5000), st.integers(0, 3)), min_size=1, max_size=12))
def test_records_keep_the_best_and_count_every_play(
    home: Path, plays: list[tuple[int, int]]
) -> None:
    progress = Progress(home / FILE_NAME)
    for count, (score, stars) in enumerate(plays, start=1):
        before = progress.levels.get("regulars", LevelRecord()).model_copy()
        entry = progress.record("regulars", result(score, stars))
        assert entry.plays == before.plays + 1 == count
        assert entry.stars == max(before.stars, stars)
        best = score if before.best_score is None else max(score, before.best_score)
        assert entry.best_score == best
        assert entry.won == (before.won or stars > 0)
    progress.save()
    assert Progress.load().levels == {
        "regulars": LevelRecord(
            stars=max(stars for _, stars in plays),
            best_score=max(score for score, _ in plays),
            won=any(stars for _, stars in plays),
            plays=len(plays),
        )
    }


def test_levels_unlock_in_campaign_order_and_stay_unlocked() -> None:
    assert len(LEVEL_IDS) >= 13
    progress = Progress.load()
    assert progress.unlocked(LEVEL_IDS) == {LEVEL_IDS[0]}
    progress.record(LEVEL_IDS[5], result(2000, 3))  # won out of order: opens nothing
    progress.record(LEVEL_IDS[0], result(100, 0))  # lost: the next level stays shut
    assert progress.unlocked(LEVEL_IDS) == {LEVEL_IDS[0]}
    for count in range(1, 5):
        progress.record(LEVEL_IDS[count - 1], result(900, 1))
        assert progress.unlocked(LEVEL_IDS) == set(LEVEL_IDS[: count + 1])
    progress.record(LEVEL_IDS[1], result(-50, 0))  # a later bad day does not lock anything
    progress.save()
    assert Progress.load().unlocked(LEVEL_IDS) == set(LEVEL_IDS[:5])


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "corrupt json": (b'{"version": 1, "levels": {', "cannot read progress"),
    "not utf-8": (b'\xff\xfe{"version": 1}', "cannot read progress"),
    "empty": (b"", "cannot read progress"),
    "a list": (b"[]", "version: not a pizzashop progress file"),
    "a string": (b'"progress"', "version: not a pizzashop progress file"),
    "no version": (b'{"levels": {}}', "version: not a pizzashop progress file"),
    "version as text": (b'{"version": "1"}', "version: not a pizzashop progress file"),
    "newer version": (b'{"version": 2, "levels": {}}', "version: written by a newer pizzashop"),
    "levels a list": (b'{"version": 1, "levels": []}', "levels: "),
    "stars a word": (
        b'{"version": 1, "levels": {"regulars": {"stars": "many"}}}',
        "levels.regulars.stars: ",
    ),
    "too many stars": (
        b'{"version": 1, "levels": {"regulars": {"stars": 4}}}',
        "levels.regulars.stars: ",
    ),
    "negative plays": (
        b'{"version": 1, "levels": {"regulars": {"plays": -1}}}',
        "levels.regulars.plays: ",
    ),
    "unknown field": (b'{"version": 1, "cheats": true}', "cheats: extra inputs"),
    "nested too deeply": (b'{"version": 1, "levels": ' + b"[" * 100_000, "nested too deeply"),
    "a 5000-digit number": (b'{"version": 1' + b"0" * 5000 + b"}", "digits"),
    "a 4000-digit score": (
        b'{"version": 1, "levels": {"regulars": {"best_score": 1' + b"0" * 4000 + b"}}}",
        "levels.regulars.best_score: ",
    ),
    "plays true": (
        b'{"version": 1, "levels": {"regulars": {"plays": true}}}',
        "levels.regulars.plays: ",
    ),
    "best score false": (
        b'{"version": 1, "levels": {"regulars": {"best_score": false}}}',
        "levels.regulars.best_score: ",
    ),
    "larger than any progress": (b'{"version": 1, "x": "' + b"x" * (5 << 20) + b'"}', "larger"),
}
LAX_FILES: dict[str, tuple[bytes, str]] = {
    "older version": (b'{"version": 0, "levels": {}}', "version: "),
    "version true": (b'{"version": true, "levels": {}}', "version: "),
    "stars as text": (b'{"version": 1, "levels": {"regulars": {"stars": "3"}}}', "stars: "),
    "won as text": (b'{"version": 1, "levels": {"regulars": {"won": "yes"}}}', "won: "),
}
CASES = [pytest.param(body, needle, id=name) for name, (body, needle) in BAD_FILES.items()] + [
    pytest.param(body, needle, id=name) for name, (body, needle) in LAX_FILES.items()
]


@pytest.mark.parametrize(("body", "needle"), CASES)
def test_a_bad_file_is_named_and_left_byte_identical(home: Path, body: bytes, needle: str) -> None:
    path = home / FILE_NAME
    home.mkdir()
    path.write_bytes(body)
    with pytest.raises(InputError) as caught:
        Progress.load()
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert needle in message
    assert "\n" not in message
    assert path.read_bytes() == body
    assert list(home.iterdir()) == [path]


def test_an_unreadable_file_is_named_and_left_alone(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = home / FILE_NAME
    home.mkdir()
    path.write_bytes(b'{"version": 1, "levels": {}}')
    with monkeypatch.context() as patch, pytest.raises(InputError, match="denied") as caught:
        patch.setattr(os, "open", denying(path))
        Progress.load()
    assert str(caught.value).startswith(f"{path}: ")
    assert path.read_bytes() == b'{"version": 1, "levels": {}}'


def test_a_fifo_or_a_device_is_named_and_never_waited_on(home: Path) -> None:
    """A FIFO would block a plain read until someone writes; a device may never end."""
    path = home / FILE_NAME
    home.mkdir()
    os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file") as caught:
        returns_soon(Progress.load, path)
    assert str(caught.value).startswith(f"{path}: ")
    path.unlink()
    path.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        Progress.load()


def test_a_folder_where_the_file_should_be_is_named(home: Path) -> None:
    (home / FILE_NAME).mkdir(parents=True)
    with pytest.raises(InputError) as caught:
        Progress.load()
    assert str(caught.value).startswith(f"{home / FILE_NAME}: ")


def test_a_save_that_fails_midway_keeps_the_previous_progress(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    progress = Progress.load()
    progress.record("opening_day", result(900, 1))
    progress.save()
    before = (home / FILE_NAME).read_bytes()
    progress.record("lunch_rush", result(1200, 3))

    def replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(OSError, match="No space left"):
        patch.setattr(os, "replace", replace)
        progress.save()
    assert (home / FILE_NAME).read_bytes() == before
    assert list(home.iterdir()) == [home / FILE_NAME]
    assert set(Progress.load().levels) == {"opening_day"}
