"""Shared builders for the engine tests: scenarios as data, order fingerprints, state snapshots.

Scenarios are built from plain dicts validated by `Scenario`, so each test states exactly the shop
it needs; `lab` is a tiny shop with fixed cooking times whose timings a test can work out by hand.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from pizzashop.cli import main
from pizzashop.hosting.room import RoomHost
from pizzashop.sim import KITCHEN_STRATEGIES, Order, Scenario, Simulation, load_scenario
from pizzashop.sim import actions as A
from pizzashop.workshop.room import Room, parse_room

if TYPE_CHECKING:
    from pizzashop.hosting.probe import HostedServer

LAB: dict[str, Any] = {
    "name": "lab",
    "seed": 3,
    "shift_hours": 4,
    "on_time_minutes": 45,
    "money": 100_000,
    "demand": {"rate_per_hour": 6},
    "menu": {"pizza": {"price": 10, "cook_minutes": 10, "service": "fixed"}},
    "staff": {"generalist_factor": 1.0},
    "delivery": {"enabled": False},
    "branches": [{"name": "Central", "area": "centre", "chefs": [{"name": "Mario"}]}],
}


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` applied: nested dicts merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(name: str, **changes: Any) -> Scenario:
    """A bundled scenario with some settings changed (validated like a scenario file)."""
    return Scenario.model_validate(merge(load_scenario(name).model_dump(), changes))


def lab(branch: dict[str, Any] | None = None, **changes: Any) -> Scenario:
    """The tiny lab shop (one branch, one generalist, fixed 10-minute pizzas) with changes;
    `branch` changes its one branch key by key (a `branches` list replaces it)."""
    data = merge(LAB, changes)
    if branch is not None:
        data["branches"] = [merge(LAB["branches"][0], branch)]
    return Scenario.model_validate(data)


def chefs(*names: str, **fields: Any) -> list[dict[str, Any]]:
    """Chef specs with the same extra fields, e.g. `chefs("A", "B", specialty="pizza")`."""
    return [{"name": name, **fields} for name in names]


OrderPrint = tuple[int, int, str, tuple[str, ...], float, float | None, tuple[float, ...]]


def fingerprint(order: Order) -> OrderPrint:
    """What the customer asked for, independent of how the shop handled it."""
    return (
        order.id,
        order.customer,
        order.area,
        tuple(order.items),
        order.placed,
        order.patience,
        tuple(task.quantile for task in order.tasks),
    )


def collect(sim: Simulation) -> list[Order]:
    """Every order the sim finishes (delivered or lost), in the order they finish."""
    done: list[Order] = []
    sim.on_order_done = done.append
    return done


def run(
    scenario: Scenario,
    seed: int | None = None,
    strategy: str | None = None,
    actions: Iterable[A.Action] = (),
) -> tuple[Simulation, list[Order]]:
    """A whole shift headless, with the finished orders collected."""
    sim = Simulation(scenario, seed=seed, kitchen_strategy=strategy)
    done = collect(sim)
    sim.schedule(list(actions))
    sim.run()
    return sim, done


def snapshot(sim: Simulation) -> tuple:
    """Everything a player action could change, as a comparable value (not the logs)."""
    branches = tuple(
        (
            b.name,
            b.is_open,
            b.lit,
            b.strategy,
            tuple(b.prep),
            b.waiting,
            len(b.agents),
            b.agent_pay.rate,
            b.rent.rate,
            b.menu_version,
            tuple((key, tuple(id(t) for t in q)) for key, q in sorted(b.pull.items())),
            tuple(c.id for c in b.chefs),
        )
        for b in sim.branches
    )
    staff = tuple(
        (
            c.id,
            c.name,
            c.specialty,
            c.level,
            c.speed,
            c.backup,
            c.state,
            c.covering,
            c.pay.rate,
            c.token,
            tuple(id(t) for t in c.queue),
        )
        for c in sim.chefs.values()
    )
    return (
        sim.now,
        sim.ledger.balance,
        sim.ledger.entries,
        tuple(sim.ledger.causes().items()),
        branches,
        staff,
        sim.branch_strategy,
        sim.failover,
        len(sim.menu_versions),
        sim.loop.pending(),
        len(sim.remaps),
        tuple(sim.orders),
        tuple(id(sim.router(b)) for b in sim.branches),
    )


# Everything that can go wrong at once: three branches (one closed), a far area no branch reaches,
# a queue limit, patience, a backup, leave, two outages, a menu update with per-branch delays,
# random leave and outages, prep, regulars and little money (so some purchases are refused).
STRESS = Scenario.model_validate(
    {
        "name": "stress",
        "seed": 5,
        "shift_hours": 4,
        "money": 400,
        "areas": ["centre", "north", "south", "far"],
        "travel": {
            "centre": {"centre": 3, "north": 8, "south": 9, "far": 40},
            "north": {"north": 3, "south": 14, "far": 45},
            "south": {"south": 3, "far": 50},
        },
        "demand": {
            "rate_per_hour": [20, 45, 30, 25],
            "areas": {"centre": 4, "north": 3, "south": 2, "far": 1},
            "patience": {"mean_minutes": 20, "dist": "lognormal", "cv": 0.5},
        },
        "menu": {
            "pizza": {"price": 14, "cook_minutes": 9, "uses": "base", "prep_saving": 0.4},
            "garlic_bread": {"price": 5, "cook_minutes": 4, "weight": 0.2, "addon": 0.4},
        },
        "components": {"base": {"prep_minutes": 3, "shelf_life_minutes": 60, "cap": 8}},
        "delivery": {"max_travel_minutes": 20},
        "branches": [
            {
                "name": "Central",
                "area": "centre",
                "agents": 2,
                "queue_capacity": 8,
                "menu_delay_minutes": 10,
                "max_chefs": 6,
                "chefs": [
                    {"name": "Mario", "specialty": "pizza", "level": 2},
                    {"name": "Sofia"},
                    {"name": "Luigi", "specialty": "garlic_bread"},
                    {"name": "Anna", "backup": True},
                ],
                "prep": [{"start": 11, "end": 12, "component": "base", "target": 6}],
            },
            {
                "name": "North",
                "area": "north",
                "agents": 2,
                "menu_delay_minutes": 40,
                "chefs": [{"name": "Giulia", "specialty": "pizza"}, {"name": "Marco"}],
            },
            {
                "name": "South",
                "area": "south",
                "open": False,
                "open_cost": 250,
                "agents": 1,
                "chefs": [{"name": "Paolo"}],
            },
        ],
        "routing": {"kitchen": "by_specialty"},
        "regulars": {"customers": 200, "chef_speedup": 0.9, "branch_speedup": 0.95},
        "timeline": [
            {"kind": "rush", "at": 60, "duration": 30, "factor": 2},
            {"kind": "leave", "at": 30, "duration": 60, "chef": "Sofia"},
            {"kind": "leave", "at": 70, "duration": 40, "chef": "Mario"},
            {"kind": "outage", "at": 100, "duration": 25, "branch": "Central"},
            {"kind": "outage", "at": 150, "duration": 15, "area": "north"},
            {"kind": "menu_update", "at": 50, "item": "pizza", "cook_minutes": 11},
        ],
        "disruptions": {"leave_probability": 0.2, "outages": 1, "outage_minutes": 20},
    }
)


# ------------------------------------------------------------------ hypothesis strategies

CHEF_REFS = ("c1", "c2", "c3", "c4", "c5", "c7", "c9", "Mario", "Sofia", "Giulia", "Nobody")
BRANCH_REFS = (None, "Central", "North", "Nowhere")
SPECIALTIES = ("pizza", "garlic_bread", "generalist", "sushi")
ITEMS = ("pizza", "garlic_bread", "burger")


def action_strategy(last_minute: float) -> st.SearchStrategy[A.Action]:
    """Any action kind, aimed at real and made-up targets, at a time up to `last_minute`.

    Whole minutes are drawn often so actions share an instant with the engine's own events.
    """
    at = st.one_of(
        st.integers(0, int(last_minute)).map(float),
        st.floats(0, last_minute, allow_nan=False, allow_infinity=False),
    )
    chef = st.sampled_from(CHEF_REFS)
    branch = st.sampled_from(BRANCH_REFS)
    named_branch = st.sampled_from(BRANCH_REFS[1:])
    slot = st.builds(
        A.PrepSlot,
        start=st.sampled_from([0.0, 11.0, 12.0, 14.5, 20.0]),
        end=st.sampled_from([11.0, 12.5, 16.0, 21.0]),
        component=st.sampled_from(["base", "dough"]),
        target=st.integers(1, 50),
    )
    return st.one_of(
        st.builds(
            A.Hire,
            at=at,
            branch=branch,
            specialty=st.sampled_from(SPECIALTIES),
            name=st.sampled_from([None, None, "Mario", "Zed"]),
        ),
        st.builds(A.Fire, at=at, chef=chef),
        st.builds(A.Upgrade, at=at, chef=chef),
        st.builds(A.SetSpecialty, at=at, chef=chef, specialty=st.sampled_from(SPECIALTIES)),
        st.builds(A.MarkBackup, at=at, chef=chef, backup=st.booleans()),
        st.builds(
            A.RouteKitchen,
            at=at,
            strategy=st.sampled_from([*KITCHEN_STRATEGIES, "bogus"]),
            branch=branch,
        ),
        st.builds(
            A.RouteBranches,
            at=at,
            strategy=st.sampled_from(["nearest", "fastest", "bogus"]),
            failover=st.booleans(),
        ),
        st.builds(A.SetPrep, at=at, branch=branch, jobs=st.lists(slot, max_size=2)),
        st.builds(A.OpenBranch, at=at, branch=named_branch),
        st.builds(A.CloseBranch, at=at, branch=named_branch),
        st.builds(A.HireAgents, at=at, branch=branch, count=st.integers(1, 3)),
        st.builds(
            A.PushMenu,
            at=at,
            item=st.sampled_from(ITEMS),
            price=st.sampled_from([None, 0.0, 16.0]),
            cook_minutes=st.sampled_from([None, 3.0, 12.0]),
        ),
    )


def action_lists(last_minute: float, max_size: int = 12) -> st.SearchStrategy[list[A.Action]]:
    return st.lists(action_strategy(last_minute), max_size=max_size)


ERROR = "pizzashop: error: "


@dataclass
class Result:
    code: int
    out: str
    err: str


def invoke(*argv: str) -> Result:
    """Run the command line in-process, capturing both streams and argparse's own exits."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
    return Result(code, out.getvalue(), err.getvalue())


def rejected(result: Result, *needles: str) -> str:
    """Status 2, nothing on stdout, and exactly one stderr line holding every needle."""
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert result.err == lines[0] + "\n"
    assert lines[0].startswith(ERROR), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def room_file(**settings: Any) -> Room:
    """A room on blackout, seed 11 (as a room file would say it), with `settings` changed."""
    return parse_room({"room": {"level": "blackout", "seed": 11, **settings}}, "room.toml")


@contextlib.asynccontextmanager
async def serving_room(**settings: Any) -> AsyncIterator[RoomHost]:
    """The room's socket (`serve ssh --room` without SSH) in this event loop, for a test."""
    host = RoomHost(room_file(**settings), logging.getLogger("test-room"), max_seats=4)
    await host.start()
    try:
        yield host
    finally:
        await host.close()


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `check` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def denying(path: Path) -> Callable[..., int]:
    """`os.open` as if `path` were unreadable (tests run as root, where chmod denies nothing)."""
    real_open = os.open

    def fake_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(os.fsdecode(file)) == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)

    return fake_open


def returns_soon(call: Callable[[], Any], fifo: Path | None = None, timeout: float = 60.0) -> Any:
    """`call()`, which must come back within `timeout`: a test of something that used to hang
    fails instead of hanging the whole run.

    A reader stuck on the FIFO `fifo` (if given) is released by opening its other end.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY))  # the stuck reader sees end of file
            worker.join(timeout)
        raise AssertionError(f"still running after {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


ENVIRONMENT_REPORTER = """
import os
if os.environ.get("PIZZASHOP_HOSTED"):  # the games and their template, not the server
    import json
    import pizzashop.cli

    def main(argv=None, run=pizzashop.cli.main):
        from pizzashop.paths import data_dir

        seen = data_dir() / "seen"
        seen.mkdir(exist_ok=True)
        (seen / f"{os.getpid()}.json").write_text(json.dumps(dict(os.environ)))
        return run(argv)

    pizzashop.cli.main = main
"""


def reporting(folder: Path) -> dict[str, str]:
    """The environment for a server whose games write down the environment they run with (a
    forked game's /proc/PID/environ is its template's: the kernel keeps a process's first)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(ENVIRONMENT_REPORTER)
    return {"PYTHONPATH": str(folder)}


def environ(server: HostedServer, pid: int) -> dict[str, str]:
    """The environment game `pid` runs with, as it wrote it down (see `reporting`)."""
    seen = server.home / "seen" / f"{pid}.json"
    assert eventually(seen.exists), "the game wrote down its environment"
    found: dict[str, str] = json.loads(seen.read_text())
    return found
