"""Room files: validated like every other file (one line naming the field, exit status 2), and
`pizzashop validate` knows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import invoke

from pizzashop.sim import InputError, bundled_levels, load_scenario
from pizzashop.workshop.room import clean_line, load_room


def write(tmp_path: Path, body: str, name: str = "room.toml") -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def test_a_room_names_its_level_seed_open_levels_speeds_and_gate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[room]\ntitle = "Tuesday"\nlevel = "regulars"\nseed = 42\nunlock = "all"\n'
        "speeds = [4, 1, 2, 4]\ngate = true\nself_pause = false\n",
    )
    room = load_room(path)
    assert room.scenario == load_scenario("regulars")
    assert (room.title, room.seed, room.gate, room.self_pause) == ("Tuesday", 42, True, False)
    assert room.unlocked == tuple(bundled_levels())
    assert room.speeds == (1, 2, 4) and room.fastest == 4
    public = room.public()
    assert public["scenario"]["name"] == "regulars" and public["seed"] == 42


def test_defaults_and_a_scenario_file_beside_the_room(tmp_path: Path) -> None:
    scenario = load_scenario("default_day").model_copy(update={"name": "ours", "seed": 9})
    (tmp_path / "days").mkdir()
    (tmp_path / "days" / "ours.json").write_text(scenario.model_dump_json())
    room = load_room(write(tmp_path, '[room]\nscenario = "days/ours.json"\n'))
    assert room.scenario == scenario and room.seed == 9, "the scenario's own seed by default"
    assert (room.gate, room.self_pause, room.speeds, room.unlocked) == (
        False, True, (1, 2, 4, 8), (),
    )  # fmt: skip
    assert room.title == scenario.title or room.title == "ours"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('[room]\nlevel = "regulars"\ngate = "yes"\n', "room.gate"),
        ('[room]\nlevel = "regulars"\nspeed = [1]\n', "room.speed"),
        ('[room]\nlevel = "regulars"\nspeeds = [3]\n', "room.speeds"),
        ('[room]\nlevel = "regulars"\nspeeds = []\n', "room.speeds"),
        ('[room]\nlevel = "regulars"\nseed = -1\n', "room.seed"),
        ('[room]\nlevel = "regulars"\nseed = 4.5\n', "room.seed"),
        ('[room]\nlevel = "regulars"\nunlock = ["regulars", "moon"]\n', "room.unlock"),
        ('[room]\nlevel = "regulars"\nunlock = "some"\n', "room.unlock"),
        ('[room]\nlevel = "moon"\n', "room.level"),
        ('[room]\nlevel = "../x.toml"\n', "room.level"),
        ('[room]\nscenario = "missing.toml"\n', "room.scenario"),
        ('[room]\nlevel = "regulars"\nscenario = "x.toml"\n', "room"),
        ("[room]\n", "room"),
        ('title = "no table"\n', "room"),
        ('[room]\nlevel = "regulars"\n[extra]\n', "extra"),
    ],
)
def test_a_bad_room_file_is_one_line_naming_the_field(
    tmp_path: Path, body: str, where: str
) -> None:
    path = write(tmp_path, body)
    with pytest.raises(InputError) as caught:
        load_room(path)
    assert caught.value.field.startswith(where), str(caught.value)
    result = invoke("serve", "ssh", "--room", str(path), "--port", "1")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and str(path) in result.err
    assert "Traceback" not in result.err


def test_validate_knows_a_room_file(tmp_path: Path) -> None:
    good = write(tmp_path, '[room]\nlevel = "blackout"\nseed = 7\ngate = true\n')
    result = invoke("validate", str(good))
    assert result.code == 0
    assert result.out == f"{good}: ok, room on 'blackout' seed 7, behind a gate\n"
    bad = write(tmp_path, '[room]\nlevel = "blackout"\nspeeds = [16]\n', "bad.toml")
    result = invoke("validate", str(bad))
    assert result.code == 2 and "room.speeds" in result.err and result.err.count("\n") == 1


def test_text_from_a_room_is_one_plain_line() -> None:
    shown = clean_line("Break\x1b[2J\n\tback at [b]15:00[/b]\x07  ")
    assert shown == "Break[2J back at [b]15:00[/b]"
    assert clean_line("x" * 500, 120) == "x" * 120
    assert clean_line("\x00\x1b") == ""
