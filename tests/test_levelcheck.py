"""The level check: the `[lesson]` a level declares, the moves it searches, and its verdicts.

The check over every bundled level runs in tests/test_levels.py; here it runs on small levels and
on levels made hollow on purpose, to show that it can fail and says why.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import invoke, merge

from pizzashop.sim import ACTION_KINDS, Scenario, load_scenario
from pizzashop.sim import actions as A
from pizzashop.sim.files import InputError, parse_scenario
from pizzashop.sim.levelcheck import SEEDS, Candidate, Check, check_level, check_levels, passed
from pizzashop.sim.moves import moves, times, uses_concept
from pizzashop.sim.report import goal_met
from pizzashop.sim.scenario import ConceptMove, Lesson


def run_cli(*argv: str) -> tuple[int, str, str]:
    result = invoke(*argv)
    return result.code, result.out, result.err


def level_data(level: str, **changes: Any) -> dict[str, Any]:
    return merge(load_scenario(level).model_dump(exclude_none=True), changes)


def problem(data: dict[str, Any]) -> str:
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "level.toml")
    return str(caught.value)


# ---------------------------------------------------------------- the [lesson] field


@pytest.mark.parametrize(
    ("level", "lesson", "words"),
    [
        ("lunch_rush", {"moves": [{"kind": "teleport"}]}, "lesson.moves.0.kind: 'teleport' is not"),
        ("lunch_rush", {"moves": [{"kind": "hire"}]}, "lesson.moves.0.kind: 'hire' is not an"),
        (
            "regulars",
            {"moves": [{"kind": "upgrade", "strategy": ["ring"]}]},
            "lesson.moves.0.strategy: not a setting of upgrade",
        ),
        (
            "regulars",
            {"moves": [{"kind": "route_kitchen", "strategy": ["rign"]}]},
            "lesson.moves.0.strategy: unknown strategy 'rign'",
        ),
        (
            "garlic_bread",
            {"moves": [{"kind": "hire", "specialty": ["bread"]}]},
            "lesson.moves.0.specialty: unknown specialty 'bread'",
        ),
        (
            "opening_day",
            {"moves": [{"kind": "upgrade"}], "avoid": [{"kind": "upgrade"}]},
            "lesson: a lesson lists moves or moves to avoid, not both",
        ),
        (
            "opening_day",
            {"avoid": [{"kind": "upgrade", "failover": True}]},
            "lesson.avoid.0.failover: not a setting of upgrade",
        ),
        ("opening_day", {"moves": [{"kind": "upgrade", "level": 3}]}, "lesson.moves.0.level"),
    ],
)
def test_a_bad_lesson_is_one_line_naming_the_field(
    level: str, lesson: dict[str, Any], words: str
) -> None:
    data = level_data(level)
    data["lesson"] = lesson
    message = problem(data)
    assert message.startswith("level.toml: ") and words in message
    assert "\n" not in message


def test_a_bad_lesson_fails_validate_with_status_2(tmp_path: Any) -> None:
    path = tmp_path / "level.toml"
    path.write_text('name = "x"\nshift_hours = 1\n[demand]\nrate_per_hour = 1\n[menu.pizza]\n'
                    'price = 1\ncook_minutes = 1\n[[branches]]\nname = "A"\narea = "centre"\n'
                    '[lesson]\nmoves = [{ kind = "teleport" }]\n')  # fmt: skip
    code, out, err = run_cli("validate", str(path))
    assert (code, out) == (2, "")
    assert err == f"pizzashop: error: {path}: lesson.moves.0.kind: 'teleport' is not an action " \
        "this scenario allows\n"  # fmt: skip


def test_every_level_declares_a_lesson_of_actions_it_allows() -> None:
    for level in ("opening_day", "lunch_rush", "regulars", "grand_opening"):
        scenario = load_scenario(level)
        assert scenario.lesson is not None
        allowed = set(scenario.allowed_actions or ACTION_KINDS)
        assert {m.kind for m in scenario.lesson.moves + scenario.lesson.avoid} <= allowed


def test_a_goal_needs_every_target_it_lists() -> None:
    main = load_scenario("chefs_day_off").goals.main  # type: ignore[union-attr]
    assert [(extra.metric, extra.max) for extra in main.also] == [("costs_total", 410.0)]
    assert goal_met(main, {"goodput": 0.9, "costs_total": 410.0})
    assert not goal_met(main, {"goodput": 0.9, "costs_total": 410.5})
    assert not goal_met(main, {"goodput": 0.8, "costs_total": 300.0})
    data = level_data("chefs_day_off")
    data["goals"]["main"]["also"] = [{"metric": "costs_total"}]
    assert "goals.main.also.0: a goal needs min or max" in problem(data)


# ---------------------------------------------------------------- what counts as the concept


def test_a_concept_move_matches_kind_and_the_settings_it_names() -> None:
    ring = ConceptMove(kind="route_kitchen", strategy=["ring"])
    assert ring.matches(A.RouteKitchen(strategy="ring"))
    assert not ring.matches(A.RouteKitchen(strategy="modulo"))
    assert not ring.matches(A.RouteBranches(strategy="nearest"))
    failover = ConceptMove(kind="route_branches", failover=True)
    assert failover.matches(A.RouteBranches(strategy="fastest", failover=True))
    assert not failover.matches(A.RouteBranches(strategy="nearest", failover=False))
    backup = ConceptMove(kind="mark_backup", backup=True)
    assert backup.matches(A.MarkBackup(chef="Sofia"))
    assert not backup.matches(A.MarkBackup(chef="Sofia", backup=False))
    assert ConceptMove(kind="hire").matches(A.Hire(specialty="grill"))


def test_moves_avoid_or_neither_decide_who_uses_the_concept() -> None:
    hire, upgrade = A.Hire(), A.Upgrade(chef="Mario")
    moves_ = Lesson(moves=[ConceptMove(kind="hire")])
    assert uses_concept(moves_, [upgrade, hire]) and not uses_concept(moves_, [upgrade])
    avoid = Lesson(avoid=[ConceptMove(kind="upgrade")])
    assert uses_concept(avoid, []) and uses_concept(avoid, [hire])
    assert not uses_concept(avoid, [hire, upgrade])
    assert not uses_concept(Lesson(), [hire, upgrade]) and not uses_concept(Lesson(), [])


# ---------------------------------------------------------------- the family of moves


def test_the_family_covers_every_kind_of_action() -> None:
    scenario = load_scenario("grand_opening")
    assert set(scenario.allowed_actions or ()) == set(ACTION_KINDS)
    assert {move.kind for move in moves(scenario)} == set(ACTION_KINDS)


@pytest.mark.parametrize("level", ["opening_day", "chefs_day_off", "regulars", "blackout"])
def test_moves_use_only_allowed_actions_at_the_family_times(level: str) -> None:
    scenario = load_scenario(level)
    allowed = set(scenario.allowed_actions or ACTION_KINDS)
    found = moves(scenario)
    assert found and found == moves(scenario)  # the same list every time
    when = set(times(scenario))
    for move in found:
        assert move.actions and move.label
        assert {action.kind for action in move.actions} <= allowed
        assert {action.at for action in move.actions} <= when


def test_the_family_reacts_to_the_timeline() -> None:
    """Chef's day off: Mario leaves at 150 minutes; hiring then is one of the moves searched."""
    labels = {move.label for move in moves(load_scenario("chefs_day_off"))}
    assert 150.0 in times(load_scenario("chefs_day_off"))
    assert "hire 1 pizza at 13:30" in labels and "hire 3 generalist at 11:00" in labels
    assert "train Mario to level 5 at 12:00" in labels


# ---------------------------------------------------------------- verdicts


def test_a_level_won_by_what_it_does_not_teach_is_hollow() -> None:
    """Declare lunch rush's lesson as "no one or two moves": training Mario then counts as a
    strategy without the concept, and it wins, so the check must say so and name it."""
    scenario = load_scenario("lunch_rush").model_copy(update={"lesson": Lesson()})
    result = Check("lunch_rush", scenario).result()
    assert not result["forced"] and not passed(result)
    best = result["best_without"]
    assert best["wins"] * 10 > len(result["seeds"])
    assert {action["kind"] for action in best["actions"]} == {"upgrade"}
    assert best["mean"] >= scenario.goals.main.min  # type: ignore[union-attr]


def test_a_star_out_of_the_concepts_reach_fails_the_check() -> None:
    goals = load_scenario("lunch_rush").goals
    assert goals is not None and goals.speed is not None
    speed = goals.speed.model_copy(update={"max": 5.0, "text": "p95 under 5 minutes"})
    scenario = load_scenario("lunch_rush").model_copy(
        update={"goals": goals.model_copy(update={"speed": speed})}
    )
    result = Check("lunch_rush", scenario).result()
    assert result["forced"] and not passed(result)
    assert result["stars"]["speed"]["reachable"] is False
    assert result["stars"]["speed"]["seeds_earned"] * 2 < len(result["seeds"])


def test_the_check_of_a_level_is_deterministic_and_shaped_for_json() -> None:
    first = check_level("lunch_rush")
    assert json.loads(json.dumps(first)) == first == check_level("lunch_rush")
    assert first["id"] == "lunch_rush" and first["concept"] == "vertical_scaling"
    assert first["seeds"] == [202 + offset for offset in range(SEEDS)]
    assert first["goal"] == {"metric": "goodput", "min": 0.85}
    assert set(first["best_without"]) >= {"label", "actions", "wins", "mean"}
    assert first["win_margin"] > 0 > first["naive_margin"]
    assert set(first["stars"]) == {"main", "bonus", "speed"}
    for star in first["stars"].values():
        assert set(star) == {"reachable", "seeds_earned", "by", "actions"}


def test_worker_processes_give_the_same_results_in_the_same_order() -> None:
    chosen = ["lunch_rush", "opening_day"]
    assert check_levels(chosen, jobs=2) == check_levels(chosen, jobs=1)


def test_only_a_level_with_goals_and_a_lesson_can_be_checked() -> None:
    scenario: Scenario = load_scenario("default_day")
    with pytest.raises(InputError, match="only a level with goals and a \\[lesson\\]"):
        Check("default_day", scenario)


# ---------------------------------------------------------------- the command


def test_levels_check_prints_json_and_exits_0_when_the_level_passes() -> None:
    code, out, err = run_cli("levels", "check", "lunch_rush", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [check_level("lunch_rush")]


def test_levels_check_prints_a_table_and_exits_1_on_a_hollow_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hollow = check_level("lunch_rush") | {"forced": False}
    monkeypatch.setattr("pizzashop.cli.check_levels", lambda levels, seeds, jobs, deep: [hollow])
    code, out, _ = run_cli("levels", "check", "lunch_rush")
    assert code == 1
    assert out.startswith("lunch_rush (vertical_scaling): HOLLOW: won without its concept\n")
    assert f"best without the concept: {hollow['best_without']['label']}" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["nonsense"], "nonsense: no such level (levels: opening_day, lunch_rush"),
        (["default_day"], "default_day: no such level"),
        (["--seeds", "5"], "--seeds: 5 is out of range (11 … 1000)"),
        (["--jobs", "0"], "--jobs: 0 is out of range (1 … 64)"),
        (["--seeds", "many"], "--seeds: 'many' is not a whole number"),
    ],
)
def test_levels_check_refuses_bad_arguments_in_one_line(argv: list[str], words: str) -> None:
    code, out, err = run_cli("levels", "check", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("pizzashop: error: ") and words in err and err.count("\n") == 1


def test_the_deep_search_plays_every_move_and_the_best_pairs_on_every_seed() -> None:
    scenario = load_scenario("lunch_rush").model_copy(update={"lesson": Lesson()})
    check = Check("lunch_rush", scenario, deep=True)
    family = [Candidate(())] + [Candidate((move,)) for move in moves(scenario)]
    best, _ = check.search(family)
    assert check.hollow(best)
    played = [candidate for candidate in family if candidate.runs]
    assert all(set(candidate.runs) == set(check.seeds) for candidate in played)
    assert best in played  # stopped at the first hollow strategy, in the family's order
    assert not any(check.hollow(candidate) for candidate in played[: played.index(best)])
