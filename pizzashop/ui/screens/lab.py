"""The queueing lab: set λ, c and μ for an M/M/c kitchen and watch the simulation beside Erlang C.

Any change of a parameter starts the run again (figures from two kitchens would mix); `r` runs
the same kitchen on the next seed, to show how much one run varies. The wall-clock timer drives
the sim exactly as in a shift, at the lab's own speeds (a few thousand orders settle the
averages, so the fastest key runs hours a second).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen

from pizzashop.sim import Simulation
from pizzashop.ui.frames import FrameClock
from pizzashop.ui.game import Game
from pizzashop.ui.host import host
from pizzashop.ui.keys import SPEED
from pizzashop.ui.lab import LAB_SPEEDS, PARAMETERS, Meter, Settings, lab_scenario
from pizzashop.ui.lab_rows import clock_row, result_rows, setting_rows
from pizzashop.ui.widgets.footer import ShopFooter
from pizzashop.ui.widgets.lab_panel import LabPanel


class LabScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "select(-1)", "parameter", key_display="↑↓"),
        Binding("down,j", "select(1)", "parameter", show=False),
        Binding("minus,left", "change(-1)", "change", key_display="− +"),
        Binding("plus,equals_sign,right", "change(1)", "change", show=False),
        Binding("space", "pause", "pause"),
        *(
            Binding(str(key), f"speed({speed})", f"{speed}×", group=SPEED)
            for key, speed in enumerate(LAB_SPEEDS, start=1)
        ),
        Binding("full_stop", "step", "step", tooltip="advance one sim minute"),
        Binding("r", "reset", "new run", tooltip="the same kitchen on the next seed"),
        Binding("escape,t", "back", "title"),
    ]

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, live: bool = True, settings: Settings | None = None) -> None:
        super().__init__()
        self.live = live
        self.settings = settings or Settings()
        self.selected = 0
        scenario = lab_scenario(self.settings)
        self.game = Game(Simulation(scenario), speed=LAB_SPEEDS[1])
        self.meter = Meter(self.game.sim)
        self.frames = FrameClock(self.tick, lambda: self.game.next_change())

    def compose(self) -> ComposeResult:
        yield LabPanel(id="lab-status")
        with Horizontal(id="lab-main"):
            yield LabPanel(id="lab-settings")
            yield LabPanel(id="lab-results")
        yield ShopFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#lab-settings", LabPanel).border_title = "kitchen"
        self.query_one("#lab-results", LabPanel).border_title = "simulation beside theory"
        self.game.paused = host(self).paused
        self.update_panels()
        if self.live:
            self.frames.start(self)

    def on_resize(self) -> None:
        self.update_panels()

    # ----------------------------------------------------------------- time

    def tick(self, wall_seconds: float) -> None:
        """Run the kitchen for `wall_seconds` at the current speed, then repaint."""
        if self.game.tick(wall_seconds):
            self.update_panels()

    def update_panels(self) -> None:
        game = self.game
        self.query_one("#lab-status", LabPanel).show([clock_row(game.sim, game.speed, game.paused)])
        settings = self.query_one("#lab-settings", LabPanel)
        width = settings.scrollable_content_region.width
        settings.show(setting_rows(self.settings, self.selected, width))
        results = self.query_one("#lab-results", LabPanel)
        results.show(
            result_rows(self.settings, self.meter, results.scrollable_content_region.width)
        )

    def restart(self, seed: int | None = None) -> None:
        """A fresh run of the current kitchen (on `seed`, or the same seed as before)."""
        game = self.game
        sim = Simulation(lab_scenario(self.settings), seed=game.sim.seed if seed is None else seed)
        self.game = Game(sim, speed=game.speed, paused=game.paused)
        self.meter = Meter(sim)
        self.frames.reschedule()
        self.update_panels()

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            return self.game.paused
        return True

    def action_select(self, delta: int) -> None:
        self.selected = (self.selected + delta) % len(PARAMETERS)
        self.update_panels()

    def action_change(self, steps: int) -> None:
        settings = self.settings.changed(PARAMETERS[self.selected].name, steps)
        if settings != self.settings:
            self.settings = settings
            self.restart()

    def action_pause(self) -> None:
        self.game.paused = not self.game.paused
        self.frames.restart()
        self.refresh_bindings()
        self.update_panels()

    def action_speed(self, speed: int) -> None:
        self.frames.catch_up()  # the time since the last frame was played at the old speed
        self.game.speed = speed
        if self.game.paused:
            self.action_pause()
        else:
            self.frames.reschedule()
        self.update_panels()

    def action_step(self) -> None:
        self.game.step()
        self.update_panels()

    def action_reset(self) -> None:
        self.restart(self.game.sim.seed + 1)

    def action_back(self) -> None:
        self.dismiss()
