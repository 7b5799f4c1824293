"""Bad input never crashes pizzashop: exit status 2 and one stderr line naming what is wrong.

Examples pin the message for each kind of bad input; property tests mutate the bundled scenarios
and a well-formed action file the ways hand-edited files go wrong, and require every outcome to
be either a report or that one line — never a traceback, and never a changed input file.
"""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import ERROR, Result, denying, invoke, rejected, returns_soon
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pizzashop.sim import bundled_scenarios
from pizzashop.sim.catalog import bundled_levels
from pizzashop.sim.files import MAX_FILE_BYTES

SCRIPT = Path(sys.executable).with_name("pizzashop")
BUNDLED = {**bundled_scenarios(), **bundled_levels()}
SCENARIOS = {name: tomllib.loads(path.read_text()) for name, path in BUNDLED.items()}
# One of every action kind, each valid for default_day (chefs Mario, Sofia, Luigi at Central).
ACTIONS: list[dict[str, Any]] = [
    {"kind": "hire", "at": 30, "specialty": "pizza", "name": "Gino"},
    {"kind": "upgrade", "at": 45, "chef": "Sofia"},
    {"kind": "set_specialty", "at": 60, "chef": "Gino", "specialty": "garlic_bread"},
    {"kind": "mark_backup", "at": 70, "chef": "Luigi", "backup": True},
    {"kind": "route_kitchen", "at": 90, "strategy": "least_loaded", "branch": "Central"},
    {"kind": "route_branches", "at": 100, "strategy": "fastest", "failover": False},
    {
        "kind": "set_prep",
        "at": 120,
        "branch": "Central",
        "jobs": [{"start": 15, "end": 17, "component": "base", "target": 25}],
    },
    {"kind": "hire_agents", "at": 150, "branch": "Central", "count": 2},
    {"kind": "push_menu", "at": 200, "item": "pizza", "price": 15.5, "cook_minutes": 9},
    {"kind": "close_branch", "at": 250, "branch": "Central"},
    {"kind": "open_branch", "at": 260, "branch": "Central"},
    {"kind": "fire", "at": 300, "chef": "c2"},
]


def to_toml(data: dict[str, Any]) -> str:
    """TOML for any tree of tables, arrays, strings, numbers and booleans, NaN included.

    Every value is written inline, so arrays may mix types and tables may be empty, as a
    mutated file's may; JSON string escapes are valid TOML basic-string escapes.
    """
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in data.items())


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    pairs = (f"{_toml_key(key)} = {_toml_value(item)}" for key, item in value.items())
    return "{" + ", ".join(pairs) + "}"


def write_scenario(path: Path, edit: Any = None, name: str = "default_day") -> Path:
    data = copy.deepcopy(SCENARIOS[name])
    if edit is not None:
        edit(data)
    path.write_text(to_toml(data))
    return path


def test_the_toml_writer_round_trips_every_bundled_scenario() -> None:
    """The property tests rely on it: a mutation must reach the loader exactly as made."""
    for data in SCENARIOS.values():
        assert tomllib.loads(to_toml(data)) == data
    odd = {"a\nb": [1, "x", {}, [], -math.inf, 1e-9, 2**63, True], "": {"é": ""}}
    assert tomllib.loads(to_toml(odd)) == odd


# ------------------------------------------------------------------ scenario files, by example


def _set(*path: Any, value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


def _dup_chef(data: dict[str, Any]) -> None:
    data["branches"][0]["chefs"][1]["name"] = data["branches"][0]["chefs"][0]["name"]


RUSH = {"kind": "rush", "at": 5, "duration": 5, "factor": 1.5}
DISH = {"price": 1, "cook_minutes": 1}


def branch(index: int) -> dict[str, Any]:
    return {"name": f"b{index}", "area": "centre", "chefs": [{"name": f"chef{index}"}]}


def _many_branches_all_day(data: dict[str, Any]) -> None:
    """A hundred branches are allowed, but not for a thousand hours: every minute visits each."""
    data["branches"] = [branch(i) for i in range(100)]
    data["shift_hours"] = 1000
    data["demand"]["rate_per_hour"] = 1


def _many_addons(data: dict[str, Any]) -> None:
    """Every order carries 98 add-ons: a hundred dishes per order (a thousand ran out of memory
    at 6 GB)."""
    for i in range(98):
        data["menu"][f"extra{i}"] = {"price": 1, "cook_minutes": 1, "weight": 0, "addon": 1}
    data["demand"]["rate_per_hour"] = 5000
    data["shift_hours"] = 24


def _too_busy(data: dict[str, Any]) -> None:
    """Each hour's rate is allowed, but not a thousand hours of it."""
    data["demand"]["rate_per_hour"] = 50_000
    data["shift_hours"] = 1000


SCENARIO_PROBLEMS = [
    (_set("menu", "pizza", "colour", value="red"), "menu.pizza.colour", "extra inputs"),
    (_set("shift_hours", value="long"), "shift_hours", "valid number"),
    (_set("shift_hours", value=0), "shift_hours", "greater than 0"),
    (_set("demand", "rate_per_hour", value=math.nan), "demand.rate_per_hour", "finite"),
    (_set("demand", "rate_per_hour", value=[5, -1]), "demand.rate_per_hour.1", "greater than"),
    (_set("demand", "rate_per_hour", value=[]), "demand.rate_per_hour", "at least 1 item"),
    (_set("demand", "rate_per_hour", value=1e12), "demand.rate_per_hour", "less than or equal"),
    (_too_busy, "demand.rate_per_hour", "orders expected"),
    (_set("menu", "pizza", "cook_minutes", value=math.inf), "menu.pizza.cook_minutes", "finite"),
    (_set("menu", "pizza", "price", value=1e300), "menu.pizza.price", "less than or equal"),
    (_set("menu", "pizza", "cv", value=1e200), "menu.pizza.cv", "less than or equal"),
    (_set("menu", "pizza", "uses", value="dough"), "menu.pizza.uses", "unknown component"),
    (_set("components", "base", "prep_minutes", value=1e-9), "prep_minutes", "greater than"),
    (_set("money", value=-math.inf), "money", "finite"),
    (_set("seed", value=-1), "seed", "greater than or equal to 0"),
    (_set("regulars", "customers", value=10**12), "regulars.customers", "less than"),
    (_set("branches", value=[]), "branches", "at least 1 item"),
    (_set("name", value=""), "name", "at least 1 character"),
    (_set("branches", 0, "area", value="moon"), "branches.0.area", "unknown area 'moon'"),
    (_set("branches", 0, "agents", value=10**12), "branches.0.agents", "less than"),
    (_set("branches", 0, "chefs", 1, "specialty", value="sushi"), "chefs.1.specialty", "sushi"),
    (_set("branches", 0, "chefs", 0, "level", value=99), "chefs.0.level", "above the max"),
    (_dup_chef, "branches.0.chefs.1.name", "duplicate chef"),
    (_set("routing", "kitchen", value="psychic"), "routing.kitchen", "unknown strategy"),
    (_set("routing", "branch", value="closest"), "routing.branch", "unknown strategy"),
    (_set("travel", "centre", "mars", value=3), "travel.centre.mars", "unknown area"),
    (_set("staff", value={"speed_by_level": [0]}), "staff.speed_by_level.0", "greater than"),
    (
        _set("timeline", value=[{"kind": "outage", "at": -1, "duration": 5, "area": "north"}]),
        "timeline.0.outage.at",
        "greater than or equal to 0",
    ),
    (
        _set("timeline", value=[{"kind": "leave", "at": 5, "duration": 5, "chef": "Nobody"}]),
        "timeline.0.chef",
        "unknown chef 'Nobody'",
    ),
    (
        _set("timeline", value=[{"kind": "meteor", "at": 5}]),
        "timeline.0",
        "unknown kind 'meteor'",
    ),
    (_set("allowed_actions", value=["teleport"]), "allowed_actions", "unknown action"),
    # Booleans and text are not numbers (`true` was read as 1 hour).
    (_set("shift_hours", value=True), "shift_hours", "valid number"),
    (_set("shift_hours", value="8"), "shift_hours", "valid number"),
    (_set("seed", value=False), "seed", "valid integer"),
    (_set("menu", "pizza", "price", value=True), "menu.pizza.price", "valid number"),
    (_set("branches", 0, "agents", value=True), "branches.0.agents", "valid integer"),
    (_set("demand", "rate_per_hour", value=[5, True]), "demand.rate_per_hour.1", "valid number"),
    (_set("branches", 0, "chefs", 0, "level", value=2.0), "chefs.0.level", "valid integer"),
    (_set("branches", 0, "open", value=1), "branches.0.open", "valid boolean"),
    # Names and titles are printed as they are: no escapes, no line breaks.
    (_set("name", value="\x1b[2J\x1b]0;owned\x07"), "name", "letters, digits and _ . -"),
    (_set("name", value="day\nfaked: line"), "name", "letters, digits and _ . -"),
    (_set("name", value="x" * 41), "name", "at most 40"),
    (_set("title", value="Lunch\x1b[31m"), "title", "one line of printable"),
    (_set("title", value="two\nlines"), "title", "one line of printable"),
    (_set("concept", value="a\rb"), "concept", "one line of printable"),
    (_set("description", value="tab\there"), "description", "only printable"),
    (_set("goals", "main", "text", value="\x1b[1m"), "goals.main.text", "one line of printable"),
    (_set("title", value="t" * 61), "title", "at most 60"),
    # Counts that cost work: capped far above any sensible scenario.
    (_set("timeline", value=[RUSH] * 1001), "timeline", "at most 1000"),
    (_set("menu", value={f"dish{i}": DISH for i in range(101)}), "menu", "at most 100"),
    (_set("areas", value=[f"a{i}" for i in range(101)]), "areas", "at most 100"),
    (_set("branches", value=[branch(i) for i in range(101)]), "branches", "at most 100"),
    (_set("demand", "rate_per_hour", value=[1.0] * 10_001), "demand.rate_per_hour", "at most"),
    (_many_branches_all_day, "(whole shift)", "steps of work"),
    (_many_addons, "(whole shift)", "steps of work"),
]


@pytest.mark.parametrize(("edit", "field", "problem"), SCENARIO_PROBLEMS)
def test_a_bad_scenario_field_is_named_with_its_path(
    tmp_path: Path, edit: Any, field: str, problem: str
) -> None:
    path = write_scenario(tmp_path / "bad.toml", edit)
    before = path.read_bytes()
    for argv in (("validate", str(path)), ("run", str(path), "--json")):
        line = rejected(invoke(*argv), f"{path}: ", field, problem)
        assert line.startswith(f"{ERROR}{path}: ")
    assert path.read_bytes() == before


def test_malformed_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\nshift_hours = \n')
    rejected(invoke("run", str(path)), f"{path}: bad TOML", "line 2")


def test_a_key_with_a_newline_still_gives_one_line(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["menu"]["piz\nza"] = {"price": -1, "cook_minutes": 5}

    path = write_scenario(tmp_path / "newline.toml", edit)
    rejected(invoke("validate", str(path)), "menu.piz\\nza.price", "greater than or equal")


def test_numbers_too_long_to_parse_and_nesting_too_deep_are_bad_input(tmp_path: Path) -> None:
    digits = tmp_path / "digits.toml"
    digits.write_text(f"seed = 1{'0' * 5000}\n")
    rejected(invoke("validate", str(digits)), f"{digits}: bad TOML", "digits")
    deep_toml = tmp_path / "deep.toml"
    deep_toml.write_text("a = " + "[" * 100_000)
    rejected(invoke("validate", str(deep_toml)), f"{deep_toml}: bad TOML", "nested too deeply")
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 100_000)
    rejected(invoke("validate", str(deep_json)), f"{deep_json}: bad JSON", "nested too deeply")
    big_json = tmp_path / "big.json"
    big_json.write_text(f'[{{"kind": "hire", "at": 1{"0" * 5000}}}]')
    rejected(invoke("run", "default_day", "--actions", str(big_json)), f"{big_json}: bad JSON")


def test_an_unknown_scenario_name_lists_the_bundled_ones() -> None:
    line = rejected(invoke("run", "tuesday"), "tuesday: no such file")
    assert all(name in line for name in bundled_scenarios())


def test_an_unknown_strategy_names_the_argument_and_the_choices() -> None:
    rejected(invoke("run", "default_day", "--strategy", "psychic"), "--strategy", "round_robin")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("run", "default_day", "--seed", "abc"), "--seed"),
        (("run", "default_day", "--seed", "-1"), "--seed"),
        (("run", "default_day", "--seed", str(2**63)), "--seed"),
        (("run", "default_day", "--seed"), "--seed"),
        (("run",), "scenario"),
        (("run", ""), "scenario"),
        (("validate",), "file"),
        (("run", "default_day", "--bogus"), "--bogus"),
        (("frobnicate",), "frobnicate"),
        (("run", "default_day", "--actions"), "--actions"),
        (("run", "default_day", "extra\nargument"), "extra\\nargument"),
    ],
)
def test_a_bad_argument_is_one_line_naming_it(argv: tuple[str, ...], needle: str) -> None:
    rejected(invoke(*argv), needle)


# ------------------------------------------------------------------------------ unreadable files


@pytest.mark.parametrize("use", ["validate", "scenario", "actions"])
def test_missing_directory_and_non_utf8_files_are_named(tmp_path: Path, use: str) -> None:
    def attempt(path: Path) -> Result:
        if use == "validate":
            return invoke("validate", str(path))
        if use == "scenario":
            return invoke("run", str(path))
        return invoke("run", "default_day", "--actions", str(path))

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    for path, problem in [(latin1, "is not UTF-8"), (folder, "is a directory")]:
        rejected(attempt(path), f"{path}: {problem}")
    missing = tmp_path / "missing.toml"
    rejected(attempt(missing), str(missing), "no such file")
    too_long = tmp_path / ("x" * 300)
    rejected(attempt(too_long), str(too_long), "too long")


def test_an_unreadable_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.toml"
    path.write_text("x = 1\n")
    monkeypatch.setattr(os, "open", denying(path))
    rejected(invoke("validate", str(path)), f"{path}: Permission denied")
    rejected(invoke("run", str(path)), f"{path}: Permission denied")
    rejected(invoke("run", "default_day", "--actions", str(path)), f"{path}: Permission denied")


SPECIAL_FILE_USES = {
    "validate": lambda path: ("validate", str(path)),
    "run": lambda path: ("run", str(path)),
    "actions": lambda path: ("run", "default_day", "--actions", str(path)),
    "load": lambda path: ("play", "--load", str(path)),
    "grade actions": lambda path: ("grade", "regulars", "--actions", str(path)),
}


@pytest.mark.parametrize("use", list(SPECIAL_FILE_USES))
def test_a_fifo_is_refused_at_once(tmp_path: Path, use: str) -> None:
    """A FIFO blocks a plain read until someone writes to it: pizzashop must not wait."""
    fifo = tmp_path / "shop.toml"
    os.mkfifo(fifo)
    argv = SPECIAL_FILE_USES[use](fifo)
    rejected(returns_soon(lambda: invoke(*argv), fifo), f"{fifo}: not a regular file")


@pytest.mark.parametrize("use", list(SPECIAL_FILE_USES))
def test_devices_are_refused_before_a_byte_is_read(tmp_path: Path, use: str) -> None:
    """`/dev/zero` never ends (reading it ran out of memory); a link to it is no better."""
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), Path("/dev/null"), link):
        rejected(invoke(*SPECIAL_FILE_USES[use](path)), f"{path}: not a regular file")


def test_a_file_larger_than_any_real_one_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        file.truncate(10 * 2**30)
    for path in (big, huge):
        for use in SPECIAL_FILE_USES.values():
            rejected(invoke(*use(path)), f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
    at_limit = tmp_path / "padded.toml"
    at_limit.write_text(BUNDLED["default_day"].read_text().ljust(MAX_FILE_BYTES))
    assert invoke("validate", str(at_limit)).code == 0


def test_a_nul_byte_in_a_path_is_bad_input() -> None:
    rejected(invoke("run", "default_day", "--actions", "a\0b.json"), "a\\x00b.json")


# --------------------------------------------------------------------- action files, by example


@pytest.mark.parametrize(
    ("name", "text", "needles"),
    [
        ("object.json", '{"a": 1}', ("a: extra inputs",)),
        ("number.json", "5", ("expected a table or an object",)),
        ("string.json", '"hire"', ("expected a table or an object",)),
        ("null.json", "null", ("expected a table or an object",)),
        ("numbers.json", "[1, 2]", ("actions.0", "valid dictionary")),
        ("lists.json", "[[]]", ("actions.0", "valid dictionary")),
        ("not-list.json", '{"actions": {}}', ("actions", "valid list")),
        ("no-kind.json", '[{"at": 5}]', ("actions.0", "discriminator 'kind'")),
        ("unknown.json", '[{"kind": "teleport"}]', ("actions.0", "unknown kind 'teleport'")),
        ("negative.json", '[{"kind": "hire", "at": -5}]', ("actions.0.hire.at", "greater")),
        ("nan.json", '[{"kind": "hire", "at": NaN}]', ("actions.0.hire.at", "finite")),
        ("inf.json", '[{"kind": "hire", "at": Infinity}]', ("actions.0.hire.at", "finite")),
        ("late.json", '[{"kind": "hire", "at": 1e12}]', ("actions.0.hire.at", "less than")),
        ("count.json", '[{"kind": "hire_agents", "count": 0}]', ("count", "greater")),
        ("price.json", '[{"kind": "push_menu", "item": "pizza", "price": 1e300}]', ("price",)),
        ("trailing.json", "[{}", ("line 1", "bad JSON")),
        ("missing.toml", '[[actions]]\nkind = "fire"\n', ("actions.0.fire.chef", "required")),
        ("typo.toml", '[[actions]]\nkind = "fire"\nchfe = "c1"\n', ("actions.0.fire",)),
        ("extra.toml", 'actions = []\nname = "x"\n', ("name: extra inputs",)),
        ("slot.toml", '[[actions]]\nkind = "set_prep"\njobs = [{ start = -1 }]\n', ("jobs.0",)),
        ("at-true.json", '[{"kind": "hire", "at": true}]', ("actions.0.hire.at", "valid number")),
        ("count.toml", '[[actions]]\nkind = "hire_agents"\ncount = true\n', ("valid integer",)),
        ("text.json", '[{"kind": "upgrade", "at": "5", "chef": "c1"}]', ("at", "valid number")),
        ("backup.json", '[{"kind": "mark_backup", "chef": "c1", "backup": 0}]', ("valid boolean",)),
        ("many.json", json.dumps([{"kind": "fire", "chef": "c9"}] * 10_001), ("at most 10000",)),
    ],
)
def test_a_bad_action_file_is_named_with_the_field(
    tmp_path: Path, name: str, text: str, needles: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_text(text)
    rejected(invoke("run", "default_day", "--actions", str(path)), f"{path}: ", *needles)
    if name != "object.json":  # without "actions", validate reads a file as a scenario
        rejected(invoke("validate", str(path)), f"{path}: ", *needles)
    assert path.read_text() == text


def test_failed_runs_write_nothing_and_change_no_input(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "shop.toml", _set("seed", value=-3))
    actions = tmp_path / "actions.json"
    actions.write_text('[{"kind": "hire", "at": -1}]')
    good_actions = tmp_path / "good.json"
    good_actions.write_text(json.dumps(ACTIONS))
    snapshot = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()}
    rejected(invoke("run", str(scenario), "--actions", str(good_actions)), str(scenario))
    rejected(invoke("run", "default_day", "--actions", str(actions)), str(actions))
    rejected(invoke("run", "default_day", "--actions", str(good_actions), "--strategy", "x"))
    assert invoke("run", "default_day", "--actions", str(good_actions)).code == 0
    after = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()}
    assert after == snapshot


# ------------------------------------------------------------------- the installed console script


def test_the_console_script_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[menu\n")
    for argv in (
        ["validate", str(broken)],
        ["run", "x" * 300],
        ["run", "default_day", "--seed", "soon"],
    ):
        done = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True)
        assert done.returncode == 2, done
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith(ERROR)
        assert "Traceback" not in done.stderr


# ------------------------------------------------------------------------------ property tests


NUMBERS = [-1, 0, 1, -0.5, 0.0, 1e-9, 1e12, 10**30, 2**63, 1e308, math.nan, math.inf, -math.inf]
WRONG_TYPES = ["text", "", True, False, [], [1, "x"], {}, {"x": 1}, [{}]]
NAMES = ["nowhere", "", " ", "Nobody", "warp_drive", "@*", "psychic", "generalist"]
UNKNOWN_KEYS = ["colour", "shift_hour", "chefs", "kind", "name", "at"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in a tree of dicts and lists, the root `()` first."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _strings(node: Any) -> list[str]:
    """Every string in the tree, keys included: names to cross-reference wrongly."""
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (key, *_strings(value))]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _at(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


def mutate(draw: st.DrawFn, root: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    """One hand-editing accident somewhere in the tree, drawn by hypothesis."""
    paths = _paths(root)
    if len(paths) == 1:  # everything was deleted: all that is left to do is add a stray key
        root[draw(st.sampled_from(UNKNOWN_KEYS))] = copy.deepcopy(draw(st.sampled_from(values)))
        return root
    path = draw(st.sampled_from(paths[1:]))
    parent, last = _at(root, path[:-1]), path[-1]
    node = parent[last]
    kind = draw(
        st.sampled_from(["delete", "replace", "rename", "unknown_key", "duplicate", "rekey"])
    )
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = copy.deepcopy(draw(st.sampled_from(values)))
    elif kind == "rename" or (kind == "rekey" and not isinstance(parent, dict)):
        parent[last] = draw(st.sampled_from(NAMES + _strings(root)))
    elif kind == "unknown_key" and isinstance(node, dict):
        node[draw(st.sampled_from(UNKNOWN_KEYS))] = draw(st.sampled_from(values))
    elif kind == "duplicate" and isinstance(node, list) and node:
        node.append(copy.deepcopy(draw(st.sampled_from(node))))
    elif kind == "rekey" and isinstance(parent, dict):
        new = draw(st.sampled_from(NAMES + _strings(root)))
        parent[new] = parent.pop(last)
    else:  # the drawn kind does not apply at this spot: replace it instead
        parent[last] = copy.deepcopy(draw(st.sampled_from(values)))
    return root


def _not_json(constant: str) -> None:
    raise AssertionError(f"the report holds {constant}, which standard JSON has no word for")


def check_outcome(result: Result, path: Path, command: str) -> None:
    """Either a success with output and a clean stderr, or one error line naming the file."""
    event(f"{command} exit {result.code}")
    if result.code == 0:
        assert result.err == ""
        assert result.out.endswith("\n")
        if command == "run":
            report = json.loads(result.out, parse_constant=_not_json)
            placed = report["orders_delivered"] + report["orders_lost_total"]
            assert report["orders_placed"] == placed + report["orders_in_flight"]
    else:
        rejected(result, f"{ERROR}{path}: ")


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutants")


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(SCENARIOS)))
def test_mutated_scenarios_give_a_report_or_one_error_line(
    workdir: Path, data: st.DataObject, name: str
) -> None:
    scenario = copy.deepcopy(SCENARIOS[name])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        scenario = mutate(data.draw, scenario, NUMBERS + WRONG_TYPES + NAMES)
    path = workdir / "mutant.toml"
    path.write_text(to_toml(scenario))
    before = path.read_bytes()
    checked = invoke("validate", str(path))
    ran = invoke("run", str(path), "--json")
    check_outcome(checked, path, "validate")
    check_outcome(ran, path, "run")
    assert checked.code == ran.code, (checked, ran)
    assert path.read_bytes() == before


EDGE_NUMBERS = [0, 0.0, 1e-9, 0.1, 1, 2, 47, 1440, -1, 1e12, math.nan]


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(SCENARIOS)))
def test_scenarios_with_edge_numbers_give_a_report_or_one_error_line(
    workdir: Path, data: st.DataObject, name: str
) -> None:
    """Numbers at their edges (zero, tiny, the caps) mostly pass validation: the engine runs."""
    scenario = copy.deepcopy(SCENARIOS[name])
    numeric = [path for path in _paths(scenario) if _is_number(_at(scenario, path))]
    for path in data.draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=4)):
        _at(scenario, path[:-1])[path[-1]] = data.draw(st.sampled_from(EDGE_NUMBERS))
    path = workdir / "edges.toml"
    path.write_text(to_toml(scenario))
    ran = invoke("run", str(path), "--json")
    check_outcome(ran, path, "run")
    assert (invoke("validate", str(path)).code == 0) == (ran.code == 0)


TOP_LEVEL = [5, "actions", None, True, {}, {"actions": 5}, [1, 2], [[]], [None]]


@PROPERTY
@given(data=st.data(), form=st.sampled_from(["toml", "json list", "json object"]))
def test_mutated_action_files_give_a_report_or_one_error_line(
    workdir: Path, data: st.DataObject, form: str
) -> None:
    document: Any = {"actions": copy.deepcopy(ACTIONS)}
    values = NUMBERS + WRONG_TYPES + NAMES + ([None] if form != "toml" else [])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        document = mutate(data.draw, document, values)
    if form == "toml":
        path = workdir / "actions.toml"
        path.write_text(to_toml(document))
    else:
        if form == "json list" and list(document) == ["actions"]:
            document = document["actions"]
        if data.draw(st.integers(0, 9), label="replace the top level") == 0:
            document = data.draw(st.sampled_from(TOP_LEVEL))
        path = workdir / "actions.json"
        path.write_text(json.dumps(document))
    before = path.read_bytes()
    ran = invoke("run", "default_day", "--actions", str(path), "--json")
    check_outcome(ran, path, "run")
    if isinstance(document, list) or (isinstance(document, dict) and "actions" in document):
        checked = invoke("validate", str(path))
        check_outcome(checked, path, "validate")
        assert checked.code == ran.code, (checked, ran)
    assert path.read_bytes() == before
