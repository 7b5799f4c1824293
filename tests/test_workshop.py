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
import os
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import ERROR, eventually, invoke, rejected, returns_soon
from hypothesis import given
from hypothesis import strategies as st

from pizzashop.hosting import live
from pizzashop.sim import (
    KITCHEN_STRATEGIES,
    Simulation,
    bundled_levels,
    describe_strategies,
    load_scenario,
)
from pizzashop.sim.catalog import assets_dir
from pizzashop.workshop import leaderboard, sandbox
from pizzashop.workshop.grading import grade, grading_seeds
from pizzashop.workshop.leaderboard import NAME_LIMIT, Leaderboard, clean_name
from pizzashop.workshop.sandbox import Limits, RouterProcess, reaping
from pizzashop.workshop.strategies import ChefView, ItemView, player_router

REPO = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("pizzashop")
WIN = assets_dir() / "levels" / "proofs" / "regulars.win.toml"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every score goes to a file under a temporary home, never to a configured shared store."""
    path = tmp_path / "home"
    monkeypatch.setenv("PIZZASHOP_HOME", str(path))
    return path


@pytest.fixture(autouse=True)
def registry() -> Iterator[None]:
    """A router is registered only while it runs: no other test (nor `pizzashop strategies`)
    ever sees one, and no router's process outlives its test."""
    saved = dict(KITCHEN_STRATEGIES)
    yield
    assert saved == KITCHEN_STRATEGIES
    assert not sandbox_children()


def sandbox_children() -> list[int]:
    """This process's children still running the router child script."""
    found = []
    for pid in children_of(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"router_child.py" in command:
            found.append(pid)
    return found


def children_of(parent: int) -> set[int]:
    """Children of `parent`, from /proc."""
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        if int(stat.rpartition(b")")[2].split()[1]) == parent:
            found.add(int(entry.name))
    return found


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
    copy.write_text(
        re.sub(r"\nprice = [0-9.]+\n", "\nprice = 1e7\n", text, count=1), encoding="utf-8"
    )
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


CHECKER = """
ITEM = ("order", "customer", "item", "station", "area", "placed")
CHEF = ("id", "name", "specialty", "level", "speed", "load", "busy")
PLAIN = (int, float, str, bool)


class Checker:
    \"\"\"Fails the run (a wrong answer) if what it is shown is not as documented.\"\"\"

    def choose(self, item, chefs):
        problems = []
        if not (isinstance(item, tuple) and item._fields == ITEM):
            problems.append("item")
        if not (type(chefs) is tuple and chefs and all(c._fields == CHEF for c in chefs)):
            problems.append("chefs")
        values = [*item, *(value for chef in chefs for value in chef)]
        if not all(type(value) in PLAIN for value in values):
            problems.append("plain values")
        for thing, field in ((item, "customer"), (chefs[0], "load")):
            try:
                setattr(thing, field, 0)
                problems.append("writable " + field)
            except AttributeError:
                pass
        try:
            chefs[0] = chefs[-1]
            problems.append("writable chefs")
        except TypeError:
            pass
        return "not ok: " + ", ".join(problems) if problems else chefs[0].id
"""


def test_a_router_sees_read_only_views_of_plain_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the child, the router checks its views on every call; here, what the grader sends is
    checked against the engine's own chefs."""
    sent: list[tuple[list[Any], list[list[Any]]]] = []
    real_choose = RouterProcess.choose

    def spy(self: RouterProcess, router: Any, item: Any, chefs: Any, ids: Any) -> str:
        sent.append((item, chefs))
        return real_choose(self, router, item, chefs, ids)

    monkeypatch.setattr(RouterProcess, "choose", spy)
    with player_router(f"{router(tmp_path, CHECKER)}:Checker") as name:
        sim = Simulation(load_scenario("regulars"), seed=801, kitchen_strategy=name)
        sim.run()
    assert len(sent) > 100
    for item, chefs in sent:
        assert len(item) == len(ItemView._fields) and 0 <= item[0] < sim.metrics.placed
        assert all(len(chef) == len(ChefView._fields) for chef in chefs)
        assert all(sim.chefs[chef[0]].name == chef[1] for chef in chefs)
        values = [*item, *(value for chef in chefs for value in chef)]
        assert {type(value) for value in values} <= {int, float, str, bool}


RNG = """
class Draws:
    def choose(self, item, chefs):
        raise ValueError(f"first draw {self.rng.random()!r}")
"""


@pytest.mark.parametrize("seed", [801, 802])
def test_self_rng_is_the_runs_own_routing_stream(tmp_path: Path, seed: int) -> None:
    """The child seeds its `self.rng` exactly as the engine seeds the branch's routing stream."""
    path = router(tmp_path, RNG)
    result = invoke("run", "regulars", "--seed", str(seed), "--strategy", f"{path}:Draws")
    branch = load_scenario("regulars").branches[0].name
    expected = random.Random(f"pizzashop:{seed}:routing:{branch}").random()
    assert result.code == 2 and f"first draw {expected!r}" in result.err


def test_a_random_router_gives_byte_identical_runs(tmp_path: Path) -> None:
    path = router(tmp_path, COIN)
    argv = ("run", "regulars", "--seed", "3", "--strategy", f"{path}:Coin", "--json")
    first = ok(*argv)
    assert ok(*argv) == first
    assert json.loads(first)["kitchen_strategy"] == "router:Coin"
    assert ok("run", "regulars", "--seed", "4", "--strategy", f"{path}:Coin", "--json") != first


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
    rejected(invoke(command, "regulars", "--strategy", f"{path}{suffix}"), str(path), needle)
    assert scores("regulars") == []  # a failed grade records nothing


# ------------------------------------------------------------------ a hostile router, sandboxed

# name → (lines at the top of `choose`, a fragment of the one error line). Each ran in the
# grader's own process before, with the grader's rights: now each is refused in the child, or
# ends it, and the grader says so in one line. BOARD is the leaderboard file's path.
HOSTILE: dict[str, tuple[str, str]] = {
    "forks": ("os.fork()", "raised Refused('os.fork is not allowed in a router')"),
    "runs a program": ("os.system('sleep 100')", "os.system is not allowed"),
    "spawns": ("os.posix_spawn('/bin/sleep', ['sleep', '100'], {})", "os.posix_spawn is not"),
    "imports subprocess": ("import subprocess", "importing subprocess is not allowed"),
    "imports multiprocessing": ("import multiprocessing", "importing multiprocessing is not"),
    "imports ctypes": ("import ctypes", "is not allowed in a router"),
    "opens a socket": ("import socket; socket.socket()", "socket.__new__ is not allowed"),
    "kills the grader": ("os.kill(os.getppid(), 9)", "os.kill is not allowed"),
    "raises its limits": (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        "resource.setrlimit is not allowed",
    ),
    "appends to the leaderboard": ("open(BOARD, 'a')", "opening a file for writing is not"),
    "truncates the leaderboard": (
        "os.open(BOARD, os.O_RDONLY | os.O_TRUNC)",
        "opening a file for writing is not",
    ),
    "writes the leaderboard with sqlite": (
        "import sqlite3; sqlite3.connect(BOARD)",
        "sqlite3.connect is not allowed",
    ),
    "patches the grader": ("import pizzashop.workshop.grading", "No module named 'pizzashop'"),
    "reads the grader's secrets": (
        "raise KeyError(sorted(os.environ))",
        "KeyError(['LC_ALL', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED'])",
    ),
    "asks for 10 GB": ("bytearray(10 * 2**30)", "raised MemoryError()"),
    "exits quietly": ("os._exit(0)", "the router's process ended (exit status 0)"),
    "dies by a signal": ("os.abort()", "the router's process ended (SIGABRT) instead of"),
    "sends garbage": (
        "sys._getframe(1).f_locals['self'].replies.write(b'{garbage\\n'); "
        "sys._getframe(1).f_locals['self'].replies.flush()",
        "sent something that is not an answer",
    ),
    "sends a line too long": (
        "sys._getframe(1).f_locals['self'].replies.write(b'x' * 100_000); "
        "sys._getframe(1).f_locals['self'].replies.flush()",
        "sent something that is not an answer",
    ),
    "forges an answer": (
        "sys._getframe(1).f_locals['self'].replies.write(b'{\"ok\": \"c99\"}\\n'); "
        "sys._getframe(1).f_locals['self'].replies.flush()",
        'returned "c99", not a chef id',
    ),
}


@pytest.mark.parametrize("command", ["run", "grade"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_router_is_stopped_in_its_own_process(
    tmp_path: Path, home: Path, command: str, case: str
) -> None:
    board_file = home / leaderboard.FILE_NAME
    with contextlib.closing(Leaderboard()) as board:
        board.add("regulars", 801, "Ada", 900, 0.9, 1, "grade")
    before = board_file.read_bytes()
    attempt, needle = HOSTILE[case]
    source = (
        f"import os, sys\nBOARD = {str(board_file)!r}\n\n"
        f"class R:\n    def choose(self, item, chefs):\n        {attempt}\n"
        "        return chefs[0].id\n"
    )
    path = router(tmp_path, source)
    rejected(invoke(command, "regulars", "--strategy", f"{path}:R"), f"{ERROR}{path}: ", needle)
    assert board_file.read_bytes() == before
    assert [entry["name"] for entry in scores("regulars")] == ["Ada"]


@pytest.fixture
def quick_limits(monkeypatch: pytest.MonkeyPatch) -> Limits:
    """Limits a runaway router reaches soon (a well-behaved one never comes near them)."""
    limits = Limits(call_seconds=1.0, start_seconds=2.0, run_seconds=3.0)
    monkeypatch.setattr(sandbox, "LIMITS", limits)
    return limits


SLOW: dict[str, tuple[str, str]] = {
    "loops in choose": (_choose("while True: pass"), "R.choose: took longer than 1 s answering"),
    "sleeps in choose": (_choose("import time; time.sleep(60)"), "took longer than 1 s"),
    "loops in its constructor": (_init("while True: pass"), "R(): took longer than 1 s starting"),
    "loops while imported": ("while True: pass\n", "took longer than 2 s loading it"),
    "dawdles every call": (
        _choose("import time; time.sleep(0.3); return chefs[0].id"),
        "used up its 3 s for the whole run while answering",
    ),
}


@pytest.mark.parametrize("command", ["run", "grade"])
@pytest.mark.parametrize("case", list(SLOW))
def test_a_router_that_takes_too_long_is_stopped_with_one_line(
    tmp_path: Path, quick_limits: Limits, command: str, case: str
) -> None:
    source, needle = SLOW[case]
    path = router(tmp_path, source)
    result = returns_soon(lambda: invoke(command, "regulars", "--strategy", f"{path}:R"))
    rejected(result, f"{ERROR}{path}: ", needle)
    assert scores("regulars") == []


def test_the_workshop_guide_states_the_routers_limits() -> None:
    """docs/workshop.md tells participants the limits their router runs under: the real ones."""
    guide = (REPO / "docs" / "workshop.md").read_text(encoding="utf-8")
    limits = sandbox.LIMITS
    for stated in (
        f"| {limits.call_seconds:g} s |",
        f"| {limits.run_seconds:g} s |",
        f"| {limits.start_seconds:g} s |",
        f"| {limits.memory_bytes >> 20} MiB |",
        f"| {limits.source_bytes >> 20} MiB |",
        f"larger than {limits.source_bytes:,} bytes",
    ):
        assert stated in guide, stated


def test_a_router_burning_cpu_is_stopped_by_its_cpu_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPU time counts however the wall clock runs: RLIMIT_CPU stops the child."""
    monkeypatch.setattr(sandbox, "LIMITS", Limits(start_seconds=120.0, run_seconds=1.0))
    path = router(tmp_path, "while True: pass\n")
    result = returns_soon(lambda: invoke("run", "regulars", "--strategy", f"{path}:R"))
    rejected(result, "the router's process was stopped (SIGXCPU; at most 1 s of CPU)")


def test_what_a_router_abandons_is_killed_when_it_ends() -> None:
    """Root ignores RLIMIT_NPROC: a process that escaped (its own session, its parent gone)
    comes back to the grader, a child subreaper, which kills it at the end."""
    with reaping():
        started = subprocess.run(
            ["sh", "-c", "setsid sleep 300 >/dev/null 2>&1 & echo $!"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        orphan = int(started.stdout)
        assert eventually(lambda: orphan in children_of(os.getpid()))
    assert not Path(f"/proc/{orphan}").exists()


SLEEPER = """
import time

class R:
    def choose(self, item, chefs):
        time.sleep(3600)
"""


def test_a_router_ends_with_a_grader_that_is_killed(tmp_path: Path) -> None:
    """A grader killed outright cannot kill its router: the kernel does (PR_SET_PDEATHSIG)."""
    path = router(tmp_path, SLEEPER)
    grader = subprocess.Popen(
        [str(SCRIPT), "run", "regulars", "--strategy", f"{path}:R"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert eventually(lambda: bool(children_of(grader.pid)))
        (child,) = children_of(grader.pid)
    finally:
        grader.kill()
        grader.wait()
    assert eventually(lambda: not Path(f"/proc/{child}").exists())


HASHING = """
class Hashing:
    def choose(self, item, chefs):
        return chefs[hash(f"customer {item.customer}") % len(chefs)].id
"""


def test_a_router_hashing_strings_gives_the_same_run_in_every_process(tmp_path: Path) -> None:
    """Each grader process has its own string-hash seed; the router's child always the same."""
    path = router(tmp_path, HASHING)
    argv = [str(SCRIPT), "run", "regulars", "--strategy", f"{path}:Hashing", "--json"]
    runs = [
        subprocess.run(argv, capture_output=True, text=True, timeout=300, check=True).stdout
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2] and json.loads(runs[0])["orders_placed"] > 0


SUMMARY = (
    'class Loud:\n    """\\x1b[2J\\x1b]0;owned\\x07 A router that shouts'
    + "!" * 500
    + '\n\n    More lines.\n    """\n\n'
    + "    def choose(self, item, chefs):\n        return chefs[0].id\n"
)


def test_the_summary_comes_from_the_child_cleaned(tmp_path: Path) -> None:
    with player_router(f"{router(tmp_path, SUMMARY)}:Loud") as name:
        summary = describe_strategies()["kitchen"][name]
    assert summary.isprintable() and len(summary) <= sandbox.SUMMARY_LIMIT
    assert "A router that shouts" in summary


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


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_leaderboard_that_is_no_regular_file_is_one_line(tmp_path: Path, kind: str) -> None:
    """SQLite would wait forever on a FIFO, or write into a device."""
    target = {"fifo": tmp_path / "board", "device": Path("/dev/zero"), "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    fifo = target if kind == "fifo" else None
    shown = returns_soon(lambda: invoke("scores", "regulars", "--leaderboard", str(target)), fifo)
    rejected(shown, f"{target}: ", "directory" if kind == "folder" else "not a regular file")


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
