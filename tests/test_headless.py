"""Headless runs tell the truth: refused actions are listed, a routing the level does not allow is
refused before anything runs, and the report carries the same day played two other ways."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import invoke

from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.sim import actions as A
from pizzashop.sim.baseline import FIGURES, baselines, naive_actions
from pizzashop.sim.catalog import assets_dir, bundled_levels

ACTIONS = """
[[actions]]
kind = "upgrade"
at = 20
chef = "Mario"

[[actions]]
kind = "hire"
at = 30
specialty = "pizza"

[[actions]]
kind = "upgrade"
at = 45
chef = "Nobody"
"""
NOT_ALLOWED = "hire is not allowed in this scenario"
REFUSED = [
    {"at": 30.0, "clock": "11:30", "kind": "hire", "reason": NOT_ALLOWED},
    {"at": 45.0, "clock": "11:45", "kind": "upgrade", "reason": "no chef called 'Nobody'"},
]


def ok(*argv: str) -> str:
    result = invoke(*argv)
    assert (result.code, result.err) == (0, ""), result
    return result.out


def rows(table: str) -> list[tuple[str, ...]]:
    """The table's rows as (label, value): columns are two or more spaces apart."""
    return [tuple(re.split(r"\s{2,}", line.strip(), maxsplit=1)) for line in table.splitlines()]


def refused(*argv: str) -> str:
    """The one line a refused command prints (status 2, nothing on stdout)."""
    result = invoke(*argv)
    assert (result.code, result.out) == (2, ""), result
    assert result.err.startswith("pizzashop: error: ") and result.err.count("\n") == 1
    return result.err


@pytest.fixture
def actions_file(tmp_path: Path) -> Path:
    path = tmp_path / "day.toml"
    path.write_text(ACTIONS)
    return path


def test_json_lists_every_refused_action_with_its_time_and_reason(actions_file: Path) -> None:
    report = json.loads(ok("run", "lunch_rush", "--actions", str(actions_file), "--json"))
    assert report["actions"] == 3
    assert report["refused"] == REFUSED
    assert report["costs"]["upgrades"] == 150 and report["costs"]["hiring"] == 0


def test_the_table_lists_them_too(actions_file: Path) -> None:
    table = rows(ok("run", "lunch_rush", "--actions", str(actions_file)))
    assert [row for row in table if row[0].startswith("refused")] == [
        ("refused at 11:30", f"hire: {NOT_ALLOWED}"),
        ("refused at 11:45", "upgrade: no chef called 'Nobody'"),
    ]
    assert "refused" not in ok("run", "lunch_rush")


def test_a_run_without_refusals_lists_none() -> None:
    assert json.loads(ok("run", "default_day", "--json"))["refused"] == []


@pytest.mark.parametrize("spec", ["ring", "shared", "my_router.py:Router"])
def test_a_strategy_is_refused_where_the_level_does_not_allow_routing(spec: str) -> None:
    """The game offers no routing on lunch rush; a headless run must not either. A participant's
    file is not even opened (it does not exist here)."""
    words = (
        "--strategy: lunch_rush does not let the player choose the kitchen's routing "
        "(its actions: upgrade)"
    )
    assert words in refused("run", "lunch_rush", "--strategy", spec)
    assert words in refused("grade", "lunch_rush", "--strategy", spec, "--name", "x")
    assert ok("scores", "lunch_rush") == "no scores yet for lunch_rush\n"


def test_a_strategy_is_used_where_the_level_allows_routing() -> None:
    report = json.loads(ok("run", "regulars", "--strategy", "ring", "--json"))
    assert report["kitchen_strategy"] == "ring" and report["refused"] == []


def test_grading_lists_each_runs_refusals(actions_file: Path) -> None:
    summary = json.loads(ok("grade", "lunch_rush", "--actions", str(actions_file)))
    assert all(run["refused"] == REFUSED for run in summary["runs"])


def _played(level: str, seed: int | None, actions: list[A.Action]) -> dict[str, Any]:
    sim = Simulation(load_scenario(level), seed=seed)
    sim.schedule(actions)
    sim.run()
    report = build_report(sim)
    return {key: report[key] for key in FIGURES if key in report}


@pytest.mark.parametrize("level", ["regulars", "chefs_day_off", "same_menu_everywhere"])
def test_a_level_run_carries_the_same_seed_played_doing_nothing_and_the_naive_way(
    level: str, actions_file: Path
) -> None:
    report = json.loads(ok("run", level, "--seed", "9", "--json"))
    naive = naive_actions(load_scenario(level))
    assert naive
    assert report["baseline"] == {
        "nothing": _played(level, 9, []),
        "naive": _played(level, 9, naive),
    }
    for way in report["baseline"].values():
        assert {"goodput", "orders_lost", "latency_p95", "profit", "won"} <= set(way)
    # Doing nothing is this very run when the player does nothing: the figures agree exactly.
    assert report["baseline"]["nothing"] == {key: report[key] for key in FIGURES}


def test_the_baseline_does_not_depend_on_what_the_player_did() -> None:
    naive = assets_dir() / "levels" / "proofs" / "regulars.naive.toml"
    plain = json.loads(ok("run", "regulars", "--json"))
    played = json.loads(ok("run", "regulars", "--actions", str(naive), "--json"))
    assert played["baseline"] == plain["baseline"]
    assert {key: played[key] for key in FIGURES} == played["baseline"]["naive"]
    assert played["goodput"] != plain["goodput"]


def test_a_scenario_that_is_not_a_level_has_only_the_nothing_baseline(tmp_path: Path) -> None:
    assert set(json.loads(ok("run", "default_day", "--json"))["baseline"]) == {"nothing"}
    # A file that borrows a level's name but changes it is not that level: no naive proof.
    text = bundled_levels()["regulars"].read_text().replace("money = 50", "money = 51")
    changed = tmp_path / "regulars.toml"
    changed.write_text(text)
    assert set(json.loads(ok("run", str(changed), "--json"))["baseline"]) == {"nothing"}
    same = tmp_path / "same.toml"
    same.write_text(bundled_levels()["regulars"].read_text())
    assert set(baselines(load_scenario(same))) == {"nothing", "naive"}


def test_the_table_shows_the_baselines() -> None:
    table = dict(row for row in rows(ok("run", "growing_crowd")) if len(row) == 2)
    data = json.loads(ok("run", "growing_crowd", "--json"))
    for way in ("nothing", "naive"):
        figures = data["baseline"][way]
        assert table[f"{way} instead"] == (
            f"goodput {figures['goodput']:.1%}, lost {figures['orders_lost_total']}, "
            f"p95 {figures['latency_p95']:.1f} min, profit {figures['profit']:,.2f}, lost"
        )
    assert data["baseline"]["naive"]["profit"] != data["baseline"]["nothing"]["profit"]
