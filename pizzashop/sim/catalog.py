"""Bundled scenarios: found by name under `assets/scenarios/`, or loaded from any path."""

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


def load_scenario(ref: str | Path) -> Scenario:
    """A scenario from a file path, or a bundled scenario by name."""
    path = Path(ref)
    if not path.exists():
        bundled = bundled_scenarios()
        if str(ref) not in bundled:
            names = ", ".join(bundled)
            raise InputError(str(ref), "", f"no such file or bundled scenario (bundled: {names})")
        path = bundled[str(ref)]
    return parse_scenario(read_data(path), str(path))
