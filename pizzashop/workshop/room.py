"""An instructor's room file: which level or scenario the class plays, on which seed, which
levels are open, the speeds a seat may pick, and whether everyone waits behind a start gate.

```toml
[room]
title = "Tuesday, system design"
level = "regulars"          # a level or a bundled scenario; or scenario = "my_day.toml"
seed = 42                   # the scenario's own when left out
unlock = "all"              # or a list of level ids: open on every seat's title screen
speeds = [1, 2, 4]          # the speeds a seat may pick (1, 2, 4, 8)
gate = true                 # wait in a lobby until `pizzashop room start`
self_pause = true           # a seat may pause itself (the room's pause holds everyone anyway)
```

Validated like every other file: unknown keys, wrong types and unknown levels are one line
naming the field. Text from the file (the title) is cleaned before it reaches any screen.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pizzashop.sim import InputError, Scenario, bundled_levels, bundled_scenarios, load_scenario
from pizzashop.sim.files import read_data, validation_error
from pizzashop.sim.pace import SPEEDS

TITLE_LIMIT = 60
NOTICE_LIMIT = 120
SEED_LIMIT = 2**63


def clean_line(text: str, limit: int = NOTICE_LIMIT) -> str:
    """Untrusted text as one plain line: printable characters only (no escapes, no control
    codes), spaces collapsed, at most `limit` characters. Screens show it without markup."""
    words = unicodedata.normalize("NFKC", text).split()
    kept = (("".join(ch for ch in word if ch.isprintable())) for word in words)
    return " ".join(word for word in kept if word)[:limit].strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RoomSettings(_Strict):
    title: str = Field("", max_length=200)
    level: str | None = Field(None, min_length=1, max_length=200)
    scenario: str | None = Field(None, min_length=1, max_length=4096)
    seed: int | None = Field(None, ge=0, lt=SEED_LIMIT)
    unlock: Literal["all"] | Annotated[list[str], Field(max_length=100)] = Field(
        default_factory=list
    )
    speeds: list[int] = Field(default_factory=lambda: list(SPEEDS), min_length=1, max_length=4)
    gate: bool = False
    self_pause: bool = True

    @field_validator("speeds")
    @classmethod
    def _speeds(cls, speeds: list[int]) -> list[int]:
        for speed in speeds:
            if speed not in SPEEDS:
                raise ValueError(f"{speed} is not a speed (choose from {list(SPEEDS)})")
        return sorted(set(speeds))

    @field_validator("unlock")
    @classmethod
    def _levels(cls, unlock: str | list[str]) -> str | list[str]:
        known = bundled_levels()
        for level in [] if isinstance(unlock, str) else unlock:
            if level not in known:
                raise ValueError(f"no level {level!r} (levels: {', '.join(known)})")
        return unlock

    @model_validator(mode="after")
    def _one_source(self) -> RoomSettings:
        if (self.level is None) == (self.scenario is None):
            raise ValueError("a room names exactly one of level or scenario")
        return self


class RoomFile(_Strict):
    room: RoomSettings


@dataclass(frozen=True)
class Room:
    """A room file, read and checked: the scenario loaded, the seed and open levels settled."""

    source: str
    title: str
    scenario: Scenario
    seed: int
    unlocked: tuple[str, ...]
    speeds: tuple[int, ...]
    gate: bool
    self_pause: bool

    @property
    def fastest(self) -> int:
        return max(self.speeds)

    def public(self) -> dict[str, Any]:
        """What every seat is told: enough to play the room's shift exactly alike."""
        return {
            "title": self.title,
            "scenario": self.scenario.model_dump(mode="json"),
            "seed": self.seed,
            "unlocked": list(self.unlocked),
            "speeds": list(self.speeds),
            "gate": self.gate,
            "self_pause": self.self_pause,
        }


def bundled_names() -> set[str]:
    return {*bundled_levels(), *bundled_scenarios()}


def is_room_data(data: dict[str, Any]) -> bool:
    """Whether parsed file contents are a room file (a `[room]` table) rather than a scenario
    or an action file."""
    return "room" in data


def parse_room(data: dict[str, Any], source: str, folder: Path | None = None) -> Room:
    """A room from parsed file contents; a `scenario` path is relative to `folder`."""
    try:
        settings = RoomFile.model_validate(data).room
    except ValidationError as error:
        raise validation_error(source, error) from None
    if settings.level is not None and settings.level not in bundled_names():
        problem = f"no level or bundled scenario {settings.level!r} (a file goes in scenario)"
        raise InputError(source, "room.level", problem)
    try:
        if settings.level is not None:
            scenario = load_scenario(settings.level)
        else:
            assert settings.scenario is not None
            path = Path(settings.scenario).expanduser()
            scenario = load_scenario(path if path.is_absolute() else (folder or Path()) / path)
    except InputError as error:
        field = "room.level" if settings.level is not None else "room.scenario"
        raise InputError(source, field, str(error)) from None
    unlocked = (
        tuple(bundled_levels())
        if settings.unlock == "all"
        else tuple(dict.fromkeys(settings.unlock))
    )
    title = clean_line(settings.title, TITLE_LIMIT) or clean_line(
        scenario.title or scenario.name, TITLE_LIMIT
    )
    return Room(
        source=source,
        title=title,
        scenario=scenario,
        seed=scenario.seed if settings.seed is None else settings.seed,
        unlocked=unlocked,
        speeds=tuple(settings.speeds),
        gate=settings.gate,
        self_pause=settings.self_pause,
    )


def load_room(path: Path) -> Room:
    """Read a room file, or raise an `InputError` naming the file, the field and the problem."""
    data = read_data(path)
    if not is_room_data(data):
        raise InputError(str(path), "room", "missing: a room file is a [room] table")
    return parse_room(data, str(path), path.parent)
