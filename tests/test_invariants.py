"""Invariants that hold after every event of any shift, whatever the player does.

Hypothesis draws action sequences (every kind, real and made-up targets, any time, so many are
refused). The shift is stepped one event at a time with `sim.loop.step()`, each action is applied
live at its time, and the whole state is checked after every step and every action.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from helpers import STRESS, action_lists, scenario, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pizzashop.sim import AgentState, ChefState, LossCause, Order, OrderState, Scenario, Simulation
from pizzashop.sim import actions as A
from pizzashop.sim.shop import WORKING

SCENARIOS: dict[str, Scenario] = {
    "stress": STRESS,
    "default_day": scenario("default_day", shift_hours=5),
    "blackout_day": scenario("blackout_day", shift_hours=4),
    "mmc_lab": scenario("mmc_lab", shift_hours=3),
}


class Checker:
    """Checks every invariant of a running sim; call it after each step or action."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.time = sim.now
        self.balance = sim.ledger.balance
        self.entries = sim.ledger.entries
        self.wages = self.rent = 0.0
        self.rates: tuple[float, float] | None = self._rates()
        self.done: dict[int, Order] = {}
        self.causes: Counter[LossCause] = Counter()
        sim.on_order_done = self._order_done

    def _order_done(self, order: Order) -> None:
        assert order.id not in self.done, f"order #{order.id} finished twice"
        assert order.id not in self.sim.orders, "a finished order is still in flight"
        if order.state is OrderState.LOST:
            assert isinstance(order.cause, LossCause), f"order #{order.id} lost without a cause"
            self.causes[order.cause] += 1
        else:
            assert order.state is OrderState.DELIVERED and order.cause is None
        self.done[order.id] = order

    def __call__(self) -> None:
        self.clock()
        self.orders()
        self.money()
        self.kitchens()

    def _rates(self) -> tuple[float, float]:
        """Wages and rent per hour right now (rates change only at the instant of an event)."""
        sim = self.sim
        wages = sum(c.pay.rate for c in sim.chefs.values())
        wages += sum(b.agent_pay.rate for b in sim.branches)
        return wages, sum(b.rent.rate for b in sim.branches)

    def clock(self) -> None:
        """The clock never goes back; meanwhile wages and rent accrue at the rates last seen."""
        now = self.sim.now
        assert now >= self.time, "the clock went back"
        if self.rates is not None:
            self.wages += self.rates[0] * (now - self.time) / 60.0
            self.rent += self.rates[1] * (now - self.time) / 60.0
        self.time = now
        self.rates = None if self.sim.finished else self._rates()

    def orders(self) -> None:
        sim, m = self.sim, self.sim.metrics
        assert m.placed == m.delivered + m.lost + m.in_flight
        assert len(sim.orders) == m.in_flight
        assert len(sim.orders) + len(self.done) == m.placed, "an order vanished"
        assert all(0 <= order_id < m.placed for order_id in sim.orders)
        assert sum(self.causes.values()) == m.lost and len(self.done) - m.lost == m.delivered
        assert self.causes == m.losses, "loss ledger disagrees with the lost orders"

    def money(self) -> None:
        ledger = self.sim.ledger
        assert math.isclose(ledger.balance, ledger.exact_balance(), rel_tol=1e-9, abs_tol=1e-6)
        if ledger.entries == self.entries:
            assert ledger.balance == self.balance, "money changed with no ledger entry"
        self.balance, self.entries = ledger.balance, ledger.entries

    def kitchens(self) -> None:
        sim = self.sim
        assert sim.chefs == {c.id: c for b in sim.branches for c in b.chefs}
        for chef in sim.chefs.values():
            assert (chef.state is ChefState.COOKING) == (chef.task is not None), chef.name
            assert (chef.state is ChefState.PREPPING) == (chef.prep_component is not None)
            assert chef.speed == sim.speed_at(chef.level)
            if chef.state is ChefState.ON_LEAVE or not chef.branch.is_open:
                wage = 0.0
            elif chef.state is ChefState.ON_CALL:
                wage = sim.wage_at(chef.level) * sim.staff.backup_retainer
            else:
                wage = sim.wage_at(chef.level)
            assert chef.pay.rate == wage, f"{chef.name} paid {chef.pay.rate} while {chef.state}"
        for branch in sim.branches:
            queued = [(key, task) for key, line in branch.pull.items() for task in line]
            queued += [(chef.id, task) for chef in branch.chefs for task in chef.queue]
            ids = {id(task) for _, task in queued}
            assert len(ids) == len(queued), "a task sits in two queues"
            assert branch.waiting == len(queued)
            for key, task in queued:
                assert task.key == key and task.started < 0
                assert task.order.branch == branch.name
            cooking = [c for c in branch.chefs if c.task is not None]
            for chef in cooking:
                assert id(chef.task) not in ids, "a task is cooking and queued"
                assert chef.task.chef == chef.id and chef.task.started >= 0
            if sim.finished:
                continue
            for task in [task for _, task in queued] + [chef.task for chef in cooking]:
                assert task.order is not None, "a finished order's item is queued or cooking"
                assert task.order is sim.orders[task.order_id], "an item lost its order"
            for order in sim.orders.values():
                if order.branch != branch.name:
                    continue
                if order.state in (OrderState.QUEUED, OrderState.COOKING):
                    placed = sum(t.order is order for _, t in queued)
                    placed += sum(c.task.order is order for c in cooking)
                    assert placed == order.remaining, f"order #{order.id} lost track of items"
                elif order.state is OrderState.READY:
                    assert sum(o is order for o in branch.ready) == 1
                elif order.state is OrderState.OUT:
                    carriers = [a for a in branch.agents if a.order is order]
                    assert len(carriers) == 1 and carriers[0].state is AgentState.OUT

    def finished(self) -> None:
        sim, m = self.sim, self.sim.metrics
        assert sim.finished
        assert m.in_flight == 0 and not sim.orders
        assert len(self.done) == m.placed == m.delivered + m.lost
        for branch in sim.branches:
            assert branch.waiting == 0
            assert not any(branch.pull.values())
            assert not any(chef.queue for chef in branch.chefs)
        assert m.samples[-1].queue == 0
        ledger = sim.ledger
        assert math.isclose(-ledger.total("wages"), self.wages, rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(-ledger.total("rent"), self.rent, rel_tol=1e-9, abs_tol=1e-6)


def play(sim: Simulation, actions: list[A.Action], check: Checker) -> None:
    """Step the shift event by event, applying each action live at its time."""
    for action in sorted(actions, key=lambda action: action.at):
        while (at := sim.loop.next_time()) is not None and at < action.at:
            sim.loop.step()
            check()
        sim.run_until(action.at)
        check()
        before = snapshot(sim)
        outcome = sim.apply(action)
        check()
        if not outcome.ok:
            assert outcome.reason, "a refusal must say why"
            assert snapshot(sim) == before, f"refused {action} changed the shop"
    while sim.loop.step():
        check()
    sim.run()
    check()


@pytest.mark.parametrize("name", list(SCENARIOS))
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(0, 2**20), data=st.data())
def test_invariants_hold_after_every_step(name: str, seed: int, data: st.DataObject) -> None:
    scenario = SCENARIOS[name]
    sim = Simulation(scenario, seed=seed)
    actions = data.draw(action_lists(sim.shift_end + 30), label="actions")
    check = Checker(sim)
    play(sim, actions, check)
    check.finished()


def test_nothing_is_left_queued_after_the_shift() -> None:
    """Sofia starts order #0's pizza at 6.0 and is fired at 7.0; the pizza goes back to the line,
    nobody is left to cook it, and the order is lost at close. Its item must leave the queue
    too, or the last chart sample shows a queue of 1 with nothing in flight. (Without the day's
    outage: when Central goes dark, the order waiting there fails over to North.)"""
    actions = [
        A.Fire(at=0, chef="Mario"),
        A.MarkBackup(at=0, chef="Luigi"),
        A.Fire(at=7, chef="Sofia"),
    ]
    sim = Simulation(SCENARIOS["blackout_day"].model_copy(update={"timeline": []}), seed=0)
    check = Checker(sim)
    play(sim, actions, check)
    check.finished()
    assert check.done[0].cause is LossCause.UNSERVED and check.done[0].started >= 0


def test_stress_scenario_exercises_the_engine() -> None:
    """Guard against the invariant runs going quiet: the stress shop really loses orders to many
    causes, so the checks above see queues, failover, leave and refunds, not an idle kitchen."""
    sim = Simulation(STRESS)
    check = Checker(sim)
    play(sim, [A.Hire(at=40, specialty="pizza"), A.OpenBranch(at=90, branch="South")], check)
    check.finished()
    causes = {cause for cause, n in sim.metrics.losses.items() if n}
    assert {LossCause.NO_ROUTE, LossCause.GAVE_UP, LossCause.STALE} <= causes
    assert sim.metrics.delivered > 0
    assert any(chef.state in WORKING for chef in sim.chefs.values())
