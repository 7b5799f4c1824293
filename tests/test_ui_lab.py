"""The queueing lab, played with Pilot: keys set λ, c and μ; the theory column is exactly
`pizzashop.sim.queueing`; the measured column is the sim's own run, and over a long fixed run it
lands near the theory and obeys Little's law."""

from __future__ import annotations

from collections import Counter
from statistics import fmean

import pytest
from test_ui_play import SIZE, playing

from pizzashop.sim.queueing import birth_death, mmc
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.lab import LAB_SPEEDS, Settings
from pizzashop.ui.lab_rows import UNSTABLE, Compare, Share
from pizzashop.ui.screens.lab import LabScreen
from pizzashop.ui.screens.title import TitleScreen
from pizzashop.ui.widgets.lab_panel import LabPanel

RUN_HOURS = 600


pytestmark = pytest.mark.usefixtures("home")


def results(screen: LabScreen) -> list[object]:
    return list(screen.query_one("#lab-results", LabPanel).rows)


def columns(screen: LabScreen) -> dict[str, tuple[str, str]]:
    """The five figures as {figure: (measured, theory)}."""
    return {
        row.label: (row.measured, row.theory)
        for row in results(screen)
        if isinstance(row, Compare) and not row.header
    }


def lab(app: PizzaShopApp) -> LabScreen:
    assert isinstance(app.screen, LabScreen)
    return app.screen


@playing
async def test_lab_keys_set_the_kitchen_and_theory_is_erlang_c() -> None:
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        screen = lab(app)
        assert screen.settings == Settings(arrivals=24, chefs=3, speed=10)
        await pilot.press("down", "plus", "up", "minus", "down", "down", "right")
        # λ steps by load: 24/h on 4 chefs at 10/h is ρ 0.6; one step down is ρ 0.5.
        assert screen.settings == Settings(arrivals=20, chefs=4, speed=11)
        await pilot.press("plus", "up", "minus", "up", "plus", "plus")
        lam = 25.2  # ρ 0.7 on 3 chefs at 12/h
        assert screen.settings == Settings(arrivals=lam, chefs=3, speed=12)
        sim = screen.game.sim
        assert sim.now == 0 and len(sim.chefs) == 3, "a new kitchen starts a new run"
        assert sim.scenario.demand.rate_per_hour == lam
        (item,) = sim.scenario.menu.values()
        assert item.cook_minutes == pytest.approx(5.0)

        exact = mmc(lam / 60, 12 / 60, 3)
        exact_shares = birth_death(lambda n: lam / 60, lambda n: min(n, 3) * 12 / 60)
        theory = {label: expected for label, (_, expected) in columns(screen).items()}
        assert theory == {
            "mean wait Wq": f"{exact.mean_wait:.2f} min",
            "P(wait)": f"{exact.p_wait:.1%}",
            "utilisation ρ": f"{lam / 36:.1%}",
            "in kitchen L": f"{exact.mean_in_system:.2f}",
            "λ·W (Little)": f"{exact.mean_in_system:.2f}",
        }

        await pilot.press("4")
        screen.tick(RUN_HOURS * 60 / LAB_SPEEDS[3])
        assert sim.now == RUN_HOURS * 60
        metrics = sim.metrics
        waits = metrics.waits
        measured = {label: value for label, (value, _) in columns(screen).items()}
        in_kitchen = (
            metrics.in_flight_area + metrics.in_flight * (sim.now - metrics.in_flight_since)
        ) / sim.now
        little = metrics.placed / sim.now * fmean(metrics.latencies)
        assert measured == {
            "mean wait Wq": f"{fmean(waits):.2f} min",
            "P(wait)": f"{sum(w > 0 for w in waits) / len(waits):.1%}",
            "utilisation ρ": f"{fmean(s.utilisation for s in metrics.samples):.1%}",
            "in kitchen L": f"{in_kitchen:.2f}",
            "λ·W (Little)": f"{little:.2f}",
        }
        # One fixed run of some 15,000 orders: it lands near the theory (the bounds are about
        # three standard deviations of such a run) and Little's law holds on it.
        assert len(waits) > 14_000
        assert fmean(waits) == pytest.approx(exact.mean_wait, rel=0.35)
        assert sum(w > 0 for w in waits) / len(waits) == pytest.approx(exact.p_wait, rel=0.06)
        assert in_kitchen == pytest.approx(exact.mean_in_system, rel=0.2)
        assert little == pytest.approx(in_kitchen, rel=0.02)

        shares = [row for row in results(screen) if isinstance(row, Share)]
        in_samples = Counter(sample.in_flight for sample in metrics.samples)
        for n, row in enumerate(shares[:-1]):
            assert row.theory == pytest.approx(exact_shares[n])
            assert row.measured == in_samples[n] / len(metrics.samples)
        assert shares[-1].n == f"{len(shares) - 1}+"
        assert sum(row.measured or 0 for row in shares) == pytest.approx(1.0)
        assert sum(row.theory or 0 for row in shares) == pytest.approx(1.0)

        seed = sim.seed
        await pilot.press("r")
        assert screen.game.sim.seed == seed + 1 and screen.game.sim.now == 0
        await pilot.press("escape")
        assert isinstance(app.screen, TitleScreen)


@playing
async def test_lab_says_when_the_kitchen_is_unstable() -> None:
    app = PizzaShopApp(paused=True, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        screen = lab(app)
        loads = []
        while screen.settings.utilisation < 1.0 - 1e-9:
            await pilot.press("plus")
            loads.append(round(screen.settings.utilisation, 2))
        assert screen.settings.utilisation == pytest.approx(1.0)
        near = [load for load in loads if load >= 0.9]
        assert len(near) >= 6, f"the climb near saturation can be explored: {loads}"
        assert columns(screen)["mean wait Wq"][1] == UNSTABLE
        assert all(theory == "" for _, theory in list(columns(screen).values())[1:])
        await pilot.press("minus")
        assert columns(screen)["mean wait Wq"][1].endswith(" min")
