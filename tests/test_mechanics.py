"""The mechanics GAME.md promises, each in a small shop where the lesson shows in the numbers.

Most shops here are `lab` variants: fixed 10-minute pizzas and no delivery, so an order served by
an idle chef takes exactly its cook time and a test can state the expected time by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import mean

import pytest
from helpers import chefs, collect, lab, run, scenario, snapshot

from pizzashop.sim import (
    KITCHEN_STRATEGIES,
    LOSS_TEXT,
    ChefState,
    LossCause,
    Order,
    OrderState,
    Scenario,
    Simulation,
    build_report,
    load_scenario,
)
from pizzashop.sim import actions as A
from pizzashop.sim.scenario import StaffRules


def latencies(done: list[Order]) -> list[float]:
    return [o.done_at - o.placed for o in done if o.state is OrderState.DELIVERED]


def log_times(sim: Simulation, kind: str, text: str) -> list[float]:
    return [entry.time for entry in sim.metrics.log if entry.kind == kind and text in entry.text]


# --------------------------------------------------------------------- vertical scaling

QUIET = lab(demand={"rate_per_hour": 3})


def test_upgrade_makes_a_chef_faster_and_dearer() -> None:
    sim = Simulation(QUIET)
    staff, chef = QUIET.staff, sim.chefs["c1"]
    money = sim.ledger.balance
    assert sim.apply(A.Upgrade(chef="Mario")).ok
    assert (chef.level, chef.speed) == (2, staff.speed_by_level[1])
    assert chef.pay.rate == staff.wage_by_level[1]
    assert sim.ledger.balance == money - staff.upgrade_cost_by_level[0]
    assert sim.ledger.causes()["upgrades"] == -staff.upgrade_cost_by_level[0]


def test_an_upgraded_chef_cooks_in_cook_time_over_speed_and_earns_more() -> None:
    plain, plain_done = run(QUIET)
    fast, fast_done = run(QUIET, actions=[A.Upgrade(at=0, chef="Mario")])
    speed = QUIET.staff.speed_by_level[1]
    # Some order found the chef idle: its time is exactly the cook time (÷ speed); none is faster.
    assert min(latencies(plain_done)) == pytest.approx(10.0)
    assert min(latencies(fast_done)) == pytest.approx(10.0 / speed)
    assert mean(latencies(fast_done)) < mean(latencies(plain_done))
    wages = build_report(fast)["costs"]["wages"]
    assert wages == pytest.approx(QUIET.staff.wage_by_level[1] * fast.now / 60, abs=0.01)
    assert wages > build_report(plain)["costs"]["wages"]


def test_the_top_level_is_the_hardware_limit() -> None:
    sim = Simulation(QUIET)
    top = len(QUIET.staff.speed_by_level)
    for _ in range(top - 1):
        assert sim.apply(A.Upgrade(chef="c1")).ok
    before = snapshot(sim)
    outcome = sim.apply(A.Upgrade(chef="c1"))
    assert not outcome.ok and "hardware limit" in outcome.reason
    assert snapshot(sim) == before
    assert sim.chefs["c1"].level == top


def test_default_upgrades_give_diminishing_returns() -> None:
    """Each level buys less speed per unit of money and of wage than the one before."""
    staff = StaffRules()
    speed, wage, cost = staff.speed_by_level, staff.wage_by_level, staff.upgrade_cost_by_level
    gain_per_cost = [(speed[i + 1] - speed[i]) / cost[i] for i in range(len(cost))]
    speed_per_wage = [s / w for s, w in zip(speed, wage, strict=True)]
    assert gain_per_cost == sorted(gain_per_cost, reverse=True)
    assert speed_per_wage == sorted(speed_per_wage, reverse=True)


# ------------------------------------------------------------------------------ prep

PREP = lab(
    shift_hours=3,
    demand={"rate_per_hour": [0, 4, 4]},
    menu={
        "pizza": {
            "price": 10,
            "cook_minutes": 10,
            "service": "fixed",
            "uses": "base",
            "prep_saving": 0.4,
        }
    },
    components={"base": {"prep_minutes": 3, "shelf_life_minutes": 300, "cap": 40, "cost": 0.5}},
    branch={"prep": [{"start": 11, "end": 12, "component": "base", "target": 10}]},
)


def test_prep_builds_stock_in_prep_hours_only() -> None:
    sim = Simulation(PREP)
    stock = sim.branches[0].stock["base"]
    chef = sim.chefs["c1"]
    prepped = 0
    while sim.now < 60.0 and sim.loop.step():  # 11:00–12:00, before the first order
        prepped += chef.state is ChefState.PREPPING
    assert prepped and stock.fresh(sim.now) == 10
    while sim.loop.step():
        assert chef.state is not ChefState.PREPPING
    assert sim.ledger.causes()["ingredients"] == pytest.approx(-10 * 0.5)
    # None went off on the shelf (5 hours' life); those left when the shift ended spoil then.
    assert stock.prepped == 10 and 0 < stock.used < 10
    assert stock.spoiled == 10 - stock.used and not stock.made


def test_a_prepped_base_saves_cook_time() -> None:
    _, with_bases = run(PREP)
    _, without = run(PREP, actions=[A.SetPrep(at=0, jobs=[])])
    # Exactly 10 bases, all fresh: the first ten pizzas take 10 × (1 - 0.4) minutes when served
    # at once, the others (and every pizza without prep) the full 10.
    assert min(latencies(with_bases)) == pytest.approx(6.0)
    assert min(latencies(without)) == pytest.approx(10.0)
    assert mean(latencies(with_bases)) < mean(latencies(without))


def test_over_prep_spoils_and_is_counted() -> None:
    short_life = PREP.model_dump()
    short_life["components"]["base"]["shelf_life_minutes"] = 30
    short_life["demand"]["rate_per_hour"] = [0, 0, 4]
    sim, _ = run(Scenario.model_validate(short_life))
    stock = sim.branches[0].stock["base"]
    report = build_report(sim)
    made = round(-sim.ledger.causes()["ingredients"] / 0.5)
    # Bases made in the first hour go off before any order arrives at 13:00, so each one is wasted;
    # those still on the shelf when the shift ends spoil too. Each costs its price again to
    # throw away (a component's waste cost defaults to its cost).
    assert stock.spoiled >= 10 and report["bases_spoiled"] == stock.spoiled
    assert made == stock.prepped == stock.spoiled + stock.used and not stock.made
    assert report["costs"]["spoilage"] == pytest.approx(0.5 * stock.spoiled)


def test_bases_left_at_closing_are_spoiled_at_their_waste_cost() -> None:
    """Over-prep is not free: what is left on the shelf at closing is thrown away, and paid for."""
    keep = PREP.model_dump()
    keep["components"]["base"]["waste_cost"] = 2.0
    keep["branches"][0]["prep"] = [{"start": 11, "end": 15, "component": "base", "target": 40}]
    sim, _ = run(Scenario.model_validate(keep))
    stock = sim.branches[0].stock["base"]
    report = build_report(sim)
    assert stock.spoiled == stock.prepped - stock.used > 10
    assert report["bases_spoiled"] == stock.spoiled
    assert report["costs"]["spoilage"] == pytest.approx(2.0 * stock.spoiled)
    assert sim.ledger.causes()["spoilage"] == pytest.approx(-2.0 * stock.spoiled)


def test_prep_makes_the_lunch_peak_survivable() -> None:
    """default_day without its prep schedule: the same customers, a worse day."""
    day = scenario("default_day")
    with_prep = build_report(run(day)[0])
    without = build_report(run(day, actions=[A.SetPrep(at=0, jobs=[])])[0])
    assert with_prep["latency_p95"] < without["latency_p95"]
    assert with_prep["goodput"] >= without["goodput"]


# ------------------------------------------------------------------------------ backup

DAY_OFF = lab(
    demand={"rate_per_hour": 4},
    timeline=[{"kind": "leave", "at": 30, "duration": 600, "chef": "Mario"}],
)


def test_one_chef_on_leave_loses_every_order() -> None:
    sim, done = run(lab(timeline=[{"kind": "leave", "at": 0, "duration": 600, "chef": "Mario"}]))
    assert sim.metrics.placed > 0
    assert {o.cause for o in done} == {LossCause.NO_CHEF}
    # The warning came first, so the player could see it coming.
    first_loss = min(o.done_at for o in done)
    assert min(log_times(sim, "warning", "no chef on duty")) <= first_loss


def test_a_backup_is_called_in_and_arrives_after_call_in_minutes() -> None:
    covered = lab(
        demand={"rate_per_hour": 4},
        timeline=DAY_OFF.model_dump()["timeline"],
        branch={"chefs": [{"name": "Mario"}, {"name": "Anna", "backup": True}]},
    )
    sim = Simulation(covered)
    done = collect(sim)
    anna = sim.chefs["c2"]
    staff = covered.staff
    assert anna.state is ChefState.ON_CALL
    assert anna.pay.rate == staff.wage_by_level[0] * staff.backup_retainer
    sim.run()
    [left] = log_times(sim, "staff", "Mario is on leave")
    [arrived] = log_times(sim, "staff", "backup Anna arrived")
    assert arrived == pytest.approx(left + staff.call_in_minutes)
    assert not any(o.cause is LossCause.NO_CHEF for o in done)
    gap = [o for o in done if left <= o.placed < arrived]
    assert gap and all(o.started >= arrived for o in gap)  # accepted, cooked once Anna is in


# ------------------------------------------------------------------- horizontal scaling

BUSY = lab(shift_hours=3, demand={"rate_per_hour": 9})


def test_hiring_cuts_waits() -> None:
    alone = build_report(run(BUSY)[0])
    team = build_report(run(BUSY, actions=[A.Hire(at=0), A.Hire(at=0)])[0])
    assert team["mean_wait"] < alone["mean_wait"]
    assert team["latency_p95"] < alone["latency_p95"]
    assert team["costs"]["hiring"] == 2 * BUSY.staff.hire_cost


def test_hiring_grows_past_the_vertical_ceiling() -> None:
    """15 pizzas an hour: one chef at the top level cooks 6 × 2.0 = 12, three juniors 18."""
    rush = lab(shift_hours=3, demand={"rate_per_hour": 15})
    top = [A.Upgrade(at=0, chef="Mario") for _ in range(len(rush.staff.speed_by_level) - 1)]
    vertical = build_report(run(rush, actions=top)[0])
    horizontal = build_report(run(rush, actions=[A.Hire(at=0), A.Hire(at=0)])[0])
    assert horizontal["latency_p95"] < vertical["latency_p95"]
    assert horizontal["goodput"] > vertical["goodput"]


# -------------------------------------------------------------------- specialisation


def test_specialists_are_faster_at_their_own_dish() -> None:
    staff = StaffRules(generalist_factor=1.25, off_specialty_factor=1.8)
    menu = {
        "pizza": {"price": 10, "cook_minutes": 10, "service": "fixed"},
        "garlic_bread": {"price": 4, "cook_minutes": 4, "service": "fixed", "weight": 0},
    }
    expected = {"pizza": 10.0, "generalist": 12.5, "garlic_bread": 18.0}
    for specialty, minutes in expected.items():
        shop = lab(
            staff=staff.model_dump(),
            menu=menu,
            demand={"rate_per_hour": 2},
            branch={"chefs": [{"name": "Mario", "specialty": specialty}]},
        )
        _, done = run(shop)
        assert min(latencies(done)) == pytest.approx(minutes), specialty


# Two pizza chefs, two bread chefs; garlic bread is most of the demand and rushes at 12:00.
BAKERY = lab(
    shift_hours=3,
    demand={"rate_per_hour": 20},
    menu={
        "pizza": {"price": 12, "cook_minutes": 10, "service": "exponential", "weight": 1},
        "garlic_bread": {"price": 5, "cook_minutes": 5, "service": "exponential", "weight": 3},
    },
    branch={
        "chefs": chefs("P1", "P2", specialty="pizza") + chefs("B1", "B2", specialty="garlic_bread")
    },
    timeline=[{"kind": "rush", "at": 60, "duration": 60, "factor": 2.5}],
)


def pizza_waits(done: list[Order]) -> list[float]:
    return [o.started - o.placed for o in done if o.items == ["pizza"] and o.started >= 0]


def test_a_bread_rush_does_not_stall_the_pizza_team() -> None:
    team, team_done = run(BAKERY, strategy="by_specialty")
    _, line_done = run(BAKERY, strategy="shared")
    pizza_chefs = {c.id for c in team.chefs.values() if c.specialty == "pizza"}
    cooked = [(t.chef, t.item) for o in team_done for t in o.tasks]
    assert not any(chef in pizza_chefs and item == "garlic_bread" for chef, item in cooked)
    assert mean(pizza_waits(team_done)) < mean(pizza_waits(line_done)) / 2
    bread_waits = [o.started - o.placed for o in team_done if o.items == ["garlic_bread"]]
    assert mean(bread_waits) > mean(pizza_waits(team_done))  # the bread team did have a rush


# ------------------------------------------------------------------------------ outages

DARK_HOUR = lab(
    demand={"rate_per_hour": 5},
    timeline=[{"kind": "outage", "at": 60, "duration": 60, "branch": "Central"}],
)


def test_one_branch_outage_loses_its_orders_as_branch_dark() -> None:
    sim, done = run(DARK_HOUR)
    for order in done:
        if 60 <= order.placed < 120:
            assert order.cause is LossCause.BRANCH_DARK
        else:
            assert order.state is OrderState.DELIVERED, (order.id, order.placed, order.cause)
    assert sim.metrics.losses[LossCause.BRANCH_DARK] > 0
    # The pizza in the oven at the cut goes back to the head of the line and is cooked again,
    # first thing, when the power returns at 120.
    [cut] = [o for o in done if 0 <= o.started < 60 < o.done_at]
    assert cut.done_at == pytest.approx(120 + 10)


def test_two_branches_with_failover_serve_an_outage_later() -> None:
    """blackout_day, same customers, with and without Central's outage (13:00–14:00)."""
    day = scenario("blackout_day")
    calm = scenario("blackout_day", timeline=[])
    sim, dark_done = run(day)
    _, calm_done = run(calm)
    assert sim.metrics.losses[LossCause.BRANCH_DARK] == 0
    window = {o.id for o in dark_done if 120 <= o.placed < 180 and o.area != "north"}
    assert window and all(o.branch == "North" for o in dark_done if o.id in window)

    def mean_latency(done: list[Order]) -> float:
        return mean(
            o.done_at - o.placed for o in done if o.id in window and o.state is OrderState.DELIVERED
        )

    assert mean_latency(dark_done) > mean_latency(calm_done)


# -------------------------------------------------------------------------- menu update

MENU = lab(
    areas=["centre", "north"],
    travel={"centre": {"north": 10}},
    demand={"rate_per_hour": 12, "areas": {"centre": 1, "north": 1}},
    menu={
        "pizza": {"price": 10, "cook_minutes": 10, "service": "fixed"},
        "garlic_bread": {"price": 4, "cook_minutes": 4, "service": "fixed", "weight": 0.5},
    },
    branches=[
        {"name": "Central", "area": "centre", "chefs": chefs("A", "B")},
        {"name": "North", "area": "north", "menu_delay_minutes": 60, "chefs": chefs("C", "D")},
    ],
    timeline=[{"kind": "menu_update", "at": 60, "item": "pizza", "price": 12}],
)


def pizza_started(order: Order) -> float:
    return next(t.started for t in order.tasks if t.item == "pizza")


def test_a_branch_on_an_old_menu_cooks_stale_orders_that_are_refunded() -> None:
    """The pizza price changes at 12:00; North hears of it an hour later. A v1 order whose pizza
    North cooks before then is stale and refunded; no other order is."""
    sim, done = run(MENU)

    def cooked_stale(order: Order) -> bool:
        return (
            order.branch == "North"
            and order.placed >= 60
            and "pizza" in order.items
            and pizza_started(order) < 120
        )

    stale = [o for o in done if o.cause is LossCause.STALE]
    assert stale
    assert all(cooked_stale(o) for o in stale)
    assert not any(cooked_stale(o) for o in done if o.state is OrderState.DELIVERED)
    report = build_report(sim)
    refunded = sum(12 * o.items.count("pizza") + 4 * o.items.count("garlic_bread") for o in stale)
    assert report["refunds"] == pytest.approx(refunded)
    assert report["orders_lost"]["stale_recipe"] == len(stale)


def test_a_player_pushes_only_the_updates_the_menu_offers() -> None:
    """A 1-minute recipe or a price of 1e9 would be a free score: only what is offered goes."""
    sim = Simulation(OFFERS)
    assert sim.apply(A.PushMenu(item="pizza", cook_minutes=7)).ok
    assert sim.apply(A.PushMenu(item="pizza", price=12)).ok
    assert sim.menu_versions[-1]["pizza"] == (12, 7)
    for rogue in (
        A.PushMenu(item="pizza", cook_minutes=1),
        A.PushMenu(item="pizza", price=1e9),
        A.PushMenu(item="pizza", price=12, cook_minutes=7),  # not one offer: two at once
    ):
        assert not sim.apply(rogue).ok
    assert len(sim.menu_versions) == 3


def test_a_price_update_charges_orders_placed_after_it() -> None:
    sim, done = run(MENU.model_copy(update={"branches": MENU.branches[:1]}))
    expected = sum(
        (12 if o.placed >= 60 else 10) * o.items.count("pizza") + 4 * o.items.count("garlic_bread")
        for o in done
        if o.state is OrderState.DELIVERED
    )
    assert sim.ledger.causes()["revenue"] == pytest.approx(expected)


# ------------------------------------------------------------- capacity and patience


def most_waiting(sim: Simulation, done: list[Order]) -> int:
    """Run the shift out event by event; the longest the branch's queue ever was."""
    worst = 0
    while sim.loop.step():
        worst = max(worst, sim.branches[0].waiting)
    sim.run()
    full = [o for o in done if o.cause is LossCause.QUEUE_FULL]
    assert full and all(o.done_at == o.placed for o in full)  # turned away on arrival
    return worst


# Three generalists, exponential pizzas, demand well above what they cook, room for 3 waiting.
CAPPED = lab(
    demand={"rate_per_hour": 30},
    menu={"pizza": {"price": 10, "cook_minutes": 10, "service": "exponential"}},
    branch={"queue_capacity": 3, "chefs": chefs("A", "B", "C")},
)


@pytest.mark.parametrize("strategy", list(KITCHEN_STRATEGIES))
def test_a_full_queue_turns_orders_away_under_every_strategy(strategy: str) -> None:
    sim = Simulation(CAPPED, kitchen_strategy=strategy)
    assert most_waiting(sim, collect(sim)) <= 3


def test_team_lines_respect_the_queue_capacity() -> None:
    teams = lab(
        demand={"rate_per_hour": 20},
        menu={
            "pizza": {"price": 12, "cook_minutes": 10, "service": "exponential"},
            "garlic_bread": {
                "price": 5,
                "cook_minutes": 5,
                "service": "exponential",
                "weight": 0.2,
            },
        },
        branch={
            "queue_capacity": 2,
            "chefs": chefs("P", specialty="pizza") + chefs("B", specialty="garlic_bread"),
        },
    )
    sim = Simulation(teams, kitchen_strategy="by_specialty")
    assert most_waiting(sim, collect(sim)) <= 2


def test_impatient_customers_give_up_before_cooking_starts() -> None:
    shop = lab(demand={"rate_per_hour": 9, "patience": {"mean_minutes": 8, "dist": "fixed"}})
    sim, done = run(shop)
    gave_up = [o for o in done if o.cause is LossCause.GAVE_UP]
    assert gave_up
    for order in gave_up:
        assert order.started < 0
        assert order.done_at == pytest.approx(order.placed + 8)
    for order in done:
        if order.started >= 0:
            assert order.cause is None or order.cause is not LossCause.GAVE_UP
            assert order.started - order.placed <= 8
    assert min(log_times(sim, "warning", "patience")) < min(o.done_at for o in gave_up)


# ------------------------------------------------------------------------- loss causes

FAR = lab(
    areas=["centre", "far"],
    travel={"centre": {"far": 40}},
    demand={"rate_per_hour": 6, "areas": {"centre": 2, "far": 1}},
    delivery={"enabled": True, "max_travel_minutes": 20},
    branch={"agents": 2},
)

# Each cause, a shop that reaches it, and what every order lost to it has in common.
CAUSES: dict[LossCause, tuple[Scenario, list[A.Action], Callable[[Order], bool]]] = {
    LossCause.QUEUE_FULL: (
        lab(demand={"rate_per_hour": 12}, branch={"queue_capacity": 2}),
        [],
        lambda o: o.done_at == o.placed and o.branch == "Central",
    ),
    LossCause.GAVE_UP: (
        lab(demand={"rate_per_hour": 9, "patience": {"mean_minutes": 8, "dist": "fixed"}}),
        [],
        lambda o: o.started < 0 and o.done_at == pytest.approx(o.placed + 8),
    ),
    LossCause.BRANCH_DARK: (
        DARK_HOUR,
        [],
        lambda o: 60 <= o.placed < 120 and o.branch == "Central",  # the dark branch is named
    ),
    LossCause.NO_ROUTE: (FAR, [], lambda o: o.area == "far" and o.branch is None),
    LossCause.NO_CHEF: (DAY_OFF, [], lambda o: o.placed >= 30 and o.started < 0),
    LossCause.STALE: (MENU, [], lambda o: o.branch == "North" and o.placed >= 60),
    LossCause.UNSERVED: (
        lab(demand={"rate_per_hour": 12}),
        [A.Fire(at=30, chef="Mario")],
        lambda o: o.placed < 30 and o.done_at >= 240,
    ),
}


def test_every_loss_cause_has_a_shop_here() -> None:
    assert set(CAUSES) == set(LossCause)


@pytest.mark.parametrize("cause", list(LossCause))
def test_each_loss_cause_is_reachable_and_carried_by_its_orders(cause: LossCause) -> None:
    shop, actions, common = CAUSES[cause]
    sim, done = run(shop, actions=actions)
    lost = [o for o in done if o.cause is cause]
    assert lost
    assert all(common(o) for o in lost)
    assert build_report(sim)["orders_lost"][cause.value] == len(lost)
    # Each lost order has its own line in the event log, with the reason in words.
    texts = {e.order: e.text for e in sim.metrics.log if e.kind == "lost"}
    assert all(LOSS_TEXT[cause] in texts[o.id] for o in lost)


# --------------------------------------------------------------------- refused actions

BASES = {"base": {"prep_minutes": 3, "shelf_life_minutes": 60, "cap": 5}}
OFFERS = lab(
    menu={
        "pizza": {
            "price": 10,
            "cook_minutes": 10,
            "service": "fixed",
            "offers": [{"price": 12}, {"cook_minutes": 7}],
        }
    }
)
TOP = [A.Upgrade(chef="Mario") for _ in range(4)]

# name: (shop, actions applied first, the refused action, words its reason must contain)
REFUSALS: dict[str, tuple[Scenario, list[A.Action], A.Action, str]] = {
    "hire without money": (lab(money=0), [], A.Hire(), "costs"),
    "upgrade without money": (lab(money=100), [], A.Upgrade(chef="Mario"), "costs"),
    "upgrade past the top": (lab(), TOP, A.Upgrade(chef="c1"), "hardware limit"),
    "fire an unknown chef": (lab(), [], A.Fire(chef="Nobody"), "no chef called"),
    "upgrade an unknown chef": (lab(), [], A.Upgrade(chef="c9"), "no chef called"),
    "kind not allowed": (lab(allowed_actions=["upgrade"]), [], A.Hire(), "not allowed"),
    "unknown specialty": (lab(), [], A.Hire(specialty="sushi"), "no specialty"),
    "kitchen full": (lab(branch={"max_chefs": 1}), [], A.Hire(), "at most"),
    "duplicate name": (lab(), [], A.Hire(name="Mario"), "already a chef"),
    "unknown branch": (lab(), [], A.Hire(branch="Nowhere"), "no branch called"),
    "close the last branch": (lab(), [], A.CloseBranch(branch="Central"), "last open branch"),
    "open an open branch": (lab(), [], A.OpenBranch(branch="Central"), "already open"),
    "agents without delivery": (lab(), [], A.HireAgents(), "does not deliver"),
    "unknown menu item": (lab(), [], A.PushMenu(item="burger", price=3), "no menu item"),
    "empty menu update": (lab(), [], A.PushMenu(item="pizza"), "price or cook_minutes"),
    "a menu update not offered": (lab(), [], A.PushMenu(item="pizza", price=12), "offers no"),
    "a price not offered": (OFFERS, [], A.PushMenu(item="pizza", price=1e9), "only as: price 12"),
    "a recipe not offered": (
        OFFERS,
        [],
        A.PushMenu(item="pizza", cook_minutes=1),
        "only as: price 12; cooks in 7 min",
    ),
    "an offer already on the menu": (
        OFFERS,
        [A.PushMenu(item="pizza", cook_minutes=7)],
        A.PushMenu(item="pizza", cook_minutes=7),
        "the menu has that pizza already (v1)",
    ),
    "a chef on a day off, nobody cooking": (
        lab(branch={"chefs": [{"name": "Mario"}, {"name": "Sofia", "off": True}]}),
        [A.Fire(chef="Mario")],
        A.MarkBackup(chef="Sofia"),
        "off today and out of reach",
    ),
    "prep an unknown component": (
        lab(components=BASES),
        [],
        A.SetPrep(jobs=[A.PrepSlot(start=11, end=12, component="dough", target=3)]),
        "can be prepped",
    ),
    "prep ending before it starts": (
        lab(components=BASES),
        [],
        A.SetPrep(jobs=[A.PrepSlot(start=12, end=11, component="base", target=3)]),
        "must end after",
    ),
    "last chef as backup": (lab(), [], A.MarkBackup(chef="Mario"), "last chef on duty"),
    "unmark a non-backup": (lab(), [], A.MarkBackup(chef="Mario", backup=False), "not a backup"),
    "unknown kitchen strategy": (lab(), [], A.RouteKitchen(strategy="psychic"), "no kitchen"),
    "unknown branch strategy": (lab(), [], A.RouteBranches(strategy="cheapest"), "no branch"),
}


def shift_with(shop: Scenario, first: list[A.Action], extra: A.Action | None) -> Simulation:
    """Apply `first` (all must succeed) and `extra` at minute 20, then run the shift out."""
    sim = Simulation(shop)
    sim.run_until(20.0)
    for action in first:
        assert sim.apply(action).ok
    if extra is not None:
        before = snapshot(sim)
        outcome = sim.apply(extra)
        assert not outcome.ok
        assert snapshot(sim) == before
        assert sim.action_log[-1] == (extra.model_copy(update={"at": 20.0}), outcome)
        assert sim.metrics.log[-1].kind == "refused" and outcome.reason in sim.metrics.log[-1].text
    sim.run()
    return sim


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_action_gives_a_reason_and_changes_nothing(name: str) -> None:
    shop, first, action, words = REFUSALS[name]
    refused = shift_with(shop, first, action)
    reason = refused.action_log[len(first)][1].reason
    assert words in reason, reason
    # The rest of the shift is exactly the shift without the attempt (but for the count and the
    # report's list of refusals, which names it).
    plain = build_report(shift_with(shop, first, None))
    report = build_report(refused)
    assert [r["reason"] for r in report["refused"]] == [reason]
    assert {**report, "actions": plain["actions"], "refused": []} == plain


def test_actions_after_the_shift_are_refused() -> None:
    sim, _ = run(lab())
    before = snapshot(sim)
    outcome = sim.apply(A.Hire())
    assert not outcome.ok and "shift is over" in outcome.reason
    assert snapshot(sim) == before


# ----------------------------------------------------------- a branch not yet open


def test_a_closed_branch_costs_nothing_until_it_opens() -> None:
    """Distribution: a second site's staff and rent start with its opening, not before."""
    shop = scenario(
        "blackout_day",
        branches=[
            load_scenario("blackout_day").branches[0].model_dump(),
            {**load_scenario("blackout_day").branches[1].model_dump(), "open": False},
        ],
    )
    sim = Simulation(shop)
    north = sim.branch_by_name["North"]
    assert north.chefs and north.agents
    assert all(chef.pay.rate == 0.0 for chef in north.chefs)
    assert north.agent_pay.rate == 0.0 and north.rent.rate == 0.0
    sim.advance(60)
    assert sim.apply(A.OpenBranch(branch="North")).ok
    assert all(chef.pay.rate == sim.wage_at(chef.level) for chef in north.chefs)
    assert north.agent_pay.rate == len(north.agents) * shop.delivery.agent_wage
    assert north.rent.rate == north.spec.rent_per_hour
    assert sim.apply(A.CloseBranch(branch="North")).ok
    assert all(chef.pay.rate == 0.0 for chef in north.chefs)
    assert north.agent_pay.rate == 0.0 and north.rent.rate == 0.0


# ------------------------------------------------------------ warnings before losses


def test_the_prep_warning_waits_until_prep_hours_are_over() -> None:
    """An empty stock while the prep job is still filling it is not news; after it, it is."""
    sim = Simulation(load_scenario("default_day"))
    sim.advance(1)  # 11:01: the 11:00–12:00 job has only just started on an empty stock
    assert ("prep", "Central") not in sim.warnings
    slot = A.PrepSlot(start=11, end=11.05, component="base", target=2)
    assert sim.apply(A.SetPrep(jobs=[slot])).ok
    sim.advance(120)
    texts = [entry.text for entry in sim.metrics.log if entry.kind == "warning"]
    assert any("run out of prepped base" in text for text in texts)
