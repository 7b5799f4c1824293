"""The headless command line: `run`, `validate`, `scenarios`, `strategies`, `schema`.

Most tests call `pizzashop.cli.main` in-process; a few start the installed console script or
`python -m pizzashop`, where the real exit status and a second process's hash seed matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import invoke

from pizzashop import __version__
from pizzashop.sim import (
    BRANCH_STRATEGIES,
    KITCHEN_STRATEGIES,
    LossCause,
    Scenario,
    bundled_scenarios,
    load_scenario,
)
from pizzashop.sim.catalog import bundled_levels

SCRIPT = Path(sys.executable).with_name("pizzashop")
BUNDLED = {**bundled_scenarios(), **bundled_levels()}
HEADLINE_KEYS = {
    "orders_placed": int,
    "orders_delivered": int,
    "orders_lost": dict,
    "goodput": float,
    "throughput_per_hour": float,
    "latency_p50": float,
    "latency_p95": float,
    "latency_p99": float,
    "profit": float,
    "score": int,
}
# One of every action kind, each valid for default_day (chefs Mario, Sofia, Luigi at Central).
ACTIONS_TOML = """
[[actions]]
kind = "hire"
at = 30
specialty = "pizza"
name = "Gino"

[[actions]]
kind = "upgrade"
at = 45
chef = "Sofia"

[[actions]]
kind = "set_specialty"
at = 60
chef = "Gino"
specialty = "garlic_bread"

[[actions]]
kind = "mark_backup"
at = 70
chef = "Luigi"

[[actions]]
kind = "route_kitchen"
at = 90
strategy = "least_loaded"
branch = "Central"

[[actions]]
kind = "route_branches"
at = 100
strategy = "fastest"
failover = false

[[actions]]
kind = "set_prep"
at = 120
branch = "Central"
jobs = [{ start = 15, end = 17, component = "base", target = 25 }]

[[actions]]
kind = "hire_agents"
at = 150
count = 2

[[actions]]
kind = "push_menu"
at = 200
item = "pizza"
price = 15.5

[[actions]]
kind = "close_branch"
at = 250
branch = "Central"

[[actions]]
kind = "open_branch"
at = 260
branch = "Central"

[[actions]]
kind = "fire"
at = 300
chef = "c2"
"""


def ok(*argv: str) -> str:
    result = invoke(*argv)
    assert (result.code, result.err) == (0, ""), result
    assert result.out.endswith("\n")
    return result.out


def report(*argv: str) -> dict:
    return json.loads(ok("run", *argv, "--json"))


@pytest.fixture
def actions_file(tmp_path: Path) -> Path:
    path = tmp_path / "actions.toml"
    path.write_text(ACTIONS_TOML)
    return path


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_validate_accepts_every_bundled_scenario_and_level(name: str) -> None:
    path = BUNDLED[name]
    assert ok("validate", str(path)) == f"{path}: ok, scenario {name!r}\n"


def test_validate_accepts_a_well_formed_action_file_in_toml_and_json(
    actions_file: Path, tmp_path: Path
) -> None:
    assert ok("validate", str(actions_file)) == f"{actions_file}: ok, 12 action(s)\n"
    actions = tomllib.loads(actions_file.read_text())["actions"]
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps(actions))
    as_object = tmp_path / "object.json"
    as_object.write_text(json.dumps({"actions": actions}))
    for path in (as_list, as_object):
        assert ok("validate", str(path)) == f"{path}: ok, 12 action(s)\n"


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_json_report_has_the_headline_figures_and_they_add_up(name: str) -> None:
    data = report(name)
    for key, kind in HEADLINE_KEYS.items():
        assert isinstance(data[key], kind), key
    assert set(data["orders_lost"]) == {cause.value for cause in LossCause}
    assert all(isinstance(n, int) and n >= 0 for n in data["orders_lost"].values())
    assert data["orders_lost_total"] == sum(data["orders_lost"].values())
    placed = data["orders_delivered"] + data["orders_lost_total"] + data["orders_in_flight"]
    assert data["orders_placed"] == placed > 0
    assert 0 <= data["goodput"] <= 1
    assert data["latency_p50"] <= data["latency_p95"] <= data["latency_p99"]
    assert data["scenario"] == name


def test_goals_add_won_and_stars_only_when_the_scenario_has_goals() -> None:
    assert load_scenario("default_day").goals is not None
    assert load_scenario("mmc_lab").goals is None
    with_goals = report("default_day")
    assert isinstance(with_goals["won"], bool)
    assert with_goals["stars"] in range(4)
    assert with_goals["stars"] == 0 or with_goals["won"]
    without = report("mmc_lab")
    assert "won" not in without
    assert "stars" not in without


def test_json_is_byte_identical_for_identical_inputs(actions_file: Path) -> None:
    argv = ("run", "blackout_day", "--seed", "5", "--strategy", "ring", "--json")
    argv += ("--actions", str(actions_file))
    first = ok(*argv)
    assert ok(*argv) == first
    assert json.loads(first)["actions"] == 12


def test_table_is_identical_for_identical_inputs() -> None:
    assert ok("run", "default_day", "--seed", "3") == ok("run", "default_day", "--seed", "3")


def test_json_is_byte_identical_across_processes_with_different_hash_seeds() -> None:
    """Set and dict order must not leak into the report: another hash seed, the same bytes."""
    expected = ok("run", "blackout_day", "--json")
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [str(SCRIPT), "run", "blackout_day", "--json"], capture_output=True, env=env
        )
        assert (done.returncode, done.stderr) == (0, b"")
        assert done.stdout.decode() == expected


def test_a_bundled_name_and_its_path_give_the_same_report() -> None:
    path = bundled_scenarios()["default_day"]
    assert ok("run", str(path), "--json") == ok("run", "default_day", "--json")


@pytest.mark.parametrize("strategy", sorted(KITCHEN_STRATEGIES))
def test_strategy_sets_the_kitchen_strategy_of_every_branch(strategy: str) -> None:
    assert report("blackout_day", "--strategy", strategy)["kitchen_strategy"] == strategy


def test_without_strategy_the_scenario_routing_is_used() -> None:
    assert report("default_day")["kitchen_strategy"] == "by_specialty"
    assert report("blackout_day")["kitchen_strategy"] == "least_loaded"


def test_strategy_changes_the_results_on_the_same_orders() -> None:
    shared = report("default_day", "--strategy", "shared")
    random = report("default_day", "--strategy", "random")
    assert shared["orders_placed"] == random["orders_placed"]
    assert shared["latency_p95"] != random["latency_p95"]


def test_seed_changes_the_results() -> None:
    default = report("default_day")
    assert default["seed"] == load_scenario("default_day").seed
    assert report("default_day", "--seed", str(default["seed"])) == default
    other = report("default_day", "--seed", "12345")
    assert other["seed"] == 12345
    figures = ("orders_placed", "latency_p50", "latency_p95", "profit")
    assert [other[key] for key in figures] != [default[key] for key in figures]


def test_actions_change_the_shift(actions_file: Path) -> None:
    plain = report("default_day")
    acted = report("default_day", "--actions", str(actions_file))
    assert (plain["actions"], acted["actions"]) == (0, 12)
    assert plain["costs"]["hiring"] == 0
    assert acted["costs"]["hiring"] > 0
    assert acted["costs"]["upgrades"] > 0


def test_table_has_the_headline_rows_with_the_report_figures() -> None:
    data = report("default_day")
    rows = {}
    for line in ok("run", "default_day").splitlines():
        label, _, value = line.partition("  ")
        rows[label.strip()] = value.strip()
    assert rows["scenario"] == "default_day (seed 7)"
    assert rows["routing"] == "kitchen by_specialty, branch nearest"
    assert rows["orders placed"] == str(data["orders_placed"])
    assert rows["delivered"].startswith(f"{data['orders_delivered']} (")
    assert rows["goodput"] == f"{data['goodput']:.1%}"
    assert rows["throughput"] == f"{data['throughput_per_hour']:.1f} orders/hour"
    assert rows["order-to-door"].startswith(f"p50 {data['latency_p50']:.1f}")
    assert f"p99 {data['latency_p99']:.1f}" in rows["order-to-door"]
    assert rows["lost"] == str(data["orders_lost_total"])
    assert rows["profit"] == f"{data['profit']:,.2f}"
    assert rows["score"] == str(data["score"])
    assert rows["result"].startswith("won" if data["won"] else "lost")


def test_table_lists_each_loss_cause_that_happened() -> None:
    data = report("blackout_day")
    table = ok("run", "blackout_day")
    for cause, count in data["orders_lost"].items():
        assert (f"\n  {cause} " in table) == (count > 0), cause


def test_scenarios_lists_every_bundled_scenario_with_its_title() -> None:
    lines = ok("scenarios").splitlines()
    assert len(lines) == len(bundled_scenarios())
    for line, name in zip(lines, sorted(bundled_scenarios()), strict=True):
        assert line.split()[0] == name
        assert line.endswith(load_scenario(name).title)


def test_strategies_lists_every_kitchen_and_branch_strategy() -> None:
    listed = {tuple(line.split()[:2]) for line in ok("strategies").splitlines()}
    expected = {("kitchen", name) for name in KITCHEN_STRATEGIES}
    expected |= {("branch", name) for name in BRANCH_STRATEGIES}
    assert listed == expected


def test_schema_is_the_json_schema_of_scenario_files() -> None:
    schema = json.loads(ok("schema"))
    assert schema["title"] == "Scenario"
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert {"name", "shift_hours", "demand", "menu", "branches"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


def test_version() -> None:
    assert ok("--version") == f"pizzashop {__version__}\n"


def test_python_dash_m_runs_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pizzashop", "scenarios"], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == ok("scenarios")
