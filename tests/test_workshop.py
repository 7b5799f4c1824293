"""Workshops: participants' routers, headless grading, the leaderboard and the level list.

A participant's router is their own Python file, so everything that can go wrong in it must end
the run with exit status 2 and one line naming the file; the router sees read-only views only, and
its `self.rng` is seeded so that grading is as reproducible as the engine itself.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import multiprocessing
import random
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import invoke
from hypothesis import given
from hypothesis import strategies as st

from pizzashop.hosting import live
from pizzashop.sim import KITCHEN_STRATEGIES, Simulation, bundled_levels, load_scenario
from pizzashop.sim.catalog import assets_dir
from pizzashop.workshop import leaderboard
from pizzashop.workshop.grading import grade, grading_seeds
from pizzashop.workshop.leaderboard import NAME_LIMIT, Leaderboard, clean_name
from pizzashop.workshop.strategies import ChefView, ItemView, load_player_strategy

REPO = Path(__file__).resolve().parent.parent
WIN = assets_dir() / "levels" / "proofs" / "regulars.win.toml"
ERROR = "pizzashop: error: "


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every score goes to a file under a temporary home, never to a configured shared store."""
    path = tmp_path / "home"
    monkeypatch.setenv("PIZZASHOP_HOME", str(path))
    monkeypatch.delenv("PIZZASHOP_LEADERBOARD", raising=False)
    return path


@pytest.fixture(autouse=True)
def registry() -> Iterator[None]:
    """Loading a router registers it; no other test (nor `pizzashop strategies`) may see it."""
    saved, modules = dict(KITCHEN_STRATEGIES), set(sys.modules)
    yield
    KITCHEN_STRATEGIES.clear()
    KITCHEN_STRATEGIES.update(saved)
    for name in set(sys.modules) - modules:
        if name.startswith("pizzashop_player_"):
            del sys.modules[name]


def ok(*argv: str) -> str:
    result = invoke(*argv)
    assert (result.code, result.err) == (0, ""), result
    return result.out


def router(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "router.py"
    path.write_text(source, encoding="utf-8")
    return path


def scores(*argv: str) -> list[dict[str, Any]]:
    return json.loads(ok("scores", *argv, "--json"))["scores"]


COIN = """
class Coin:
    def choose(self, item, chefs):
        return self.rng.choice(chefs).id
"""

# ------------------------------------------------------------------------------ grading


def test_the_worked_example_grades_and_beats_modulo_on_regulars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two commands of docs/workshop.md, run from the repository as a participant would."""
    monkeypatch.chdir(REPO)
    ring = json.loads(ok("grade", "regulars", "--strategy", "examples/ring_router.py:RingRouter"))
    modulo = json.loads(ok("grade", "regulars", "--strategy", "modulo", "--name", "modulo"))
    seeds = grading_seeds(load_scenario("regulars"))
    assert len(seeds) == 5
    assert ring["seeds"] == modulo["seeds"] == seeds
    assert ring["strategy"] == "ring_router:RingRouter"
    for mine, theirs in zip(ring["runs"], modulo["runs"], strict=True):
        assert mine["orders_placed"] == theirs["orders_placed"]  # the same customers
    assert ring["mean_goodput"] > modulo["mean_goodput"]
    assert ring["mean_score"] > modulo["mean_score"]
    assert ring["wins"] > modulo["wins"]


def test_grade_runs_the_entry_on_each_seed_and_records_every_run(tmp_path: Path) -> None:
    summary = json.loads(ok("grade", "regulars", "--actions", str(WIN), "--name", "Ada"))
    assert summary["seeds"] == grading_seeds(load_scenario("regulars"))
    assert summary["name"] == "Ada"
    for run in summary["runs"]:
        alone = json.loads(
            ok("run", "regulars", "--seed", str(run["seed"]), "--actions", str(WIN), "--json")
        )
        assert run == {key: alone[key] for key in run}
    runs = summary["runs"]
    assert summary["mean_goodput"] == round(sum(run["goodput"] for run in runs) / len(runs), 4)
    assert summary["mean_score"] == round(sum(run["score"] for run in runs) / len(runs), 2)
    assert summary["wins"] == sum(run["won"] for run in runs)
    assert summary["min_stars"] == min(run["stars"] for run in runs)
    recorded = scores("regulars")
    assert sorted((entry["seed"], entry["score"]) for entry in recorded) == sorted(
        (run["seed"], run["score"]) for run in runs
    )
    assert {(entry["name"], entry["kind"]) for entry in recorded} == {("Ada", "grade")}


def test_a_scenario_without_goals_grades_without_wins_or_stars() -> None:
    summary = grade(load_scenario("mmc_lab"), [], "shared", seeds=[1, 2])
    assert summary["seeds"] == [1, 2]
    assert "wins" not in summary and "min_stars" not in summary


def test_grading_the_same_entry_twice_gives_identical_json(tmp_path: Path) -> None:
    path = router(tmp_path, COIN)
    argv = ("grade", "regulars", "--strategy", f"{path}:Coin", "--actions", str(WIN))
    first = ok(*argv)
    assert ok(*argv) == first
    assert len(scores("regulars")) == 10


def test_an_edited_copy_of_a_level_never_lands_on_that_levels_board(tmp_path: Path) -> None:
    """A copy that keeps the level's name but hands out a fortune and easy goals put 600,000,969
    points and three stars on the real board; only the unchanged level (by content) goes there."""
    level = bundled_levels()["regulars"]
    copy = tmp_path / "regulars.toml"
    text = level.read_text(encoding="utf-8")
    copy.write_text(text.replace("\nprice = 20\n", "\nprice = 1e7\n", 1), encoding="utf-8")
    assert load_scenario(copy).name == "regulars" and load_scenario(copy).menu["pizza"].price == 1e7
    summary = json.loads(ok("grade", str(copy), "--strategy", "ring", "--name", "Mallory"))
    assert summary["level"] == "regulars"
    assert summary["leaderboard"].startswith("regulars~") and summary["mean_score"] > 10**7
    assert scores("regulars") == []
    assert ok("scores", "regulars") == "no scores yet for regulars\n"
    assert {entry["name"] for entry in scores(str(copy))} == {"Mallory"}
    assert ok("scores", str(copy)).splitlines()[0].split()[:2] == ["#", "name"]

    unchanged = tmp_path / "same_as_regulars.toml"
    unchanged.write_text(text, encoding="utf-8")
    fair = json.loads(ok("grade", str(unchanged), "--strategy", "ring", "--name", "Ada"))
    assert fair["leaderboard"] == "regulars"
    assert {entry["name"] for entry in scores("regulars")} == {"Ada"}


def test_a_scenario_of_ones_own_has_a_board_of_its_own_per_content(tmp_path: Path) -> None:
    path = tmp_path / "class.toml"
    text = bundled_levels()["regulars"].read_text(encoding="utf-8")
    path.write_text(text.replace('name = "regulars"', 'name = "our_class"', 1), encoding="utf-8")
    first = json.loads(ok("grade", str(path), "--strategy", "modulo", "--name", "Ada"))
    again = json.loads(ok("grade", str(path), "--strategy", "ring", "--name", "Bob"))
    assert first["leaderboard"] == again["leaderboard"]
    assert first["leaderboard"].startswith("our_class~")
    assert {entry["name"] for entry in scores(str(path))} == {"Ada", "Bob"}


# ------------------------------------------------------------------------ participants' routers


RECORDER = """
class Recorder:
    def __init__(self):
        self.seen = []
        self.draws = []

    def choose(self, item, chefs):
        self.seen.append((item, chefs))
        self.draws.append(self.rng.random())
        return chefs[item.customer % len(chefs)].id
"""


def recorded(tmp_path: Path, seed: int) -> Any:
    name = load_player_strategy(f"{router(tmp_path, RECORDER)}:Recorder")
    sim = Simulation(load_scenario("regulars"), seed=seed, kitchen_strategy=name)
    sim.run()
    return sim, sim.router(sim.branches[0]).player


def test_a_router_sees_read_only_views_of_plain_values(tmp_path: Path) -> None:
    sim, player = recorded(tmp_path, seed=801)
    assert len(player.seen) > 100
    assert ItemView._fields == ("order", "customer", "item", "station", "area", "placed")
    assert ChefView._fields == ("id", "name", "specialty", "level", "speed", "load", "busy")
    for item, chefs in player.seen:
        assert type(item) is ItemView and type(chefs) is tuple and chefs
        assert all(type(chef) is ChefView for chef in chefs)
        # Only ints, floats, strings and bools: nothing that leads back into the engine.
        values = [*item, *(value for chef in chefs for value in chef)]
        assert {type(value) for value in values} <= {int, float, str, bool}
        assert all(sim.chefs[chef.id].name == chef.name for chef in chefs)
    item, chefs = player.seen[0]
    with pytest.raises(AttributeError):
        item.customer = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        chefs[0].load = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        chefs[0] = chefs[-1]  # type: ignore[index]


def test_self_rng_is_seeded_from_the_run(tmp_path: Path) -> None:
    _, first = recorded(tmp_path, seed=801)
    _, again = recorded(tmp_path, seed=801)
    _, other = recorded(tmp_path, seed=802)
    assert isinstance(first.rng, random.Random)
    assert first.draws and first.draws == again.draws
    assert first.draws[:20] != other.draws[:20]


def test_a_random_router_gives_byte_identical_runs(tmp_path: Path) -> None:
    path = router(tmp_path, COIN)
    argv = ("run", "regulars", "--seed", "3", "--strategy", f"{path}:Coin", "--json")
    first = ok(*argv)
    assert ok(*argv) == first
    assert json.loads(first)["kitchen_strategy"] == "router:Coin"


CHOOSE = "    def choose(self, item, chefs):\n        return chefs[0].id\n"


def _choose(body: str) -> str:
    """A router class `R` whose `choose` is the one line `body`."""
    return f"class R:\n    def choose(self, item, chefs):\n        {body}\n"


def _init(body: str) -> str:
    """A router class `R` whose constructor is the one line `body` (with a good `choose`)."""
    return f"class R:\n    def __init__(self):\n        {body}\n\n{CHOOSE}"


EVERYTHING_EQUAL = """
class Anything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

class R:
    def choose(self, item, chefs):
        return Anything()
"""
FROZEN = """
from dataclasses import dataclass

@dataclass(frozen=True)
class R:
    def choose(self, item, chefs):
        return chefs[0].id
"""
# name → (the file's source or None for no file, the class spec, a fragment of the error line)
BAD_ROUTERS: dict[str, tuple[str | None, str, str]] = {
    "missing file": (None, ":R", "no such file"),
    "syntax error": ("class R:\n    def choose(self, item chefs):\n", ":R", "syntax error"),
    "import raises": ("raise RuntimeError('at import')\n", ":R", "importing it raised"),
    "import exits": ("import sys\nsys.exit(3)\n", ":R", "importing it raised SystemExit(3)"),
    "missing class": (_choose("return chefs[0].id"), ":Nope", "Nope: no such class"),
    "not a class": ("R = 5\n", ":R", "R: no such class"),
    "no choose": ("class R:\n    pass\n", ":R", "R: has no choose"),
    "choose not callable": ("class R:\n    choose = 3\n", ":R", "R: has no choose"),
    "constructor raises": (_init("1 / 0"), ":R", "R(): ZeroDivisionError"),
    "constructor exits": (_init("exit()"), ":R", "R(): SystemExit"),
    "constructor wants arguments": (
        f"class R:\n    def __init__(self, size):\n        pass\n\n{CHOOSE}",
        ":R",
        "R(): TypeError",
    ),
    "rng cannot be set": (FROZEN, ":R", "R.rng: cannot set self.rng"),
    "choose raises": (_choose("return {}[item.item]"), ":R", "router:R.choose: raised KeyError"),
    "choose exits": (_choose("raise SystemExit(0)"), ":R", "choose: raised SystemExit(0)"),
    "choose mutates a view": (
        _choose("chefs[0].load = 0"),
        ":R",
        "choose: raised AttributeError",
    ),
    "returns a number": (_choose("return 1"), ":R", "returned 1, not a chef id (c1, c2, c3)"),
    "returns None": (_choose("return None"), ":R", "returned None, not a chef id"),
    "returns a name": (_choose("return chefs[0].name"), ":R", "returned 'Mario', not a chef id"),
    "returns an unknown id": (_choose("return 'c99'"), ":R", "returned 'c99', not a chef id"),
    "returns an object equal to anything": (EVERYTHING_EQUAL, ":R", "not a chef id (c1, c2, c3)"),
    # Mario (c1) takes a break and goes home: from then on he is not on duty.
    "returns a chef who is not on duty": (
        _choose("return 'c1'"),
        ":R",
        "returned 'c1', not a chef id (c2, ",
    ),
    "no colon": (_choose("return chefs[0].id"), "", "--strategy: unknown strategy"),
    "no class after the colon": (_choose("return chefs[0].id"), ":", "--strategy: "),
}


@pytest.mark.parametrize("command", ["run", "grade"])
@pytest.mark.parametrize("case", list(BAD_ROUTERS))
def test_a_bad_router_is_one_line_naming_the_file_and_exit_2(
    tmp_path: Path, command: str, case: str
) -> None:
    source, suffix, needle = BAD_ROUTERS[case]
    path = tmp_path / "router.py"
    if source is not None:
        path.write_text(source, encoding="utf-8")
    result = invoke(command, "regulars", "--strategy", f"{path}{suffix}")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(ERROR)
    assert result.err.endswith("\n") and result.err.count("\n") == 1
    assert str(path) in result.err
    assert needle in result.err
    assert scores("regulars") == []  # a failed grade records nothing


# ---------------------------------------------------------------------------- the leaderboard


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Leaderboard]:
    """A leaderboard whose clock ticks one second per score, so "earlier" is unambiguous."""
    monkeypatch.setattr(leaderboard, "time", SimpleNamespace(time=itertools.count(1000).__next__))
    opened = Leaderboard()
    yield opened
    opened.close()


def test_scores_rank_by_score_then_earliest_and_filter_by_seed(board: Leaderboard) -> None:
    for name, seed, score in [
        ("Ada", 801, 900),
        ("Bob", 802, 1200),
        ("Cy", 801, 1200),
        ("Dee", 803, 700),
        ("Eve", 801, 900),
    ]:
        board.add("regulars", seed, name, score, score / 1500, 1, "grade")
    board.add("blackout", 801, "Zed", 5000, 1.0, 3, "grade")

    expected = [("Bob", 802, 1200), ("Cy", 801, 1200), ("Ada", 801, 900), ("Eve", 801, 900)]
    expected.append(("Dee", 803, 700))
    ranked = [(entry["name"], entry["seed"], entry["score"]) for entry in scores("regulars")]
    assert ranked == expected
    seed_801 = [(entry["name"], entry["seed"]) for entry in scores("regulars", "--seed", "801")]
    assert seed_801 == [("Cy", 801), ("Ada", 801), ("Eve", 801)]
    assert scores("regulars", "--seed", "9") == []
    first = scores("regulars")[0]
    assert first == {
        "name": "Bob",
        "seed": 802,
        "score": 1200,
        "goodput": 0.8,
        "stars": 1,
        "kind": "grade",
    }

    table = ok("scores", "regulars").splitlines()
    assert table[0].split() == ["#", "name", "seed", "score", "goodput", "stars"]
    assert [line.split()[:4] for line in table[1:]] == [
        [str(rank), name, str(seed), str(score)]
        for rank, (name, seed, score) in enumerate(expected, start=1)
    ]


def test_the_leaderboard_shows_the_top_ten(board: Leaderboard) -> None:
    for score in range(12):
        board.add("regulars", 801, f"p{score}", score, 0.5, 0, "grade")
    assert [entry["score"] for entry in scores("regulars")] == list(range(11, 1, -1))


def test_an_empty_leaderboard_says_so() -> None:
    assert ok("scores", "regulars") == "no scores yet for regulars\n"
    assert ok("scores", "regulars", "--seed", "4") == "no scores yet for regulars seed 4\n"


def test_scores_of_an_unknown_level_is_one_line_and_exit_2() -> None:
    result = invoke("scores", "no_such_level")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"{ERROR}no_such_level: no such file, scenario or level")


def test_equal_scores_at_the_same_clock_tick_keep_the_order_they_arrived(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(leaderboard, "time", SimpleNamespace(time=lambda: 1000.0))
    board = Leaderboard()
    try:
        for index, seed in enumerate([805, 801, 803, 802, 804]):
            board.add("regulars", seed, f"p{index}", 1000, 0.5, 1, "grade")
    finally:
        board.close()
    assert [entry["name"] for entry in scores("regulars")] == ["p0", "p1", "p2", "p3", "p4"]


FORBIDDEN = set("[]\x1b")


def _shown_safely(name: str) -> bool:
    return (
        0 < len(name) <= NAME_LIMIT
        and name == name.strip()
        and all(ch.isprintable() and ch not in FORBIDDEN for ch in name)
    )


@given(st.text(st.characters(exclude_categories=())))  # surrogates too (undecodable user names)
def test_clean_name_is_always_short_printable_markup_free_and_never_empty(name: str) -> None:
    cleaned = clean_name(name)
    assert _shown_safely(cleaned)
    assert clean_name(cleaned) == cleaned


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("\x1b[31mEve\x1b[0m", "31mEve0m"),
        ("[bold red]Mallory[/]", "bold redMallory"),
        ("  Ada   Lovelace  ", "Ada Lovelace"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("x" * 40, "x" * NAME_LIMIT),
        ("\x1b[]\x07", "anonymous"),
        ("Ｆｕｌｌ［ｗｉｄｔｈ］", "Fullwidth"),
    ],
)
def test_clean_name_examples(raw: str, shown: str) -> None:
    assert clean_name(raw) == shown


def test_a_hostile_name_reaches_the_leaderboard_cleaned() -> None:
    raw = "\x1b]0;owned\x07[link=http://x]Mallory[/link]\x1b[2J"
    summary = json.loads(ok("grade", "regulars", "--actions", str(WIN), "--name", raw))
    assert summary["name"] == clean_name(raw)
    table = ok("scores", "regulars")
    assert not FORBIDDEN & set(table)
    assert all(ch.isprintable() for line in table.splitlines() for ch in line)
    assert {entry["name"] for entry in scores("regulars")} == {clean_name(raw)}


def _sneak_rows(home: Path, *rows: tuple[Any, ...]) -> None:
    """Rows written by another program straight into the file: SQLite keeps any type."""
    Leaderboard().close()  # the file and its table, as pizzashop makes them
    with contextlib.closing(sqlite3.connect(home / leaderboard.FILE_NAME)) as db, db:
        db.executemany(
            "INSERT INTO scores (level, seed, name, score, goodput, stars, kind, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


def test_scores_show_only_rows_pizzashop_could_have_written_and_clean_them(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row with escapes in its name or kind is cleaned; one with three hundred million stars
    (1.5 GB of them), a text goodput (a traceback) or a text score (sorts above every number in
    SQLite, hiding the real top ten) is not shown at all; nothing unbounded is read."""
    _sneak_rows(
        home,
        ("regulars", 801, "Ada", 900, 0.5, 2, "grade", 1.0),
        ("regulars", 801, f"{ESCAPES}Eve{ESCAPES}", 800, 0.4, 1, f"play{ESCAPES}", 2.0),
        ("regulars", 801, "Stars", 700, 0.3, 3 * 10**8, "play", 3.0),
        ("regulars", 801, "Text", 600, "abc", 1, "play", 4.0),
        ("regulars", 801, "Score", "zzz", 0.3, 1, "play", 5.0),
        ("regulars", 801, "Huge", 10**18, 0.3, 1, "play", 6.0),
        ("regulars", 801, "Seed", 500, 0.3, 1, "play", 7.0),
        ("regulars", 1.5, "Half", 400, 0.3, 1, "play", 8.0),
        ("regulars", 801, "x" * 10_000_000, 300, 0.3, 1, "play", "noon"),
        ("regulars", 801, b"\x1b[2Jbytes", 200, 0.3, 1, "play", 9.0),
        ("regulars", 801, "Neg", 100, -0.5, -1, "play", 10.0),
    )
    table = ok("scores", "regulars")
    assert len(table) < 2000
    assert "\x1b" not in table and all(ch.isprintable() for ln in table.splitlines() for ch in ln)
    eve = clean_name(f"{ESCAPES}Eve{ESCAPES}")
    expected = ["Ada", eve, "Seed", "x" * NAME_LIMIT, "anonymous"]
    assert [line.split()[1] for line in table.splitlines()[1:]] == expected
    listed = scores("regulars")
    assert [entry["name"] for entry in listed] == expected
    assert [entry["kind"] for entry in listed] == ["grade", "?", "play", "play", "play"]
    assert max(entry["stars"] for entry in listed) <= 3

    monkeypatch.setattr(live.time, "sleep", _interrupt)
    shown = invoke("scores", "regulars", "--live")
    assert (shown.code, shown.err) == (0, "")
    frame = shown.out
    assert "Ada" in frame and eve in frame and "\x1b" not in frame.replace(live.CLEAR, "")
    assert len(frame) < 2500


def _interrupt(seconds: float) -> None:
    raise KeyboardInterrupt


def test_the_live_view_cleans_and_bounds_every_frame() -> None:
    """Whatever `render` returns, the projector gets printable lines, bounded in number and width
    (the one escape is the view's own clear-screen on a terminal)."""
    out = io.StringIO()
    bodies = iter([f"{ESCAPES}row\r\x07\n" * 1000 + "w" * 100_000])

    def render() -> str:
        return next(bodies)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live.time, "sleep", _interrupt)
        assert live.follow(f"title{ESCAPES}\nforged line", render, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("title\\x1b]0;owned") and "forged line" in lines[1]
    assert len(lines) <= live.MAX_LINES + 1
    assert all(len(line) <= live.MAX_WIDTH and line.isprintable() for line in lines)


def test_a_scores_table_made_by_some_other_program_is_one_line(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(home / leaderboard.FILE_NAME)) as db, db:
        db.execute("CREATE TABLE scores (id INTEGER PRIMARY KEY, level TEXT)")
    result = invoke("scores", "regulars")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(ERROR) and result.err.count("\n") == 1
    assert "not a usable SQLite leaderboard (no such column: seed)" in result.err
    with contextlib.closing(sqlite3.connect(home / leaderboard.FILE_NAME)) as db, db:
        db.execute("DROP TABLE scores")
        db.execute("CREATE TABLE scores (id INTEGER PRIMARY KEY, level, seed, score, name)")
    result = invoke("scores", "regulars")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(ERROR) and result.err.count("\n") == 1
    assert "cannot read the scores (no such column: goodput)" in result.err


WORKERS, EACH = 5, 50


def _add_scores(path: Path, worker: int, start: Any) -> None:
    """One game process: open the shared file when everyone is ready, then add its scores."""
    start.wait()
    board = Leaderboard(path)
    try:
        for index in range(EACH):
            board.add("regulars", worker, f"w{worker}", index, 0.5, 1, "play")
    finally:
        board.close()


def test_concurrent_writers_lose_no_score(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WORKERS)
    workers = [
        context.Process(target=_add_scores, args=(path, worker, start)) for worker in range(WORKERS)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * WORKERS
    board = Leaderboard(path)
    try:
        assert board.count() == WORKERS * EACH
        for worker in range(WORKERS):
            assert len(board.top("regulars", seed=worker, limit=EACH + 1)) == EACH
    finally:
        board.close()


# -------------------------------------------------------------------------------- levels


def test_levels_json_lists_the_campaign_in_play_order() -> None:
    listed = json.loads(ok("levels", "--json"))
    assert len(listed) >= 13
    assert [level["id"] for level in listed] == list(bundled_levels())
    assert [level["number"] for level in listed] == list(range(1, len(listed) + 1))
    assert listed[0]["id"] == "opening_day"
    for level in listed:
        scenario = load_scenario(level["id"])
        assert (level["title"], level["concept"]) == (scenario.title, scenario.concept)
        assert level["title"] and level["concept"]
    text = ok("levels").splitlines()
    assert [line.split()[:2] for line in text] == [
        [str(level["number"]), level["id"]] for level in listed
    ]
