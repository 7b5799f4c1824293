"""A shift in play: the simulation plus the pace the player chose, and what happened lately.

The app owns wall time; the sim owns every rule. `Game` turns wall seconds into sim minutes at
the chosen speed, and gathers what happened since the screens last looked (new log lines, and
the moments after which the codex has something to say).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from pizzashop.sim import Action, LogEntry, LossCause, Outcome, Scenario, Simulation

SPEEDS = (1, 2, 4, 8)
MINUTES_PER_SECOND = 1.0
"""At 1× one sim minute passes per wall second: a 10-hour shift takes 10 minutes."""

LOG_MOMENTS = {"remap": "remap", "menu": "menu", "power": "outage", "staff": "leave"}
"""Event-log kinds, in the codex's words."""


@dataclass
class News:
    """What happened since the last look."""

    entries: list[LogEntry] = field(default_factory=list)
    moments: list[str] = field(default_factory=list)


@dataclass
class Game:
    """One shift being played: the sim, its speed, and whether it is paused."""

    sim: Simulation
    speed: int = 1
    paused: bool = False
    _log_seen: int = field(default=0, init=False)
    _losses_seen: int = field(default=0, init=False)
    _warnings_seen: frozenset[str] = field(default=frozenset(), init=False)
    _moments: list[str] = field(default_factory=list, init=False)

    @classmethod
    def start(
        cls, scenario: Scenario, seed: int | None = None, actions: Iterable[Action] = ()
    ) -> Game:
        """A fresh shift; `actions` (a previous game's log) replay at their own sim times."""
        sim = Simulation(scenario, seed=seed)
        sim.schedule(list(actions))
        return cls(sim)

    def retry(self, replay: bool = False) -> Game:
        """The same scenario and seed from the start, optionally replaying this game's actions."""
        actions = [action for action, _ in self.sim.action_log] if replay else []
        game = Game.start(self.sim.scenario, self.sim.seed, actions)
        game.speed = self.speed
        return game

    def allows(self, *kinds: str) -> bool:
        """Whether the scenario lets the player take any of these action kinds."""
        allowed = self.sim.scenario.allowed_actions
        return allowed is None or any(kind in allowed for kind in kinds)

    def tick(self, wall_seconds: float) -> float:
        """Advance by elapsed wall time × speed (nothing while paused); returns sim minutes run."""
        if self.paused or self.sim.finished or wall_seconds <= 0:
            return 0.0
        minutes = wall_seconds * self.speed * MINUTES_PER_SECOND
        self.sim.advance(minutes)
        return minutes

    def step(self) -> None:
        """One sim minute, paused or not (the single-step key)."""
        self.sim.advance(1.0)

    def apply(self, action: Action) -> Outcome:
        outcome = self.sim.apply(action)
        if outcome.ok:
            self._moments.append(action.kind)
        return outcome

    def news(self) -> News:
        """New log lines, and the codex moments among them, since the last call."""
        sim, metrics = self.sim, self.sim.metrics
        news = News(moments=self._moments)
        self._moments = []
        warnings = frozenset(kind for kind, _ in sim.warnings)
        news.moments += sorted(warnings - self._warnings_seen)
        self._warnings_seen = warnings
        fresh = metrics.log_total - self._log_seen
        self._log_seen = metrics.log_total
        if fresh > 0:
            log = metrics.log
            news.entries = list(islice(log, max(0, len(log) - fresh), None))
            news.moments += [LOG_MOMENTS[e.kind] for e in news.entries if e.kind in LOG_MOMENTS]
        losses = metrics.loss_times[self._losses_seen :]
        self._losses_seen += len(losses)
        for _, cause in losses:
            news.moments.append("stale" if cause is LossCause.STALE else "lost")
        return news
