"""The campaign's levels and their machine-played proofs.

Each level ships two action files: `ID.win.toml` uses the level's concept and must win, clear of
the main goal, and `ID.naive.toml` is a plausible move that ignores it and must lose. Doing
nothing must lose every level but the first. Each claim is checked on the level's own seed and
the next ten, so a level is not won by one lucky day. The level check (`pizzashop levels check`)
must find every level forced by its concept with every star within the concept's reach, and the
shortcuts players found must lose. The debrief template is checked against real reports, and
`render_debrief` against level files that try to reach past the report.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from typing import Any

import pytest

from pizzashop.cli import main
from pizzashop.sim import ACTION_KINDS, Simulation, build_report, load_actions
from pizzashop.sim import actions as A
from pizzashop.sim.actions import ACTION_ADAPTER, Action, Outcome
from pizzashop.sim.campaign import MISSING, levels, render_debrief
from pizzashop.sim.catalog import assets_dir, bundled_levels, load_scenario
from pizzashop.sim.levelcheck import check_levels, margin
from pizzashop.sim.moves import uses_concept
from pizzashop.sim.report import metric_value

# GAME.md's campaign order: opening day and the grand opening are both about watching the numbers.
CONCEPT_ORDER = [
    "observability",
    "vertical_scaling",
    "prep",
    "backup",
    "horizontal_scaling",
    "microservices",
    "load_balancing",
    "consistent_hashing",
    "distribution",
    "resilience",
    "decoupling",
    "consistency",
    "observability",
]
# The move that puts each concept to work; a win proof must make it (watching needs no move).
CONCEPT_MOVES = {
    "vertical_scaling": "upgrade",
    "prep": "set_prep",
    "backup": "mark_backup",
    "horizontal_scaling": "hire",
    "microservices": "set_specialty",
    "load_balancing": "route_kitchen",
    "consistent_hashing": "route_kitchen",
    "distribution": "open_branch",
    "resilience": "route_branches",
    "decoupling": "hire_agents",
    "consistency": "push_menu",
}
OTHER_SEEDS = 10
CLEAR_MARGIN = 0.03
PROOFS = assets_dir() / "levels" / "proofs"
LEVEL_IDS = list(bundled_levels())
GOAL_TIERS = ("main", "bonus", "speed")


def seeds(level: str) -> list[int]:
    """The level's own seed and the next few, as a workshop grades it."""
    first = load_scenario(level).seed
    return [first + offset for offset in range(OTHER_SEEDS + 1)]


CASES = [(level, seed) for level in LEVEL_IDS for seed in seeds(level)]


def proof(level: str, which: str) -> list[Action]:
    return load_actions(PROOFS / f"{level}.{which}.toml")


@cache
def play(level: str, which: str, seed: int) -> tuple[dict[str, Any], list[tuple[Action, Outcome]]]:
    """One whole shift with a proof ("nothing" plays no action): its report and action log."""
    sim = Simulation(load_scenario(level), seed=seed)
    sim.schedule([] if which == "nothing" else proof(level, which))
    sim.run()
    return build_report(sim), sim.action_log


# ---------------------------------------------------------------- the campaign as a whole


def test_at_least_thirteen_levels_in_the_order_of_the_notes() -> None:
    listed = levels()
    assert len(listed) >= 13
    assert [level.concept for level in listed] == CONCEPT_ORDER
    assert [level.number for level in listed] == list(range(1, len(listed) + 1))
    ids = [level.id for level in listed]
    assert len(set(ids)) == len(ids)
    assert ids == LEVEL_IDS


def test_level_files_are_numbered_and_named_by_id() -> None:
    for level in levels():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", level.id)
        assert level.path.name == f"{level.number:02d}_{level.id}.toml"
        assert level.title


def test_levels_list_as_json() -> None:
    first = levels()[0].as_json()
    assert json.loads(json.dumps(first)) == first
    assert {"number", "id", "title", "concept", "path"} <= set(first)


def test_every_concept_is_in_the_codex() -> None:
    codex = tomllib.loads((assets_dir() / "codex.toml").read_text(encoding="utf-8"))
    known = {entry["id"] for entry in codex["concepts"]}
    assert {level.concept for level in levels()} <= known


def test_the_first_levels_stay_focused() -> None:
    """Opening day and the lunch rush offer one lever; the campaign opens up as it teaches."""
    allowed = [load_scenario(level).allowed_actions or [] for level in LEVEL_IDS]
    assert [len(kinds) for kinds in allowed[:2]] == [1, 1]
    assert set(allowed[-1]) == set(ACTION_KINDS)


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_level_file_is_complete(level: str) -> None:
    scenario = load_scenario(level)
    assert scenario.name == level
    for text in (scenario.title, scenario.description, scenario.briefing, scenario.debrief):
        assert text.strip()
    assert scenario.shift_hours <= 10
    assert scenario.goals is not None
    for tier in GOAL_TIERS:
        goal = getattr(scenario.goals, tier)
        assert goal is not None, f"{level} has no {tier} goal"
        assert goal.text
    assert scenario.allowed_actions, f"{level} allows nothing"
    assert set(scenario.allowed_actions) <= set(ACTION_KINDS)


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_proofs_validate_and_use_only_allowed_actions(level: str) -> None:
    scenario = load_scenario(level)
    allowed = set(scenario.allowed_actions or ())
    for which in ("win", "naive"):
        kinds = {action.kind for action in proof(level, which)}
        assert kinds <= allowed, f"{level}.{which} uses {sorted(kinds - allowed)}"
    move = CONCEPT_MOVES.get(scenario.concept)
    if move is not None:
        assert move in {action.kind for action in proof(level, "win")}


# ---------------------------------------------------------------- the proofs


@pytest.mark.parametrize(("level", "seed"), CASES)
def test_using_the_concept_wins_clear_of_the_goal(level: str, seed: int) -> None:
    report, log = play(level, "win", seed)
    refused = [(action.kind, outcome.reason) for action, outcome in log if not outcome.ok]
    assert not refused, f"{level}.win had actions refused: {refused}"
    assert report["won"], f"{level}.win lost on seed {seed}: goodput {report['goodput']}"
    assert report["stars"] >= 1
    goal = load_scenario(level).goals.main  # type: ignore[union-attr]
    assert margin(goal, metric_value(report, goal.metric)) >= CLEAR_MARGIN


@pytest.mark.parametrize(("level", "seed"), CASES)
def test_ignoring_the_concept_loses(level: str, seed: int) -> None:
    report, log = play(level, "naive", seed)
    assert all(outcome.ok for _, outcome in log), f"{level}.naive is not a real move"
    assert not report["won"], f"{level}.naive won on seed {seed}: goodput {report['goodput']}"
    assert report["stars"] == 0


@pytest.mark.parametrize(("level", "seed"), CASES)
def test_doing_nothing_loses_every_level_but_the_first(level: str, seed: int) -> None:
    report, _ = play(level, "nothing", seed)
    assert report["won"] is (level == LEVEL_IDS[0])


# ---------------------------------------------------------------- the level check


@pytest.fixture(scope="module")
def checked() -> dict[str, dict[str, Any]]:
    """`pizzashop levels check` over every level, once for the module (two worker processes)."""
    return {result["id"]: result for result in check_levels(LEVEL_IDS, jobs=2)}


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_no_strategy_without_the_concept_wins(level: str, checked: dict[str, Any]) -> None:
    result = checked[level]
    best = result["best_without"]
    assert result["forced"], f"{level} is won without its concept: {best['label']}"
    assert best["wins"] * 10 <= len(result["seeds"]) >= OTHER_SEEDS + 1
    assert result["searched"]["runs"] > result["searched"]["without"]


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_the_check_measures_the_proofs_on_every_seed(level: str, checked: dict[str, Any]) -> None:
    result = checked[level]
    assert result["win_margin"] >= CLEAR_MARGIN
    also = result.get("also", [])
    assert result["naive_margin"] < 0 or any(extra["naive_margin"] < 0 for extra in also)
    for extra in also:
        assert extra["win_margin"] > 0


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_every_star_rewards_the_concept(level: str, checked: dict[str, Any]) -> None:
    """Each star is earned on at least half the seeds by a strategy that uses the concept."""
    lesson = load_scenario(level).lesson
    assert lesson is not None
    for tier, star in checked[level]["stars"].items():
        assert star["reachable"], f"{level}: the {tier} star is out of the concept's reach"
        assert star["seeds_earned"] * 2 >= len(checked[level]["seeds"])
        actions = [ACTION_ADAPTER.validate_python(action) for action in star["actions"]]
        assert star["by"] == "win proof" or uses_concept(lesson, actions)


def test_opening_days_stars_need_no_training(checked: dict[str, Any]) -> None:
    """The lesson is to watch: every star is earned by spending nothing."""
    assert proof(LEVEL_IDS[0], "win") == []
    assert all(star["by"] == "win proof" for star in checked[LEVEL_IDS[0]]["stars"].values())


def _hire(at: float, name: str, branch: str | None = None, specialty: str = "pizza") -> Action:
    return A.Hire(at=at, name=name, branch=branch, specialty=specialty)


PREP_ALL_DAY = A.SetPrep(jobs=[A.PrepSlot(start=11, end=17, component="base", target=20)])
# Ways players and scripts found to win a level without its concept. Each must lose: win on no
# more than one seed in ten, like everything the level check searches.
SHORTCUTS: dict[str, tuple[str, list[Action]]] = {
    "opening day: train Mario after lunch, just in case": (
        "opening_day", [A.Upgrade(at=180, chef="Mario")],
    ),
    "prep ahead: train Mario to the level the money allows": (
        "prep_ahead", [A.Upgrade(chef="Mario")],
    ),
    "chef's day off: a full-time second chef, nobody on call": (
        "chefs_day_off", [_hire(0, "Luigi"), PREP_ALL_DAY],
    ),
    "chef's day off: hire a chef once Mario has left": (
        "chefs_day_off", [_hire(150, "Luigi"), PREP_ALL_DAY],
    ),
    "garlic bread: every chef on pizza, two more pizza chefs, no bread team": (
        "garlic_bread",
        [A.SetSpecialty(chef=name, specialty="pizza")
         for name in ("Mario", "Sofia", "Luigi", "Giulia", "Marco", "Chiara")]
        + [_hire(0, "Paolo"), _hire(60, "Anna")],
    ),
    "smart routing: the cooks as pizza specialists, routed round-robin": (
        "smart_routing",
        [A.SetSpecialty(chef="Sofia", specialty="pizza"),
         A.SetSpecialty(chef="Luigi", specialty="pizza"),
         A.RouteKitchen(strategy="round_robin")],
    ),
    "smart routing: the cooks as pizza specialists, routed at random": (
        "smart_routing",
        [A.SetSpecialty(chef="Sofia", specialty="pizza"),
         A.SetSpecialty(chef="Luigi", specialty="pizza")],
    ),
    "regulars: keep the shared line and hire two chefs during the day": (
        "regulars", [_hire(60, "Anna"), _hire(120, "Enzo")],
    ),
    "regulars: least loaded, with two more chefs": (
        "regulars",
        [A.RouteKitchen(strategy="least_loaded"), _hire(60, "Anna"), _hire(120, "Enzo")],
    ),
    "regulars: modulo hashing with trained chefs": (
        "regulars", [A.RouteKitchen(strategy="modulo"), A.Upgrade(at=60, chef="Mario")],
    ),
    "second branch: a bigger Central with more drivers": (
        "second_branch",
        [_hire(0, "Marco"), _hire(0, "Chiara"), A.HireAgents(count=8)],
    ),
    "blackout: North staffed for twice the orders, failover left off": (
        "blackout",
        [_hire(0, "Paolo", "North"), A.HireAgents(branch="North", count=3)],
    ),
    "delivery crunch: more cooks for the burgers": (
        "delivery_crunch", [_hire(0, "Chiara", specialty="grill"), _hire(0, "Paolo")],
    ),
    "same menu: never push the new recipe, hire at every branch instead": (
        "same_menu_everywhere",
        [_hire(0, "Paolo", "Central"), _hire(60, "Anna", "North"), _hire(60, "Enzo", "South")],
    ),
    "grand opening: open South and route by least loaded": (
        "grand_opening",
        [A.RouteKitchen(strategy="least_loaded"), A.OpenBranch(branch="South"),
         _hire(0, "Anna", "South"), _hire(0, "Rosa", "South", "grill"),
         A.HireAgents(branch="South", count=3)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_known_shortcut_loses(name: str) -> None:
    level, actions = SHORTCUTS[name]
    scenario = load_scenario(level)
    assert scenario.lesson is not None and not uses_concept(scenario.lesson, actions)
    won = []
    for seed in seeds(level):
        sim = Simulation(scenario, seed=seed)
        sim.schedule(actions)
        sim.run()
        if build_report(sim)["won"]:
            won.append(seed)
    assert len(won) * 10 <= len(seeds(level)), f"{name} won on seeds {won}"


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_debrief_renders_from_a_real_report(level: str) -> None:
    scenario = load_scenario(level)
    for which in ("win", "naive"):
        report, _ = play(level, which, scenario.seed)
        text = render_debrief(scenario, report)
        assert "{" not in text and "}" not in text, f"{level}: unfilled placeholder in {text!r}"
        assert MISSING not in text
        assert f"{report['orders_placed']}" in text or f"{report['profit']:.0f}" in text


def test_run_level_json_adds_won_and_stars(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", LEVEL_IDS[0], "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scenario"] == LEVEL_IDS[0]
    assert report["won"] is True
    assert 1 <= report["stars"] <= 3


# ---------------------------------------------------------------- render_debrief


REPORT: dict[str, Any] = {
    "goodput": 0.8765,
    "orders_placed": 120,
    "scenario": "lunch_rush",
    "orders_lost": {"gave_up": 7, "queue_full": 0},
    "costs": {"wages": 412.5},
    "cost_per_1000_on_time": None,
    "worst_moments": [{"start": 60.0, "lost": 3, "cause": "gave_up"}],
    "goals": {"main": True},
}


def debrief(template: str, report: dict[str, Any] | None = None) -> str:
    scenario = load_scenario(LEVEL_IDS[0]).model_copy(update={"debrief": template})
    return render_debrief(scenario, REPORT if report is None else report)


def test_debrief_fills_names_specs_and_nested_keys() -> None:
    text = debrief(
        "{orders_placed}: {goodput:.0%}, {orders_lost.gave_up} gave up, {costs.wages:,.2f}"
    )
    assert text == "120: 88%, 7 gave up, 412.50"


def test_debrief_leaves_unknown_names_visible() -> None:
    assert debrief("lost {orders_lost.no_chef} and {nonsense:.1f}") == (
        "lost {orders_lost.no_chef} and {nonsense:.1f}"
    )


@pytest.mark.parametrize(
    "placeholder",
    [
        "{goodput.__class__}",
        "{__class__}",
        "{costs[wages]}",
        "{goodput!r}",
        "{0}",
        "{}",
        "{orders_lost.gave_up.real}",
        "{goodput:{nonsense}}",
        "{goodput:>100000}",
        "{goodput:.999f}",
        "{scenario:.0%}",
        "{costs}",
        "{worst_moments}",
        "{orders_placed.__init__.__globals__}",
    ],
)
def test_debrief_cannot_reach_past_the_report(placeholder: str) -> None:
    assert debrief(f"x {placeholder} y") == f"x {placeholder} y"


def test_debrief_fills_in_one_pass() -> None:
    """A filled value is never read as a template again, and a nested spec is not a spec."""
    report = {**REPORT, "spec": ".0%", "sneaky": "{goodput}"}
    assert debrief("{goodput:{spec}} {sneaky}", report) == "{goodput:.0%} {goodput}"


def test_debrief_braces_missing_values_and_paragraphs() -> None:
    assert debrief("{{literal}} {cost_per_1000_on_time}") == f"{{literal}} {MISSING}"
    assert debrief("unclosed {goodput and } stray") == "unclosed {goodput and } stray"
    assert debrief("main goal met: {goals.main}") == "main goal met: True"
    assert (
        debrief("one\nparagraph  here\n  \nand\n  another\n") == "one paragraph here\n\nand another"
    )
