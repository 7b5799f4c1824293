"""Staff who are not there yet: a chef hired during the shift arrives after the scenario's hiring
delay, and a chef on a day off can only be put on call (docs/engine.md).

Lab shops: fixed 10-minute pizzas, one generalist, Mario going home at 11:30 in the day-off ones.
"""

from __future__ import annotations

import pytest
from helpers import collect, lab

from pizzashop.sim import ChefState, LossCause, Simulation, build_report
from pizzashop.sim import actions as A

DELAY = 45.0
SLOW_HIRES = lab(staff={"generalist_factor": 1.0, "hire_minutes": DELAY})
LEAVES = [{"kind": "leave", "at": 30, "duration": 600, "chef": "Mario"}]


def staff_lines(sim: Simulation) -> list[tuple[float, str]]:
    return [(e.time, e.text) for e in sim.metrics.log if e.kind == "staff"]


def test_a_hired_chef_arrives_after_the_delay_and_is_paid_from_then() -> None:
    sim = Simulation(SLOW_HIRES)
    done = collect(sim)
    sim.advance(10)
    outcome = sim.apply(A.Hire(name="Luigi"))
    assert outcome.ok and "arriving at 11:55" in outcome.reason
    luigi = next(chef for chef in sim.chefs.values() if chef.name == "Luigi")
    assert luigi.state is ChefState.CALLED_IN and not luigi.on_duty and luigi.pay.rate == 0
    assert (10.0, "Luigi is hired and arrives at 11:55") in staff_lines(sim)
    sim.run_until(10 + DELAY)
    assert luigi.state is ChefState.CALLED_IN
    sim.advance(0.001)
    assert luigi.on_duty and luigi.pay.rate == sim.wage_at(1)
    assert (10 + DELAY, "Luigi arrived and starts work") in staff_lines(sim)
    sim.run()
    cooked = [t.started for o in done for t in o.tasks if t.chef == luigi.id]
    assert cooked and min(cooked) >= 10 + DELAY
    # Wages: Mario all shift, Luigi from his arrival only.
    assert -sim.ledger.causes()["wages"] == pytest.approx(15 * (sim.now + sim.now - 55) / 60)


def test_without_a_delay_a_hire_starts_at_once() -> None:
    sim = Simulation(lab())
    sim.advance(10)
    assert sim.apply(A.Hire(name="Luigi")).ok
    luigi = next(chef for chef in sim.chefs.values() if chef.name == "Luigi")
    assert luigi.on_duty and luigi.pay.rate == sim.wage_at(1)


def test_hiring_when_the_only_chef_leaves_leaves_the_kitchen_empty_for_the_delay() -> None:
    """The orders are taken (a cook is coming) but none starts before the new chef is in."""
    shop = lab(
        staff={"generalist_factor": 1.0, "hire_minutes": DELAY},
        timeline=LEAVES,
        demand={"rate_per_hour": 6},
    )
    sim = Simulation(shop)
    done = collect(sim)
    sim.schedule([A.Hire(at=30, name="Luigi")])
    sim.run()
    gap = [o for o in done if 30 <= o.placed < 30 + DELAY]
    assert gap and not any(o.cause is LossCause.NO_CHEF for o in gap)
    assert all(o.started >= 30 + DELAY for o in gap)


def test_a_hire_made_backup_on_the_way_goes_on_call_when_he_arrives() -> None:
    sim = Simulation(SLOW_HIRES)
    sim.schedule([A.Hire(at=0, name="Luigi"), A.MarkBackup(at=0, chef="Luigi")])
    sim.run_until(DELAY + 1)
    luigi = next(chef for chef in sim.chefs.values() if chef.name == "Luigi")
    assert luigi.state is ChefState.ON_CALL and luigi.backup
    assert luigi.pay.rate == sim.wage_at(1) * sim.staff.backup_retainer


def test_a_backup_arriving_after_the_chef_left_starts_work_at_once() -> None:
    shop = lab(staff={"generalist_factor": 1.0, "hire_minutes": DELAY}, timeline=LEAVES)
    sim = Simulation(shop)
    sim.schedule([A.Hire(at=0, name="Luigi"), A.MarkBackup(at=0, chef="Luigi")])
    sim.run_until(29)  # Luigi is on the way, Mario about to leave at 30
    sim.run_until(DELAY + 1)
    luigi = next(chef for chef in sim.chefs.values() if chef.name == "Luigi")
    assert luigi.on_duty and luigi.covering == "c1"


# -------------------------------------------------------------------------------- day off

DAY_OFF = lab(
    timeline=LEAVES,
    branch={"chefs": [{"name": "Mario"}, {"name": "Sofia", "off": True}]},
)


def test_a_chef_on_a_day_off_is_away_and_unpaid() -> None:
    sim = Simulation(DAY_OFF)
    done = collect(sim)
    sofia = sim.chefs["c2"]
    assert sofia.state is ChefState.OFF and not sofia.on_duty and sofia.pay.rate == 0
    sim.run()
    # Mario went home at 30 and Sofia stayed home: every later order is lost.
    later = [o for o in done if o.placed >= 30]
    assert later and all(o.cause is LossCause.NO_CHEF for o in later)
    assert -build_report(sim)["costs"]["wages"] == pytest.approx(-15 * 30 / 60)


def test_put_on_call_on_her_day_off_she_is_called_in_when_he_leaves() -> None:
    sim = Simulation(DAY_OFF)
    done = collect(sim)
    assert sim.apply(A.MarkBackup(chef="Sofia")).ok
    sofia = sim.chefs["c2"]
    assert sofia.state is ChefState.ON_CALL
    assert sofia.pay.rate == sim.wage_at(1) * sim.staff.backup_retainer
    sim.run()
    arrival = 30 + sim.staff.call_in_minutes
    assert (arrival, "backup Sofia arrived") in staff_lines(sim)
    assert not any(o.cause is LossCause.NO_CHEF for o in done)


def test_once_the_kitchen_is_empty_she_cannot_be_reached() -> None:
    sim = Simulation(DAY_OFF)
    sim.run_until(31)
    outcome = sim.apply(A.MarkBackup(chef="Sofia"))
    assert not outcome.ok and "off today and out of reach" in outcome.reason
    assert sim.chefs["c2"].state is ChefState.OFF


def test_a_chef_cannot_start_both_off_and_on_call() -> None:
    with pytest.raises(ValueError, match="on call \\(backup\\) or off, not both"):
        lab(branch={"chefs": [{"name": "Mario"}, {"name": "Sofia", "off": True, "backup": True}]})
