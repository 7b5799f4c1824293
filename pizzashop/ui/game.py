"""A shift in play: the simulation plus the pace the player chose, and what happened lately.

The app owns wall time; the sim owns every rule. `Game` turns wall seconds into sim minutes at
the chosen speed, and gathers what happened since the screens last looked (new log lines, and
the moments after which the codex has something to say).

A game is played, played in the sandbox (every action, no goals), or watched as a replay (its
actions come from the file; the player cannot act). In a versus game a rival shift of the same
scenario and seed runs a routing strategy in lockstep: the same orders, no player actions.

In an instructor's room (`room`), the room may hold the game (its pause, which the player cannot
lift), limit the speeds and forbid the player's own pause; its game-day disruptions are actions
of the simulation, scheduled at the room's minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice

from pizzashop.player.saves import SaveFile, new_game, restore
from pizzashop.sim import (
    Action,
    InputError,
    LogEntry,
    LossCause,
    Outcome,
    Scenario,
    Simulation,
    bundled_levels,
    bundled_scenarios,
    load_scenario,
)
from pizzashop.sim.pace import MINUTES_PER_SECOND, SPEEDS

LOG_MOMENTS = {"remap": "remap", "menu": "menu", "power": "outage", "staff": "leave"}
"""Event-log kinds, in the codex's words."""
HOLD_SECONDS = 6.0
HOLD_MINUTES = 3.0
"""A warning that has cleared stays listed (as cleared) for this much played wall time and sim
time, so that at 8× it is up long enough to read, and the panel never says "all calm" beside a
log that has just warned."""


class Mode(StrEnum):
    PLAY = "play"
    SANDBOX = "sandbox"
    REPLAY = "replay"


def sandbox(scenario: Scenario) -> Scenario:
    """The scenario with every action allowed and no goals."""
    return scenario.model_copy(update={"allowed_actions": None, "goals": None})


def is_sandbox(scenario: Scenario) -> bool:
    """Whether this is the sandbox copy of a bundled scenario or level (e.g. in a save)."""
    path = {**bundled_scenarios(), **bundled_levels()}.get(scenario.name)
    if path is None:
        return False
    try:
        bundled = load_scenario(path)
    except InputError:
        return False
    return bundled != scenario and sandbox(bundled) == scenario


@dataclass
class News:
    """What happened since the last look."""

    entries: list[LogEntry] = field(default_factory=list)
    moments: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    """The text of each warning raised since the last look."""


@dataclass
class HeldWarning:
    """A warning as the panel lists it: raised at a sim time, and cleared or still up."""

    kind: str
    branch: str
    text: str
    raised: float
    cleared: float | None = None
    cleared_wall: float = 0.0


@dataclass
class Game:
    """One shift being played: the sim, its speed, and whether it is paused."""

    sim: Simulation
    speed: int = 1
    paused: bool = False
    mode: Mode = Mode.PLAY
    rival: Simulation | None = None
    """The algorithm's shift in a versus game."""
    held: bool = False
    """Paused by the instructor's room: time stands still until the room resumes."""
    speeds: tuple[int, ...] = SPEEDS
    """The speeds the player may pick (a room may allow fewer)."""
    self_pause: bool = True
    """Whether the player may pause (a room may forbid it; its own pause holds everyone)."""
    _log_seen: int = field(default=0, init=False)
    _losses_seen: int = field(default=0, init=False)
    _warnings_seen: frozenset[str] = field(default=frozenset(), init=False)
    _moments: list[str] = field(default_factory=list, init=False)
    wall: float = field(default=0.0, init=False)
    """Wall seconds played (not paused) so far."""
    warnings: dict[tuple[str, str], HeldWarning] = field(default_factory=dict, init=False)
    """Warnings up now, and those cleared too recently to drop (see HOLD_SECONDS)."""

    @classmethod
    def start(
        cls,
        scenario: Scenario,
        seed: int | None = None,
        actions: Iterable[Action] = (),
        *,
        mode: Mode = Mode.PLAY,
        versus: str | None = None,
        room: bool = False,
    ) -> Game:
        """A fresh shift; `actions` (a previous game's log) replay at their own sim times;
        `versus` names the routing strategy of a rival shift on the same orders; `room`: a seat
        in an instructor's room (its game-day disruptions apply)."""
        if mode is Mode.SANDBOX:
            scenario = sandbox(scenario)
        sim = Simulation(scenario, seed=seed, room=room)
        sim.schedule(list(actions))
        rival = None
        if versus is not None:
            rival = Simulation(scenario, seed=sim.seed, kitchen_strategy=versus)
        return cls(sim, mode=mode, rival=rival)

    @classmethod
    def resume(cls, save: SaveFile) -> Game:
        """A saved game at the minute it was saved, paused (a sandbox save stays a sandbox)."""
        mode = Mode.SANDBOX if is_sandbox(save.scenario) else Mode.PLAY
        return cls(restore(save), paused=True, mode=mode)

    @classmethod
    def replay(cls, save: SaveFile) -> Game:
        """A finished shift watched from the start, its actions taken from the file."""
        return cls(new_game(save), paused=True, mode=Mode.REPLAY)

    @property
    def versus(self) -> str | None:
        """The rival's routing strategy, in a versus game."""
        return None if self.rival is None else self.rival.initial_strategy

    def retry(self, replay: bool = False) -> Game:
        """The same scenario and seed from the start (against the same rival), or a replay of
        this game's actions."""
        if replay:
            actions = [action for action, _ in self.sim.action_log]
            game = Game.start(
                self.sim.scenario, self.sim.seed, actions, mode=Mode.REPLAY, room=self.sim.room
            )
        else:
            scenario = self.sim.scenario
            mode = Mode.SANDBOX if is_sandbox(scenario) else Mode.PLAY
            game = Game.start(scenario, self.sim.seed, mode=mode, versus=self.versus)
        game.speed = self.speed
        game.paused = True
        return game

    @property
    def seated(self) -> bool:
        """Played in an instructor's room (not a replay of such a game)."""
        return self.sim.room and self.mode is not Mode.REPLAY

    def allows(self, *kinds: str) -> bool:
        """Whether the player may take any of these action kinds (never during a replay)."""
        if self.mode is Mode.REPLAY:
            return False
        allowed = self.sim.scenario.allowed_actions
        return allowed is None or any(kind in allowed for kind in kinds)

    def tick(self, wall_seconds: float) -> float:
        """Advance by elapsed wall time × speed (nothing while paused); returns sim minutes run."""
        if self.paused or self.held or self.sim.finished or wall_seconds <= 0:
            return 0.0
        minutes = wall_seconds * self.speed * MINUTES_PER_SECOND
        self.wall += wall_seconds
        self.sim.advance(minutes)
        self.keep_pace()
        return minutes

    def step(self) -> None:
        """One sim minute, paused or not (the single-step key)."""
        self.sim.advance(1.0)
        self.keep_pace()

    def keep_pace(self) -> None:
        """The rival runs to the same sim minute; once the player's shift is over, to its end."""
        if self.rival is not None:
            if self.sim.finished:
                self.rival.run()
            else:
                self.rival.run_until(self.sim.now)

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
        news.warned = self._hold_warnings(news.entries)
        losses = metrics.loss_times[self._losses_seen :]
        self._losses_seen += len(losses)
        for _, cause in losses:
            news.moments.append("stale" if cause is LossCause.STALE else "lost")
        return news

    def _hold_warnings(self, entries: list[LogEntry]) -> list[str]:
        """Bring `warnings` up to date with the sim's and the log's; returns the new ones."""
        sim, now, held = self.sim, self.sim.now, self.warnings
        raised: list[str] = []
        for entry in entries:  # raised in the log, perhaps cleared again before this frame
            if entry.kind != "warning":
                continue
            key = next(
                (
                    k
                    for k, text in sim.warnings.items()
                    if k[1] == entry.branch and text == entry.text
                ),
                ("", f"{entry.branch}: {entry.text}"),
            )
            held[key] = HeldWarning(key[0], entry.branch, entry.text, entry.time)
            raised.append(entry.text)
        for key, text in sim.warnings.items():
            warning = held.get(key)
            if warning is None or warning.cleared is not None:
                held[key] = HeldWarning(key[0], key[1], text, now)
            else:
                warning.text = text
        for key, warning in list(held.items()):
            if key in sim.warnings:
                continue
            if warning.cleared is None:
                warning.cleared, warning.cleared_wall = now, self.wall
            elif (
                now - warning.cleared >= HOLD_MINUTES
                and self.wall - warning.cleared_wall >= HOLD_SECONDS
            ):
                del held[key]
        return raised
