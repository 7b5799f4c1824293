"""Bundled scenarios and campaign levels: found by name under `assets/`, or loaded from a path.

Levels live in `assets/levels/` as `NN_id.toml`; the number orders the campaign and the id (the
file name without it) is how players and graders name a level.
"""

from __future__ import annotations

from pathlib import Path

from pizzashop.sim.files import InputError, parse_scenario, read_data
from pizzashop.sim.scenario import Scenario

DEFAULT_SCENARIO = "default_day"


def assets_dir() -> Path:
    """`pizzashop/assets` in an installed wheel, the repository's `assets/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "assets", package.parent / "assets"):
        if (candidate / "scenarios").is_dir():
            return candidate
    raise InputError(str(package / "assets"), "", "the bundled assets are missing")


def bundled_scenarios() -> dict[str, Path]:
    return {path.stem: path for path in sorted((assets_dir() / "scenarios").glob("*.toml"))}


def bundled_levels() -> dict[str, Path]:
    """Campaign levels in play order, by id."""
    levels = sorted((assets_dir() / "levels").glob("[0-9][0-9]_*.toml"))
    return {path.stem[3:]: path for path in levels}


def load_scenario(ref: str | Path) -> Scenario:
    """A scenario from a file path, or a bundled scenario or level by name."""
    if not str(ref):
        raise InputError("scenario", "", "empty; give a bundled name or a file path")
    path = Path(ref)
    try:
        exists = path.exists()
    except (OSError, ValueError) as error:  # a name too long to look up, a NUL byte …
        raise InputError(str(ref), "", getattr(error, "strerror", None) or str(error)) from None
    if not exists:
        bundled = {**bundled_scenarios(), **bundled_levels()}
        if str(ref) not in bundled:
            names = ", ".join(bundled)
            raise InputError(str(ref), "", f"no such file, scenario or level (bundled: {names})")
        path = bundled[str(ref)]
    return parse_scenario(read_data(path), str(path))


def unchanged_bundled(scenario: Scenario) -> str | None:
    """The name of the bundled scenario or level that `scenario` is, unchanged (compared by
    content: a copy of a level's file that keeps its name but not its settings is not it)."""
    path = {**bundled_scenarios(), **bundled_levels()}.get(scenario.name)
    if path is None:
        return None
    try:
        bundled = parse_scenario(read_data(path), str(path))
    except InputError:
        return None
    return scenario.name if bundled == scenario else None
