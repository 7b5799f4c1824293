"""The codex: each concept the game teaches, loaded from `assets/codex.toml`, and when it matters.

A concept lists its `moments`: action kinds, warning kinds and event names after which the game
offers it to the player.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

from pizzashop.sim.catalog import assets_dir
from pizzashop.sim.files import InputError

CODEX_FILE = "codex.toml"


@dataclass(frozen=True)
class Concept:
    id: str
    title: str
    summary: str
    body: str
    moments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The vertical-vs-horizontal scaling table."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Codex:
    concepts: tuple[Concept, ...]
    comparison: Comparison | None = None
    by_moment: dict[str, Concept] = field(default_factory=dict, compare=False)

    def concept(self, concept_id: str) -> Concept | None:
        return next((c for c in self.concepts if c.id == concept_id), None)

    def for_moment(self, moment: str) -> Concept | None:
        """The concept to offer after `moment` (the first that lists it)."""
        return self.by_moment.get(moment)


def load_codex() -> Codex:
    """The bundled codex; a broken file is an `InputError` naming it."""
    path = assets_dir() / CODEX_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        concepts = tuple(
            Concept(
                id=entry["id"],
                title=entry["title"],
                summary=entry["summary"],
                body=" ".join(entry["body"].split()),
                moments=tuple(entry.get("moments", ())),
            )
            for entry in data.get("concepts", [])
        )
        table = data.get("comparison")
        comparison = (
            Comparison(
                title=table.get("title", "Vertical vs horizontal scaling"),
                columns=tuple(table["columns"]),
                rows=tuple(tuple(row) for row in table["rows"]),
                note=table.get("note", ""),
            )
            if table
            else None
        )
    except FileNotFoundError:
        raise InputError(str(path), "", "the codex is missing") from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise InputError(str(path), "", f"not a valid codex ({error})") from None
    by_moment: dict[str, Concept] = {}
    for concept in concepts:
        for moment in concept.moments:
            by_moment.setdefault(moment, concept)
    return Codex(concepts, comparison, by_moment)
