"""Every routing strategy does what its one-line summary promises, alone and inside a shift.

Unit tests call `route` with fake chefs; run tests check each item's queue key in a real shift;
the remap tests check the consistent-hashing lesson: a chef joining or leaving remaps about 1/n
customers on a ring and almost all of them with m % n.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import pytest
from helpers import chefs, collect, lab, run, scenario

from pizzashop.sim import (
    BRANCH_STRATEGIES,
    KITCHEN_STRATEGIES,
    LossCause,
    Order,
    Simulation,
    build_report,
    describe_strategies,
)
from pizzashop.sim import actions as A
from pizzashop.sim.hashing import Ring, modulo_pick, remapped_fraction
from pizzashop.sim.orders import Task
from pizzashop.sim.routing import SHARED_QUEUE, KitchenStrategy

# --------------------------------------------------------------------------- unit level


@dataclass
class FakeChef:
    """Just what a router may look at."""

    id: str
    specialty: str = "generalist"
    level: int = 1
    load: int = 0
    speed: float = 1.0


def task_for(customer: int = 0, item: str = "pizza") -> Task:
    order = Order(0, customer, "centre", 0.0, None, 0)
    task = Task(order, item, 0.5)
    order.tasks = [task]
    return task


def router(name: str, seed: int = 0, vnodes: int = 64) -> KitchenStrategy:
    return KITCHEN_STRATEGIES[name](random.Random(seed), vnodes)


def three(**loads: int) -> list[FakeChef]:
    return [FakeChef(f"c{i}", load=loads.get(f"c{i}", 0)) for i in (1, 2, 3)]


def test_registry_lists_every_strategy_with_a_summary() -> None:
    assert set(KITCHEN_STRATEGIES) == {
        "shared", "by_specialty", "random", "round_robin",
        "least_loaded", "weighted", "modulo", "ring",
    }  # fmt: skip
    assert set(BRANCH_STRATEGIES) == {"nearest", "fastest"}
    for name, cls in KITCHEN_STRATEGIES.items():
        assert cls.name == name and cls.summary
        assert cls.hashes_customers == (name in ("modulo", "ring"))
    described = describe_strategies()
    assert set(described["kitchen"]) == set(KITCHEN_STRATEGIES)
    assert set(described["branch"]) == set(BRANCH_STRATEGIES)


def test_shared_puts_everything_on_one_line() -> None:
    shared = router("shared")
    for chefs_now in (three(), [FakeChef("c9", "pizza", load=5)]):
        for station in ("pizza", "garlic_bread"):
            assert shared.route(task_for(), chefs_now, station) == SHARED_QUEUE


def test_by_specialty_sends_each_dish_to_its_team() -> None:
    by = router("by_specialty")
    team = [FakeChef("c1", "pizza"), FakeChef("c2", "garlic_bread"), FakeChef("c3")]
    assert by.route(task_for(), team, "pizza") == "@pizza"
    assert by.route(task_for(item="garlic_bread"), team, "garlic_bread") == "@garlic_bread"
    # No team for the dish on duty: the shared line, which generalists (and anyone) pull from.
    assert by.route(task_for(item="burger"), team, "burger") == SHARED_QUEUE
    assert by.route(task_for(), [FakeChef("c3")], "pizza") == SHARED_QUEUE


def test_random_picks_uniformly_busy_or_not() -> None:
    chooser = router("random", seed=1)
    picks = Counter(chooser.route(task_for(), three(c1=9), "pizza") for _ in range(6000))
    assert set(picks) == {"c1", "c2", "c3"}
    # Binomial sd of a share over 6000 picks is sqrt(1/3 * 2/3 / 6000) ≈ 0.006; 0.03 is 5 sd.
    for chef in ("c1", "c2", "c3"):
        assert abs(picks[chef] / 6000 - 1 / 3) < 0.03, picks


def test_random_is_reproducible_from_its_stream() -> None:
    def picks(seed: int) -> list[str]:
        strategy = router("random", seed=seed)
        return [strategy.route(task_for(), three(), "pizza") for _ in range(50)]

    assert picks(5) == picks(5)
    assert picks(5) != picks(6)


def test_round_robin_takes_turns_whatever_the_load() -> None:
    rr = router("round_robin")
    picks = [rr.route(task_for(), three(c1=7, c2=0, c3=3), "pizza") for _ in range(7)]
    assert picks == ["c1", "c2", "c3", "c1", "c2", "c3", "c1"]


def test_least_loaded_picks_the_fewest_items_first_hired_on_ties() -> None:
    ll = router("least_loaded")
    assert ll.route(task_for(), three(c1=3, c2=1, c3=2), "pizza") == "c2"
    assert ll.route(task_for(), three(c1=2, c2=1, c3=1), "pizza") == "c2"
    assert ll.route(task_for(), three(), "pizza") == "c1"


def test_weighted_picks_in_proportion_to_speed() -> None:
    team = [FakeChef("slow"), FakeChef("fast", speed=2.0), FakeChef("also_slow")]
    weighted = router("weighted", seed=2)
    picks = Counter(weighted.route(task_for(), team, "pizza") for _ in range(8000))
    # Expected shares 1/4, 1/2, 1/4; binomial sd ≤ sqrt(0.25 / 8000) ≈ 0.0056, 0.03 is > 5 sd.
    assert abs(picks["fast"] / 8000 - 0.5) < 0.03
    assert abs(picks["slow"] / 8000 - 0.25) < 0.03
    assert abs(picks["also_slow"] / 8000 - 0.25) < 0.03


def test_modulo_is_customer_id_mod_chefs() -> None:
    modulo = router("modulo")
    for customer in range(40):
        loads = {f"c{1 + customer % 3}": 50}  # its chef is swamped: a hash does not care
        assert modulo.route(task_for(customer), three(**loads), "pizza") == f"c{1 + customer % 3}"


def test_ring_keeps_each_customer_on_one_chef() -> None:
    ring = router("ring")
    team = three()
    first = {c: ring.route(task_for(c), team, "pizza") for c in range(300)}
    assert set(first.values()) == {"c1", "c2", "c3"}
    busy = three(c1=20, c2=20, c3=20)
    assert {c: ring.route(task_for(c), busy, "pizza") for c in range(300)} == first
    assert first == {c: Ring(["c1", "c2", "c3"], 64).pick(c) for c in range(300)}


def test_ring_moves_customers_only_to_a_new_chef_or_from_a_gone_one() -> None:
    ring = router("ring")
    three_chefs, four_chefs = three(), [*three(), FakeChef("c4")]
    before = {c: ring.route(task_for(c), three_chefs, "pizza") for c in range(3000)}
    after = {c: ring.route(task_for(c), four_chefs, "pizza") for c in range(3000)}
    moved = {c for c in before if before[c] != after[c]}
    assert moved and all(after[c] == "c4" for c in moved)
    without_c2 = [four_chefs[0], *four_chefs[2:]]
    later = {c: ring.route(task_for(c), without_c2, "pizza") for c in range(3000)}
    assert {c for c in after if after[c] != later[c]} == {c for c in after if after[c] == "c2"}


POPULATION = 10_000


@pytest.mark.parametrize("n", range(2, 9))
def test_remapped_fraction_modulo_moves_almost_everyone(n: int) -> None:
    """n → n+1 members (or back, or dropping one from the middle): a customer keeps its member
    only when c % n and c % (n+1) agree on it, which by the Chinese remainder theorem happens for
    exactly n of every n(n+1) customers. So the moved share is exactly 1 - 1/(n+1) over whole
    periods; the last partial period of POPULATION shifts it by at most n(n+1)/POPULATION."""
    members = [f"c{i}" for i in range(n + 1)]
    tolerance = n * (n + 1) / POPULATION
    expected = 1 - 1 / (n + 1)
    for before, after in (
        (members[:n], members),
        (members, members[:n]),
        (members, members[:1] + members[2:]),
    ):
        moved = remapped_fraction(before, after, POPULATION, 64)["modulo"]
        exact = sum(modulo_pick(c, before) != modulo_pick(c, after) for c in range(POPULATION))
        assert moved == exact / POPULATION
        assert abs(moved - expected) <= tolerance, (before, after, moved)


@pytest.mark.parametrize("n", range(2, 9))
def test_remapped_fraction_ring_moves_about_one_in_n(n: int) -> None:
    """A joining member takes its own arcs, ~1/(n+1) of the ring. With v = 64 points per member
    an arc share is a sum of 64 spacings, relative sd ≈ 1/sqrt(64) = 12.5%, so ±50% is 4 sd;
    sampling 10,000 customers adds < 0.005. Modulo moves 1 - 1/(n+1): far more."""
    members = [f"c{i}" for i in range(n + 1)]
    expected = 1 / (n + 1)
    for before, after in ((members[:n], members), (members, members[:1] + members[2:])):
        moved = remapped_fraction(before, after, POPULATION, 64)
        assert 0.5 * expected <= moved["ring"] <= 1.5 * expected, (before, after, moved)
        assert moved["ring"] < moved["modulo"]


def test_remapped_fraction_with_no_members_is_total() -> None:
    assert remapped_fraction([], ["c1"], 100, 8) == {"modulo": 1.0, "ring": 1.0}
    assert remapped_fraction(["c1"], [], 100, 8) == {"modulo": 1.0, "ring": 1.0}
    assert remapped_fraction(["c1", "c2"], ["c1", "c2"], 100, 8) == {"modulo": 0.0, "ring": 0.0}


# ---------------------------------------------------------------------- engine remaps

CUSTOMERS = 4000
HASH_LAB = lab(
    shift_hours=3,
    regulars={"customers": CUSTOMERS},
    branch={"chefs": chefs("A", "B", "C", "D")},
    timeline=[{"kind": "leave", "at": 100, "duration": 20, "chef": "C"}],
)


def picks(sim: Simulation) -> dict[int, str]:
    """The chef the branch's router would give each customer right now."""
    branch = sim.branches[0]
    on_duty = branch.on_duty()
    router_now = sim.router(branch)
    return {c: router_now.route(task_for(c), on_duty, "pizza") for c in range(CUSTOMERS)}


@pytest.mark.parametrize("strategy", ["modulo", "ring"])
def test_engine_remap_meter_after_hire_fire_and_leave(strategy: str) -> None:
    """Each change of the chefs on duty logs a remap whose `actual` share is what the router
    really does to the customer population; the meter's modulo and ring figures show the lesson."""
    sim = Simulation(HASH_LAB, kitchen_strategy=strategy)
    changes: list[tuple[float, A.Action | None, int, int]] = [
        (30.0, A.Hire(specialty="generalist"), 4, 5),
        (60.0, A.Fire(chef="B"), 5, 4),
        (100.0, None, 4, 3),  # C's leave starts (timeline)
        (120.0, None, 3, 4),  # C is back
    ]
    for at, action, before_n, after_n in changes:
        sim.run_until(at)
        before = picks(sim)
        remaps = len(sim.remaps)
        if action is None:
            sim.run_until(at + 0.001)
        else:
            assert sim.apply(action).ok
        after = picks(sim)
        assert len(sim.remaps) == remaps + 1
        meter = sim.remaps[-1]
        assert (meter["time"], meter["before"], meter["after"]) == (at, before_n, after_n)
        actual = sum(before[c] != after[c] for c in range(CUSTOMERS)) / CUSTOMERS
        assert meter["actual"] == actual == meter[strategy]
        n = max(before_n, after_n)  # same bounds as the hashing tests above
        assert abs(meter["modulo"] - (1 - 1 / n)) <= n * (n - 1) / CUSTOMERS
        assert 0.5 / n <= meter["ring"] <= 1.5 / n


def test_remap_meter_without_a_hash_has_no_actual_share() -> None:
    """Regulars who know their chef put remaps in play even without a hashing router: the meter
    shows what hashing would move, with no actual share."""
    knowing = lab(
        shift_hours=3,
        regulars={"customers": CUSTOMERS, "chef_speedup": 0.9},
        branch={"chefs": chefs("A", "B", "C", "D")},
        timeline=[{"kind": "leave", "at": 100, "duration": 20, "chef": "C"}],
    )
    sim = Simulation(knowing, kitchen_strategy="least_loaded")
    sim.schedule([A.Hire(at=30, specialty="generalist")])
    sim.run()
    assert sim.remaps_matter()
    assert [(m["before"], m["after"]) for m in sim.remaps] == [(4, 5), (5, 4), (4, 5)]
    assert all(m["actual"] is None and m["modulo"] > m["ring"] for m in sim.remaps)
    assert len([e for e in sim.metrics.log if e.kind == "remap"]) == 3


def test_remaps_are_metered_only_where_hashing_is_in_play() -> None:
    """Where no regular knows their chef and no branch hashes customers, chefs coming and going
    remap nobody who cares: no meter entry, no remap line (so no consistent-hashing hint). A
    switch to a hashing router puts them in play from then on (issue #11, item 7)."""
    sim = Simulation(HASH_LAB, kitchen_strategy="least_loaded")
    sim.schedule([A.Hire(at=30, specialty="generalist")])
    sim.run()
    assert not sim.remaps_matter()
    assert sim.remaps == [] and not [e for e in sim.metrics.log if e.kind == "remap"]
    assert build_report(sim)["remaps"] == 0

    switched = Simulation(HASH_LAB, kitchen_strategy="least_loaded")
    switched.schedule([A.Hire(at=30), A.RouteKitchen(at=50, strategy="modulo")])
    switched.run()
    assert switched.remaps_matter()
    assert [(m["time"], m["before"], m["after"]) for m in switched.remaps] == [
        (100.0, 5, 4),
        (120.0, 4, 5),
    ]
    assert all(m["actual"] == m["modulo"] for m in switched.remaps)


# ------------------------------------------------------------------------- in a shift

# Three generalists, one exponential dish, steady demand at ~80% load: every strategy gets
# ~150 single-item orders, no order is lost, and chefs are often busy when an item arrives.
KITCHEN = lab(
    shift_hours=10,
    demand={"rate_per_hour": 15},
    menu={"pizza": {"price": 10, "cook_minutes": 10, "service": "exponential"}},
    regulars={"customers": 500},
    branch={"chefs": chefs("A", "B", "C")},
)


def shift_tasks(strategy: str) -> list[Task]:
    """Every item of a KITCHEN shift, in the order its order was placed."""
    sim, done = run(KITCHEN, strategy=strategy)
    assert sim.metrics.lost == 0
    tasks = [task for order in sorted(done, key=lambda o: o.id) for task in order.tasks]
    assert len(tasks) > 100
    return tasks


def test_shared_in_a_shift_uses_one_line() -> None:
    tasks = shift_tasks("shared")
    assert {task.key for task in tasks} == {SHARED_QUEUE}
    assert {task.chef for task in tasks} == {"c1", "c2", "c3"}


@pytest.mark.parametrize("strategy", ["random", "round_robin", "least_loaded", "modulo", "ring"])
def test_push_strategies_cook_each_item_where_they_sent_it(strategy: str) -> None:
    tasks = shift_tasks(strategy)
    assert all(task.chef == task.key for task in tasks)


def test_random_in_a_shift_spreads_items_evenly() -> None:
    tasks = shift_tasks("random")
    shares = Counter(task.key for task in tasks)
    # ~150 picks: a share's binomial sd is ≈ 0.04; 0.15 is almost 4 sd.
    assert all(abs(n / len(tasks) - 1 / 3) < 0.15 for n in shares.values()), shares


def test_round_robin_in_a_shift_cycles() -> None:
    tasks = shift_tasks("round_robin")
    assert [task.key for task in tasks] == [f"c{1 + i % 3}" for i in range(len(tasks))]


def test_least_loaded_in_a_shift_picks_the_least_loaded_chef() -> None:
    sim = Simulation(KITCHEN, kitchen_strategy="least_loaded")
    team = sim.branches[0].chefs
    all_busy = 0
    while True:
        loads = [chef.load for chef in team]
        placed = sim.metrics.placed
        if not sim.loop.step():
            break
        if sim.metrics.placed > placed:
            key = sim.orders[placed].tasks[0].key
            assert key == team[loads.index(min(loads))].id, (loads, key)
            all_busy += min(loads) > 0
    assert all_busy > 0  # some items arrived when every chef was busy: the choice mattered


def test_weighted_in_a_shift_favours_the_faster_chef() -> None:
    two_speeds = lab(
        shift_hours=30,
        demand={"rate_per_hour": 15},
        staff={"speed_by_level": [1.0, 2.0], "wage_by_level": [0, 0], "upgrade_cost_by_level": [0]},
        branch={"chefs": [{"name": "A"}, {"name": "B", "level": 2}, {"name": "C"}]},
    )
    _, done = run(two_speeds, strategy="weighted")
    keys = Counter(task.key for order in done for task in order.tasks)
    total = sum(keys.values())
    # B is twice as fast: expected shares 1/4, 1/2, 1/4. ~450 picks, sd ≈ 0.024; 0.08 > 3 sd.
    assert abs(keys["c2"] / total - 0.5) < 0.08, keys
    assert abs(keys["c1"] / total - 0.25) < 0.08 and abs(keys["c3"] / total - 0.25) < 0.08


def test_hash_strategies_in_a_shift_follow_the_customer() -> None:
    modulo = shift_tasks("modulo")
    assert all(t.key == f"c{1 + t.customer % 3}" for t in modulo)
    ring = shift_tasks("ring")
    circle = Ring(["c1", "c2", "c3"], KITCHEN.regulars.ring_vnodes)
    assert all(t.key == circle.pick(t.customer) for t in ring)


def test_by_specialty_in_a_shift_keeps_dishes_with_their_team() -> None:
    """default_day: Mario cooks pizza, Luigi garlic bread, Sofia (generalist) helps both."""
    sim, done = run(scenario("default_day"), strategy="by_specialty")
    names = {chef.id: chef.name for chef in sim.chefs.values()}
    cooked = Counter(
        (names[task.chef], task.item)
        for order in done
        for task in order.tasks
        if task.chef is not None
    )
    assert cooked[("Mario", "pizza")] and cooked[("Luigi", "garlic_bread")]
    assert cooked[("Sofia", "pizza")] and cooked[("Sofia", "garlic_bread")]
    assert not cooked[("Mario", "garlic_bread")] and not cooked[("Luigi", "pizza")]


# ------------------------------------------------------------------------ branch routing

# Two branches, no random disruption; Central dark from 120 to 180.
TWO_BRANCHES = scenario("blackout_day", shift_hours=5)
NEAREST = {"centre": "Central", "south": "Central", "north": "North"}


def test_travel_table_gives_the_nearest_branches_assumed_here() -> None:
    for area, branch in NEAREST.items():
        times = {b.name: TWO_BRANCHES.travel_minutes(b.area, area) for b in TWO_BRANCHES.branches}
        assert min(times, key=times.__getitem__) == branch


def test_estimate_is_queue_plus_cooking_plus_travel() -> None:
    """`fastest` ranks branches by this estimate: waiting items shared among the chefs on duty,
    one mean cook time, and the drive plus handoff."""
    sim = Simulation(TWO_BRANCHES)
    menu = TWO_BRANCHES.menu
    cook = sum(i.cook_minutes * i.weight for i in menu.values()) / sum(
        i.weight for i in menu.values()
    )
    central, north = sim.branches
    handoff = TWO_BRANCHES.delivery.handoff_minutes
    assert sim.estimate_minutes(central, "centre") == pytest.approx(cook + 4 + handoff)
    assert sim.estimate_minutes(north, "centre") == pytest.approx(cook + 10 + handoff)
    sim.run_until(150)  # lunch: Central is dark, North carries its queue and Central's customers
    staff = sum(chef.on_duty for chef in north.chefs)
    assert north.waiting > 0
    queue = north.waiting / staff * cook
    assert sim.estimate_minutes(north, "south") == pytest.approx(queue + cook + 16 + handoff)
    for chef in list(north.chefs):
        assert sim.apply(A.Fire(chef=chef.id)).ok
    assert sim.estimate_minutes(north, "north") == float("inf")


def dark(order: Order) -> bool:
    return 120 <= order.placed < 180


def stranded(order: Order) -> bool:
    """Placed before Central went dark and not done when it did: it was waiting there."""
    return order.placed < 120 <= order.done_at and NEAREST[order.area] == "Central"


def test_nearest_with_failover_sends_dark_branch_orders_to_the_next() -> None:
    sim, done = run(TWO_BRANCHES)
    assert sim.metrics.losses[LossCause.BRANCH_DARK] == 0
    for order in done:
        if order.branch != NEAREST[order.area] and not dark(order):
            assert stranded(order) and order.branch == "North", (order.id, order.placed)
        else:
            expected = "North" if dark(order) else NEAREST[order.area]
            assert order.branch == expected, (order.id, order.area, order.placed)
    assert any(dark(o) and NEAREST[o.area] == "Central" for o in done)


def test_nearest_without_failover_loses_dark_branch_orders() -> None:
    sim, done = run(TWO_BRANCHES, actions=[A.RouteBranches(strategy="nearest", failover=False)])
    assert not sim.failover
    for order in done:
        assert order.branch == NEAREST[order.area]  # lost at Central's dark door, or served
        if dark(order) and NEAREST[order.area] == "Central":
            # Lost at the dark branch that would have taken it, which the log line names.
            assert order.cause is LossCause.BRANCH_DARK and order.done_at == order.placed
        elif order.cause is LossCause.BRANCH_DARK:  # waited in the dark until it gave up
            assert stranded(order) and order.done_at < 180
    assert sim.metrics.losses[LossCause.BRANCH_DARK] > 0


def test_fastest_picks_the_soonest_estimated_delivery() -> None:
    """Central is short of chefs: `fastest` sends some centre orders to North, `nearest` none.
    Each order goes to the branch whose estimate was lowest when it arrived."""
    crowded = scenario(
        "blackout_day",
        shift_hours=4,
        timeline=[],
        branches=[
            {**TWO_BRANCHES.branches[0].model_dump(), "chefs": [{"name": "Mario"}]},
            TWO_BRANCHES.branches[1].model_dump(),
        ],
        routing={"branch": "fastest"},
    )
    sim = Simulation(crowded)
    done = collect(sim)
    while True:
        estimates = {
            area: {b.name: sim.estimate_minutes(b, area) for b in sim.branches if b.serving}
            for area in crowded.areas
        }
        placed = sim.metrics.placed
        if not sim.loop.step():
            break
        if sim.metrics.placed > placed:
            order = sim.orders.get(placed) or next(o for o in done if o.id == placed)
            options = estimates[order.area]
            assert options[order.branch] == min(options.values()), (order.area, options)
    away = [o for o in done if o.area == "centre" and o.branch == "North"]
    assert away
    _, nearest = run(crowded, actions=[A.RouteBranches(strategy="nearest")])
    assert all(o.branch == NEAREST[o.area] for o in nearest if o.branch is not None)
