"""Concept meters (pizzashop/sim/meters.py): each level's meter reads what its concept bought,
and its figures agree with the orders and the report they come from. Played headless on the
levels themselves, with and without the concept, on common random numbers."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from helpers import invoke

from pizzashop.sim import LossCause, Order, Simulation, build_report, load_scenario
from pizzashop.sim import actions as A
from pizzashop.sim.campaign import proof
from pizzashop.sim.files import InputError, parse_scenario
from pizzashop.sim.meters import MAKERS, Meter, meter
from pizzashop.sim.scenario import METERS


def played(level: str, actions: list[A.Action] | None = None, seed: int | None = None) -> Any:
    sim = Simulation(load_scenario(level), seed=seed)
    done: list[Order] = []
    sim.on_order_done = done.append
    sim.schedule(actions or [])
    sim.run()
    return sim, done


def shown(sim: Simulation) -> Meter:
    found = meter(sim)
    assert found is not None
    return found


def test_every_level_names_a_meter_and_every_meter_a_maker() -> None:
    assert tuple(MAKERS) == METERS
    for level in ("opening_day", "lunch_rush", "chefs_day_off", "blackout", "grand_opening"):
        lesson = load_scenario(level).lesson
        assert lesson is not None and lesson.meter in METERS and lesson.naive


def test_an_unknown_meter_is_one_line_naming_the_field() -> None:
    data = load_scenario("lunch_rush").model_dump(exclude_none=True)
    data["lesson"]["meter"] = "speedometer"
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "level.toml")
    message = str(caught.value)
    assert message.startswith("level.toml: lesson.meter: unknown meter 'speedometer'")
    assert "\n" not in message


def test_run_json_carries_the_meter_and_a_scenario_without_one_carries_none() -> None:
    result = invoke("run", "prep_ahead", "--json")
    report = json.loads(result.out)
    assert report["meter"]["kind"] == "prep"
    assert report["meter"]["figures"]["prepped"] == report["bases_prepped"] == 0
    assert json.loads(invoke("run", "default_day", "--json").out)["meter"] is None


# ------------------------------------------------------------------------------ each meter


def test_the_ladder_shows_each_level_against_the_busiest_hour() -> None:
    sim, _ = played("lunch_rush")
    ladder = shown(sim)
    assert [row[0] for row in ladder.rows] == ["L1", "L2", "L3", "L4", "L5 limit"]
    # One 6-minute pizza per order: 10 an hour at level 1, 20 at the limit (speed ×2).
    assert ladder.figures["level_1_per_hour"] == 10 and ladder.figures["level_5_per_hour"] == 20
    assert ladder.figures["busiest_per_hour"] == 15
    assert ladder.rows[0][-1] == "Mario" and "now L1 10/h" in ladder.line
    trained, _ = played("lunch_rush", proof("lunch_rush", "win"))
    assert shown(trained).rows[2][-1] == "Mario" and "now L3 18/h" in shown(trained).line


def test_capacity_compares_the_kitchen_with_the_busiest_hour() -> None:
    sim = Simulation(load_scenario("growing_crowd"))
    sim.run_until(1)
    alone = shown(sim)
    assert alone.figures["kitchen_per_hour"] == 12  # Mario at the limit: 5-minute pizzas
    assert alone.figures["busiest_per_hour"] == 26 and alone.figures["arriving_per_hour"] == 11
    assert "orders come 14.0/h faster than the kitchen cooks" in alone.note
    for name in ("Sofia", "Luigi", "Giulia"):
        assert sim.apply(A.Hire(specialty="pizza", name=name)).ok
    assert shown(sim).figures["kitchen_per_hour"] == 12 + 3 * 6


def test_prep_counts_every_base_made_used_and_thrown_away() -> None:
    sim, done = played("prep_ahead", proof("prep_ahead", "win"))
    prep = shown(sim)
    report = build_report(sim)
    pizzas = sum(1 for o in done for t in o.tasks if t.started >= 0)  # every pizza cooked
    figures = prep.figures
    assert figures["prepped"] == report["bases_prepped"] == figures["used"] + figures["spoiled"]
    assert figures["used"] == report["bases_used"] and figures["spoiled"] == report["bases_spoiled"]
    assert figures["used"] + figures["without"] == pizzas and figures["fresh"] == 0
    assert figures["spoilage_cost"] == pytest.approx(report["costs"]["spoilage"])


def test_backup_shows_how_long_the_kitchen_had_nobody() -> None:
    alone, _ = played("chefs_day_off")
    [left] = [e.time for e in alone.metrics.log if "Mario is on leave" in e.text]
    empty = shown(alone).figures["minutes_without_chef"]
    assert empty == pytest.approx(alone.shift_end - left, abs=0.01)
    assert shown(alone).figures["lost_no_chef"] == alone.metrics.losses[LossCause.NO_CHEF] > 0
    covered, _ = played("chefs_day_off", proof("chefs_day_off", "win"))
    figures = shown(covered).figures
    assert figures["minutes_without_chef"] == pytest.approx(covered.staff.call_in_minutes, abs=0.01)
    assert figures["lost_no_chef"] == 0


def test_branches_count_how_each_branchs_orders_ended() -> None:
    sim, done = played("blackout")  # failover off: Central's customers lost in the dark
    figures = shown(sim).figures
    for name in ("Central", "North"):
        here = [o for o in done if o.branch == name]
        assert figures[f"{name}_on_time"] == sum(o.on_time for o in here)
        assert figures[f"{name}_lost"] == sum(o.cause is not None for o in here)
    assert figures["Central_lost"] == sim.metrics.losses[LossCause.BRANCH_DARK] > 0
    assert "lost to the dark at Central" in shown(sim).note
    rescued, _ = played("blackout", proof("blackout", "win"))
    assert shown(rescued).figures["Central_lost"] == 0
    assert shown(rescued).figures["Central_failed_over"] > 0


def test_regulars_keep_their_chef_on_a_ring_more_than_by_modulo() -> None:
    ring, _ = played("regulars", proof("regulars", "win"))
    modulo, _ = played("regulars", proof("regulars", "naive"))
    shared, _ = played("regulars")
    shares = [shown(sim).figures["usual_share"] for sim in (ring, modulo, shared)]
    assert shares[0] > shares[1] > shares[2]
    assert shown(ring).figures["remaps"] == len(ring.remaps) > 0


def test_chefs_show_who_cooked_what_under_each_router() -> None:
    blind, _ = played("smart_routing")
    looking, _ = played("smart_routing", proof("smart_routing", "win"))
    for sim in (blind, looking):
        figures = shown(sim).figures
        assert sum(figures[f"{c.name}_cooked"] for c in sim.chefs.values()) == sum(
            c.cooked for c in sim.chefs.values()
        )
    assert shown(looking).figures["Mario_cooked"] > shown(blind).figures["Mario_cooked"]


def test_teams_show_each_specialty_once_the_kitchen_has_teams() -> None:
    sim, _ = played("garlic_bread", proof("garlic_bread", "win"))
    teams = [row[0] for row in shown(sim).rows]
    assert teams == ["garlic bread", "pizza"]
    assert set(shown(sim).figures) == {"garlic_bread_busy", "pizza_busy"}


def test_menus_count_the_stale_orders_each_branch_refunded() -> None:
    sim, done = played("same_menu_everywhere", proof("same_menu_everywhere", "naive"))
    figures = shown(sim).figures
    stale = Counter(o.branch for o in done if o.cause is LossCause.STALE)
    assert {name: figures[f"{name}_stale"] for name in ("Central", "North", "South")} == {
        name: stale.get(name, 0) for name in ("Central", "North", "South")
    }
    assert sum(stale.values()) > 0 and figures["latest"] == 1


def test_delivery_shows_orders_waiting_for_drivers_not_chefs() -> None:
    short, _ = played("delivery_crunch")
    staffed, _ = played("delivery_crunch", proof("delivery_crunch", "win"))
    waits = [shown(sim).figures["driver_wait_minutes"] for sim in (short, staffed)]
    assert waits[0] > 2 * waits[1] > 0
    assert shown(short).figures["chefs_busy"] < 0.9
