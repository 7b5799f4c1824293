"""The campaign: the bundled levels in play order, and the debrief filled in from a shift's report.

A debrief is written by a level designer, so it may only name report figures — `{goodput:.0%}`,
`{orders_lost.gave_up}` — never reach Python objects: no attribute access, no indexing, no
conversions. A placeholder it cannot fill stays visible as written, so a typo shows up in the
game instead of crashing the end of a shift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pizzashop.sim.actions import Action
from pizzashop.sim.catalog import assets_dir, bundled_levels
from pizzashop.sim.files import load_actions, parse_scenario, read_data
from pizzashop.sim.scenario import Scenario

# `{{` and `}}` are literal braces; `{name}` or `{name:spec}` is a placeholder (no nested braces).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# Fill, align, sign, #, 0, width, grouping, precision and type: plain format-spec characters only,
# with widths and precisions of at most two digits so a spec cannot ask for a huge string.
_SPEC = re.compile(r"(?:[^{}]?[<>=^])?[+\- ]?#?0?(?:[1-9][0-9]?)?[,_]?(?:\.[0-9]{1,2})?[a-zA-Z%]?")
_BLANK_LINE = re.compile(r"\n\s*\n")
MISSING = "n/a"
_ABSENT = object()


@dataclass(frozen=True)
class Level:
    """One campaign level as menus and `pizzashop levels` list it."""

    number: int
    id: str
    title: str
    concept: str
    path: Path

    def as_json(self) -> dict[str, Any]:
        """Plain values for `--json` output (the path as a string)."""
        return {
            "number": self.number,
            "id": self.id,
            "title": self.title,
            "concept": self.concept,
            "path": str(self.path),
        }


def levels() -> list[Level]:
    """Every bundled level in play order; a level file that does not validate raises InputError."""
    found = []
    for number, (level_id, path) in enumerate(bundled_levels().items(), start=1):
        scenario = parse_scenario(read_data(path), str(path))
        found.append(Level(number, level_id, scenario.title, scenario.concept, path))
    return found


def proof(level: str, which: str) -> list[Action] | None:
    """A level's machine-played proof, `win` (uses the concept) or `naive` (a plausible move that
    ignores it), from `assets/levels/proofs/`; None when the level has none."""
    path = assets_dir() / "levels" / "proofs" / f"{level}.{which}.toml"
    return load_actions(path) if path.is_file() else None


def render_debrief(scenario: Scenario, report: dict[str, Any]) -> str:
    """The level's debrief with each `{field}` / `{field:spec}` replaced by the report's figure.

    Lines are hard-wrapped in the level file for editing; each paragraph comes back as one line
    so the screen can wrap it to its own width.
    """
    paragraphs = (" ".join(part.split()) for part in _BLANK_LINE.split(scenario.debrief))
    text = "\n\n".join(part for part in paragraphs if part)
    return _TOKEN.sub(lambda match: _fill(match, report), text)


def _fill(match: re.Match[str], report: dict[str, Any]) -> str:
    token = match.group(0)
    if token == "{{":
        return "{"
    if token == "}}":
        return "}"
    name, _, spec = match.group(1).partition(":")
    if not _NAME.fullmatch(name) or not _SPEC.fullmatch(spec):
        return token
    value = _lookup(report, name)
    if value is _ABSENT:
        return token
    if value is None:
        return MISSING
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return token


def _lookup(report: dict[str, Any], name: str) -> object:
    """A scalar report figure by dotted key, through dicts only; anything else is absent."""
    value: Any = report
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _ABSENT
