"""Power cuts: what happens to the orders a branch holds when it goes dark, and what failover
means under each branch router (docs/engine.md, "What a power cut does").

The shops are lab variants with two branches and fixed 10-minute pizzas, so each order's fate
can be stated by hand: Central (nearest to every customer) goes dark from 12:00 to 14:00.
"""

from __future__ import annotations

from collections import Counter

import pytest
from helpers import chefs, collect, lab, run

from pizzashop.sim import LossCause, Order, OrderState, Scenario, Simulation
from pizzashop.sim import actions as A

CUT, BACK = 60.0, 180.0
TWO = lab(
    areas=["centre", "north"],
    travel={"centre": {"north": 10}},
    demand={
        "rate_per_hour": 14,
        "areas": {"centre": 1},
        "patience": {"mean_minutes": 30, "dist": "fixed"},
    },
    branches=[
        {"name": "Central", "area": "centre", "chefs": chefs("Mario")},
        {"name": "North", "area": "north", "chefs": chefs("Luigi", "Giulia", "Marco")},
    ],
    timeline=[{"kind": "outage", "at": CUT, "duration": BACK - CUT, "branch": "Central"}],
)
FAILOVER_OFF = A.RouteBranches(strategy="nearest", failover=False)


def waiting_at_the_cut(sim: Simulation) -> list[Order]:
    """Run to just before the cut: the orders Central holds then, not yet ready."""
    sim.run_until(CUT)
    central = sim.branch_by_name["Central"]
    assert central.lit
    return [o for o in sim.orders.values() if o.branch == "Central" and o.remaining]


def test_with_failover_the_orders_waiting_in_the_dark_move_to_a_lit_branch() -> None:
    sim = Simulation(TWO)
    done = collect(sim)
    stranded = waiting_at_the_cut(sim)
    in_oven = [o for o in stranded if o.tasks[0].started >= 0]
    assert len(stranded) >= 2 and in_oven  # a pizza in the oven, and orders queued behind it
    sim.run()
    ids = {o.id for o in stranded}
    moved = [o for o in done if o.id in ids]
    assert len(moved) == len(stranded)
    for order in moved:
        # Cooked again, from the start, at North, once the power had gone.
        assert order.branch == "North" and order.state is OrderState.DELIVERED
        assert order.tasks[0].started >= CUT and order.done_at < BACK
    assert sim.branch_by_name["Central"].failed_over == len(stranded)
    assert any(f"{len(stranded)} orders waiting at Central failed over" in e.text
               for e in sim.metrics.log)  # fmt: skip
    # Nothing Central held sat out the outage to be served when the lights came back.
    assert not [o for o in done if o.branch == "Central" and o.placed < CUT and o.done_at > CUT]


def test_the_watched_log_says_an_order_failed_over_not_that_it_was_placed_again() -> None:
    sim = Simulation(TWO, watched=True)
    stranded = {o.id for o in waiting_at_the_cut(sim)}
    sim.run()
    lines = [e for e in sim.metrics.log if e.kind == "placed"]
    again = [e for e in lines if e.branch == "North" and e.order in stranded]
    assert len(again) == len(stranded) and all("failed over here:" in e.text for e in again)
    assert all(" placed: " in e.text for e in lines if e not in again)


def test_without_failover_they_wait_in_the_dark_and_give_up_as_branch_dark() -> None:
    sim = Simulation(TWO)
    done = collect(sim)
    sim.schedule([FAILOVER_OFF])
    stranded = waiting_at_the_cut(sim)
    started = {o.id for o in stranded if o.tasks[0].started >= 0}
    assert started and len(stranded) > len(started)
    sim.run()
    ids = {o.id for o in stranded}
    for order in (o for o in done if o.id in ids):
        assert order.cause is LossCause.BRANCH_DARK and order.branch == "Central"
        # A customer whose pizza was in the oven is told at the cut and waits their patience
        # from then; the others keep the deadline they had.
        waited_from = CUT if order.id in started else order.placed
        assert order.done_at == pytest.approx(waited_from + 30)
    # New orders are lost at Central's dark door; none is served late after the outage.
    dark_door = [o for o in done if CUT <= o.placed < BACK]
    assert dark_door and all(o.cause is LossCause.BRANCH_DARK for o in dark_door)
    delivered = [o for o in done if o.state is OrderState.DELIVERED]
    assert max(o.done_at - o.placed for o in delivered) < 45


def test_failover_moves_only_what_the_lit_branch_has_room_for() -> None:
    """North's one chef cooks one order and its queue holds one more: failover moves those two and
    leaves the rest in the dark, rather
    than flooding North's queue and losing them there as `queue_full` with no warning first."""
    north = {"name": "North", "area": "north", "queue_capacity": 1, "chefs": chefs("Luigi")}
    small = Scenario.model_validate(
        TWO.model_dump() | {"branches": [TWO.branches[0].model_dump(), north]}
    )
    sim = Simulation(small)
    done = collect(sim)
    stranded = {o.id for o in waiting_at_the_cut(sim)}
    assert len(stranded) >= 3
    sim.run_until(CUT)
    north = sim.branch_by_name["North"]
    assert north.waiting == 0
    sim.run_until(CUT + 0.01)
    assert sim.branch_by_name["Central"].failed_over == 2
    sim.run()
    ends = Counter((o.branch, o.cause) for o in done if o.id in stranded)
    assert ends[("Central", LossCause.BRANCH_DARK)] == len(stranded) - 2  # left in the dark
    assert ends[("North", None)] >= 1  # moved, and served
    assert not [end for end in ends if end[1] is LossCause.QUEUE_FULL]


def test_turning_failover_on_in_the_dark_moves_the_orders_still_waiting() -> None:
    sim = Simulation(TWO)
    done = collect(sim)
    sim.schedule([FAILOVER_OFF, A.RouteBranches(at=CUT + 5, strategy="nearest", failover=True)])
    stranded = {o.id for o in waiting_at_the_cut(sim)}
    sim.run()
    rescued = [o for o in done if o.id in stranded and o.state is OrderState.DELIVERED]
    assert rescued and all(o.branch == "North" for o in rescued)
    assert all(o.tasks[0].started >= CUT + 5 for o in rescued)


def test_ready_orders_go_out_in_the_dark_drivers_need_no_power() -> None:
    """One slow driver: orders wait ready at Central when the power goes, and still leave."""
    slow = TWO.model_copy(
        update={
            "delivery": TWO.delivery.model_copy(update={"enabled": True}),
            "travel": {"centre": {"centre": 20, "north": 30}},
            "branches": [
                TWO.branches[0].model_copy(update={"agents": 1}),
                TWO.branches[1].model_copy(update={"agents": 3}),
            ],
        }
    )
    sim = Simulation(slow)
    done = collect(sim)
    sim.run_until(CUT)
    ready = [o.id for o in sim.branch_by_name["Central"].ready]
    assert ready
    sim.run()
    out = [o for o in done if o.id in ready]
    assert all(o.branch == "Central" and o.state is OrderState.DELIVERED for o in out)
    assert all(o.done_at > CUT and o.tasks[0].started < CUT for o in out)


# ------------------------------------------------------------------ failover under each router

FASTEST = TWO.model_copy(update={"routing": TWO.routing.model_copy(update={"branch": "fastest"})})


def test_fastest_with_failover_never_sends_an_order_to_a_dark_branch() -> None:
    sim, done = run(FASTEST)
    assert sim.failover and not sim.metrics.losses[LossCause.BRANCH_DARK]
    assert any(CUT <= o.placed < BACK and o.branch == "North" for o in done)


def test_fastest_without_failover_does_not_see_the_dark_and_loses_what_it_sends_there() -> None:
    """No health check: the router estimates Central as if it were lit, so the orders it sends
    there while it is dark are lost at its door."""
    _, done = run(FASTEST, actions=[A.RouteBranches(strategy="fastest", failover=False)])
    lost = [o for o in done if o.cause is LossCause.BRANCH_DARK and CUT <= o.placed < BACK]
    assert lost and all(o.branch == "Central" and o.done_at == o.placed for o in lost)


def test_the_report_counts_a_dark_branchs_losses_at_that_branch() -> None:
    sim, done = run(TWO, actions=[FAILOVER_OFF])
    central = sim.branch_by_name["Central"]
    lost_here = Counter(o.cause.value for o in done if o.branch == "Central" and o.cause)
    assert central.losses == lost_here and lost_here["branch_dark"]
    assert central.delivered == sum(o.branch == "Central" for o in done if o.cause is None)
    assert central.on_time == sum(o.on_time for o in done if o.branch == "Central")


def test_an_order_with_nowhere_to_go_stays_where_it_waits_and_leaves_its_lines_when_lost() -> None:
    """Central's orders fail over to North, then North goes dark too: with every branch dark they
    stay at North, and the customers who give up there take their items out of North's lines
    (an item left behind would be cooked for nobody when the power came back)."""
    outages = [event.model_dump() for event in TWO.timeline]
    outages.append({"kind": "outage", "at": CUT + 5, "duration": 60, "branch": "North"})
    sim = Simulation(Scenario.model_validate({**TWO.model_dump(), "timeline": outages}))
    done = collect(sim)
    sim.run_until(CUT + 6)
    north = sim.branch_by_name["North"]
    waiting = [o for o in sim.orders.values() if o.branch == "North" and o.remaining]
    assert waiting and all(o.state is OrderState.QUEUED for o in waiting)
    sim.run()
    ids = {o.id for o in waiting}
    gone = [o for o in done if o.id in ids and o.cause is LossCause.BRANCH_DARK]
    assert gone and all(o.branch == "North" for o in gone)
    assert north.waiting == 0 and not any(north.pull.values())
