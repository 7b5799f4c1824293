"""The level check: a search for ways to win a level without its concept (`pizzashop levels check`).

A level is *forced* when no strategy that leaves its concept out wins on more than one seed in
ten. The strategies searched are generated from the level file (`pizzashop.sim.moves` lists the
moves and when they are made): doing nothing, every move alone, and every pair of moves of
different kinds drawn from the best moves. The level's file says which actions are its concept
(`[lesson]`, docs/levels.md); a strategy that uses one is left out of that family and searched
instead for a way to earn the stars.

How the work is shared, exactly:
1. Every single move (and doing nothing) is played on the level's own seed and the next one
   (`SCREEN` seeds).
2. The pool: the `POOL` best single moves on those seeds, and the `PER_KIND` best moves of every
   kind. Every pair of pool moves of different kinds is played on the level's own seed
   (`PAIR_SCREEN`).
3. The `FINALISTS` best candidates, and every candidate that won a screening seed, are played on
   every seed; the level stops early once one of them wins on more than one seed in ten.
Candidates rank by the share of seeds they win, then by their mean distance past the main goal.
A run is kept, so no candidate plays one seed twice, and every candidate faces the same orders on
a seed (common random numbers). `--deep` skips the screening, for a level designer's slower look:
every single move on every seed, then every pair of the `DEEP_POOL` best of them on every seed.

Stars: a star is reachable when one concept-using strategy earns it (the main goal and that
star's goal both met) on at least half the seeds: the level's win proof, or the best of the
concept's own moves, alone or paired with the `POOL` best other moves (the `CONCEPT_POOL` best
of the concept's moves).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from pizzashop.sim.actions import Action
from pizzashop.sim.campaign import proof
from pizzashop.sim.catalog import load_scenario
from pizzashop.sim.engine import Simulation
from pizzashop.sim.files import InputError
from pizzashop.sim.moves import Move, moves, uses_concept
from pizzashop.sim.report import build_report, metric_value
from pizzashop.sim.scenario import Goal, Scenario

SEEDS = 11
SCREEN = 2
PAIR_SCREEN = 1
POOL = 10
PER_KIND = 3
FINALISTS = 24
DEEP_POOL = 40
CONCEPT_POOL = 4
STAR_FINALISTS = 2
TIERS = ("main", "bonus", "speed")


def margin(goal: Goal, figure: float | None) -> float:
    """How far a figure is past the goal in the goal's direction: positive when it is met."""
    if figure is None:
        return -math.inf
    if goal.min is not None:
        return figure - goal.min
    assert goal.max is not None  # a goal has one or the other (Goal validates it)
    return goal.max - figure


def bound(goal: Goal) -> dict[str, float]:
    return {"min": goal.min} if goal.min is not None else {"max": goal.max or 0.0}


@dataclass(frozen=True)
class Run:
    """One candidate on one seed: how far past each goal it got, and which goals it met."""

    margins: dict[str, float]
    met: dict[str, bool]
    refused: int

    def earned(self, tier: str) -> bool:
        """A star counts only with the main goal met."""
        return self.met["main"] and self.met.get(tier, False)


@dataclass
class Candidate:
    """A strategy: no move (doing nothing), one move, two, or a proof's whole action file."""

    moves: tuple[Move, ...]
    runs: dict[int, Run] = field(default_factory=dict)

    @property
    def actions(self) -> list[Action]:
        return [action for move in self.moves for action in move.actions]

    @property
    def label(self) -> str:
        return " + ".join(move.label for move in self.moves) or "do nothing"

    def wins(self, tier: str = "main") -> int:
        return sum(run.earned(tier) for run in self.runs.values())

    def rank(self, tier: str = "main") -> tuple[float, float]:
        """The share of seeds won, then the mean margin past that tier's goal: the key every
        search sorts by (a share, so candidates played on different numbers of seeds compare)."""
        margins = [run.margins[tier] for run in self.runs.values()]
        if not margins:
            return -math.inf, -math.inf
        return self.wins(tier) / len(margins), math.fsum(margins) / len(margins)


class Check:
    """The search on one level; `result()` is what `pizzashop levels check --json` prints."""

    def __init__(
        self, level: str, scenario: Scenario, seeds: int = SEEDS, deep: bool = False
    ) -> None:
        if scenario.goals is None or scenario.lesson is None:
            raise InputError(level, "", "only a level with goals and a [lesson] can be checked")
        self.level, self.scenario = level, scenario
        self.goals = {
            tier: goal for tier in TIERS if (goal := getattr(scenario.goals, tier)) is not None
        }
        self.goals |= {f"also.{i}": goal for i, goal in enumerate(scenario.goals.main.also)}
        self.seeds = [scenario.seed + offset for offset in range(seeds)]
        self.deep = deep
        self.played = 0

    # ------------------------------------------------------------------ runs

    def play(self, candidate: Candidate, seeds: Iterable[int]) -> None:
        for seed in seeds:
            if seed not in candidate.runs:
                candidate.runs[seed] = self._run(candidate.actions, seed)

    def _run(self, actions: list[Action], seed: int) -> Run:
        sim = Simulation(self.scenario, seed=seed)
        sim.schedule(actions)
        sim.run()
        report = build_report(sim)
        self.played += 1
        margins = {
            name: margin(goal, metric_value(report, goal.metric))
            for name, goal in self.goals.items()
        }
        refused = sum(not outcome.ok for _, outcome in sim.action_log)
        return Run(margins, report["goals"], refused)

    def hollow(self, candidate: Candidate) -> bool:
        """Wins the main goal on more than one seed in ten."""
        return candidate.wins() * 10 > len(self.seeds)

    # ---------------------------------------------------------------- search

    def search(self, family: Sequence[Candidate]) -> tuple[Candidate, list[Candidate]]:
        """The family's best candidate, played on every seed, and the pool of best single moves."""
        if self.deep:
            return self._search_deep(family)
        screen = self.seeds[:SCREEN]
        for candidate in family:
            self.play(candidate, screen)
        pool = _pool([c for c in family if c.moves], POOL)
        pairs = _pairs(pool)
        for candidate in pairs:
            self.play(candidate, screen[:PAIR_SCREEN])
        ranked = sorted([*family, *pairs], key=Candidate.rank, reverse=True)
        finalists = ranked[:FINALISTS] + [c for c in ranked[FINALISTS:] if c.wins()]
        for candidate in finalists:
            self.play(candidate, self.seeds)
            if self.hollow(candidate):
                return candidate, pool
        return max(finalists, key=Candidate.rank), pool

    def _search_deep(self, family: Sequence[Candidate]) -> tuple[Candidate, list[Candidate]]:
        """`--deep`: every single move on every seed, then every pair of the `DEEP_POOL` best."""
        for candidate in family:
            self.play(candidate, self.seeds)
            if self.hollow(candidate):
                return candidate, _pool([c for c in family if c.moves and c.runs], POOL)
        singles = sorted((c for c in family if c.moves), key=Candidate.rank, reverse=True)
        pairs = _pairs(singles[:DEEP_POOL])
        for candidate in pairs:
            self.play(candidate, self.seeds)
            if self.hollow(candidate):
                return candidate, _pool(singles, POOL)
        return max([*family, *pairs], key=Candidate.rank), _pool(singles, POOL)

    def stars(
        self, concept: list[Candidate], pool: list[Candidate], win: Candidate | None
    ) -> dict[str, Any]:
        """For each star, the concept-using strategy that earns it on the most seeds."""
        for candidate in concept:
            self.play(candidate, self.seeds[:SCREEN])
        leaders = sorted((c for c in concept if c.moves), key=Candidate.rank, reverse=True)
        pairs = [
            Candidate((*leader.moves, *other.moves))
            for leader in leaders[:CONCEPT_POOL]
            for other in pool[:POOL]
            if other.moves[0].kind != leader.moves[0].kind
        ]
        for candidate in pairs:
            self.play(candidate, self.seeds[:SCREEN])
        found: dict[str, Any] = {}
        for tier in TIERS:
            if tier not in self.goals:
                continue
            ranked = sorted([*concept, *pairs], key=lambda c: c.rank(tier), reverse=True)
            options = ([win] if win is not None else []) + ranked[:STAR_FINALISTS]
            for candidate in options:
                self.play(candidate, self.seeds)
            top = max(options, key=lambda c: c.wins(tier))
            found[tier] = {
                "reachable": top.wins(tier) * 2 >= len(self.seeds),
                "seeds_earned": top.wins(tier),
                "by": "win proof" if top is win else top.label,
                "actions": plain(top.actions),
            }
        return found

    def margins(self, candidate: Candidate, goal: str, worst: bool) -> float:
        """A proof's worst (or best) seed, measured past one goal."""
        self.play(candidate, self.seeds)
        figures = [run.margins[goal] for run in candidate.runs.values()]
        return round(min(figures) if worst else max(figures), 4)

    # ---------------------------------------------------------------- result

    def result(self) -> dict[str, Any]:
        lesson = self.scenario.lesson
        assert lesson is not None  # checked in __init__
        found = moves(self.scenario)
        family = [Candidate(())] + [Candidate((move,)) for move in found]
        free = [c for c in family if not uses_concept(lesson, c.actions)]
        concept = [c for c in family if uses_concept(lesson, c.actions)]
        best, pool = self.search(free)
        win, naive = _proof(self.level, "win"), _proof(self.level, "naive")
        main = self.goals["main"]
        result: dict[str, Any] = {
            "id": self.level,
            "concept": self.scenario.concept,
            "forced": not self.hollow(best),
            "seeds": self.seeds,
            "goal": {"metric": main.metric, **bound(main)},
            "best_without": {
                "label": best.label,
                "actions": plain(best.actions),
                "wins": best.wins(),
                "mean": self._mean_figure(best),
                "refused": sum(run.refused for run in best.runs.values()),
            },
            "win_margin": None if win is None else self.margins(win, "main", worst=True),
            "naive_margin": None if naive is None else self.margins(naive, "main", worst=False),
        }
        if main.also:
            result["also"] = [
                {
                    "goal": {"metric": goal.metric, **bound(goal)},
                    "win_margin": None if win is None else self.margins(win, name, worst=True),
                    "naive_margin": (
                        None if naive is None else self.margins(naive, name, worst=False)
                    ),
                }
                for name, goal in self.goals.items()
                if name.startswith("also.")
            ]
        result["stars"] = self.stars(concept, pool, win)
        result["searched"] = {"moves": len(found), "without": len(free), "runs": self.played}
        return result

    def _mean_figure(self, candidate: Candidate) -> float:
        """The mean main-goal figure (the margin turned back into the metric's own value)."""
        main = self.goals["main"]
        margins = [run.margins["main"] for run in candidate.runs.values()]
        mean = math.fsum(margins) / len(margins)
        figure = main.min + mean if main.min is not None else (main.max or 0.0) - mean
        return round(figure, 4)


def _pool(singles: list[Candidate], size: int) -> list[Candidate]:
    """The best `size` single moves, and the `PER_KIND` best moves of every kind."""
    ranked = sorted(singles, key=Candidate.rank, reverse=True)
    pool = ranked[:size]
    for kind in dict.fromkeys(c.moves[0].kind for c in ranked):
        best = [c for c in ranked if c.moves[0].kind == kind][:PER_KIND]
        pool += [c for c in best if c not in pool]
    return pool


def _pairs(singles: list[Candidate]) -> list[Candidate]:
    """Every pair of these single moves that are of different kinds, in a fixed order."""
    return [
        Candidate((first.moves[0], second.moves[0]))
        for i, first in enumerate(singles)
        for second in singles[i + 1 :]
        if first.moves[0].kind != second.moves[0].kind
    ]


def _proof(level: str, which: str) -> Candidate | None:
    actions = proof(level, which)
    if actions is None:
        return None
    return Candidate((Move(which, tuple(actions), f"the {which} proof"),))


def plain(actions: list[Action]) -> list[dict[str, Any]]:
    """Actions as the JSON an action file holds (defaults left out, the kind kept)."""
    return [
        {"kind": a.kind, **a.model_dump(exclude_defaults=True, exclude={"kind"})} for a in actions
    ]


def check_level(level: str, seeds: int = SEEDS, deep: bool = False) -> dict[str, Any]:
    """The check of one bundled level, as `pizzashop levels check LEVEL --json` prints it."""
    return Check(level, load_scenario(level), seeds, deep).result()


def passed(result: dict[str, Any]) -> bool:
    """A level passes the check when it is forced and every star is within the concept's reach."""
    return result["forced"] and all(star["reachable"] for star in result["stars"].values())


def check_levels(
    levels: list[str], seeds: int = SEEDS, jobs: int = 1, deep: bool = False
) -> list[dict[str, Any]]:
    """Check several bundled levels, `jobs` at a time in worker processes; results in order."""
    if jobs <= 1 or len(levels) <= 1:
        return [check_level(level, seeds, deep) for level in levels]
    # The biggest levels first, so that a worker is not left with the slowest one at the end.
    order = sorted(levels, key=lambda level: -len(moves(load_scenario(level))))
    # Spawned, not forked: a fork copies a parent's threads' locks (a test runner's, a server's).
    workers = min(jobs, len(levels))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {level: pool.submit(check_level, level, seeds, deep) for level in order}
        return [futures[level].result() for level in levels]
