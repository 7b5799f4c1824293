"""The compiled simulation (mypyc, see setup.py) is what runs, and it plays exactly like the
pure-Python sources it is built from."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import pizzashop

PROJECT = Path(__file__).parents[1] / "pyproject.toml"
COMPILED = tomllib.loads(PROJECT.read_text())["tool"]["pizzashop"]["compiled"]
PACKAGE = Path(pizzashop.__file__).parent
PURE = os.environ.get("PIZZASHOP_PURE", "") not in ("", "0")


def module_file(name: str) -> Path:
    return Path(importlib.import_module(f"pizzashop.sim.{name}").__file__ or "")


@pytest.mark.parametrize("name", COMPILED)
def test_the_hot_modules_are_compiled_unless_pure_python_was_asked_for(name: str) -> None:
    """An install that silently fell back to pure Python (no compiler) fails here, not in a
    benchmark."""
    assert module_file(name).suffix == (".py" if PURE else ".so")


@pytest.fixture(scope="module")
def pure_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's sources alone, with no compiled module, beside the bundled assets."""
    root = tmp_path_factory.mktemp("pure")
    shutil.copytree(
        PACKAGE, root / "pizzashop", ignore=shutil.ignore_patterns("*.so", "__pycache__")
    )
    assets = PACKAGE.parent / "assets"
    (root / "assets").symlink_to(assets if assets.is_dir() else PACKAGE / "assets")
    return root


def run_json(argv: list[str], pythonpath: Path | None, cwd: Path) -> bytes:
    """`pizzashop ARGV` printed output, run from `cwd` (not a checkout, whose package would come
    first on the path), with the pure copy first on the path when given."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    code = "import pizzashop.sim.engine as e, sys; print(e.__file__, file=sys.stderr)"
    where = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stderr
    assert where.strip().endswith(".py" if pythonpath or PURE else ".so"), where
    done = subprocess.run(
        [sys.executable, "-m", "pizzashop", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(PURE, reason="pure Python only: nothing compiled to compare")
@pytest.mark.parametrize(
    "argv",
    [
        ["run", "default_day", "--json"],
        ["run", "blackout_day", "--seed", "4", "--strategy", "ring", "--json"],
        ["run", "mmc_lab", "--seed", "2", "--json"],
        ["run", "delivery_crunch", "--actions", "{proofs}/delivery_crunch.win.toml", "--json"],
    ],
)
def test_compiled_and_pure_python_runs_are_byte_identical(
    argv: list[str], pure_copy: Path, tmp_path: Path
) -> None:
    """This also catches a stale build: a hot module edited in a checkout and not recompiled."""
    argv = [arg.format(proofs=pure_copy / "assets" / "levels" / "proofs") for arg in argv]
    compiled = run_json(argv, None, tmp_path)
    assert b'"orders_placed"' in compiled
    assert compiled == run_json(argv, pure_copy, tmp_path)


GAME_DAY = """
import json
from pizzashop.sim import Simulation, build_report, load_scenario
from pizzashop.sim import actions as A
sim = Simulation(load_scenario("blackout"), seed=42, room=True)
sim.schedule([A.Rush(at=33, factor=3.5, minutes=47), A.PowerOutage(at=61, branch="Central",
    minutes=25), A.ChefLeave(at=80, chef="Mario", minutes=40), A.PowerOutage(at=65.5,
    area="centre", minutes=9)])
sim.advance(17.3)
sim.apply(A.Hire(specialty="generalist"))
sim.run()
print(json.dumps(build_report(sim)), json.dumps([tuple(entry) for entry in sim.metrics.log]))
"""


@pytest.mark.skipif(PURE, reason="pure Python only: nothing compiled to compare")
def test_a_game_day_is_byte_identical_compiled_and_pure(pure_copy: Path, tmp_path: Path) -> None:
    """A room's disruptions (a rush re-timing the next arrival, outages over outages, a leave)
    play alike compiled or not: every seat of a room sees the same day."""
    outputs = []
    for pythonpath in (None, pure_copy):
        env = dict(os.environ)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        done = subprocess.run(
            [sys.executable, "-c", GAME_DAY], env=env, cwd=tmp_path, capture_output=True,
            check=True,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert b'"orders_placed"' in outputs[0] and b"game day" in outputs[0]
    assert outputs[0] == outputs[1]
