"""Saved games and replays: a scenario, a seed and the player's timed actions — nothing else.

The engine is deterministic, so replaying the actions up to the saved minute restores a game
exactly, and a finished shift's file replays it at any speed. A save carries its whole scenario,
so it still loads when the scenario file has changed or was never bundled.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pizzashop.paths import write_atomic
from pizzashop.sim import KITCHEN_STRATEGIES, Action, Scenario, Simulation, build_report
from pizzashop.sim.actions import MAX_ACTIONS
from pizzashop.sim.files import read_data, validation_error

VERSION = 1


class SaveFile(BaseModel):
    """Strict, like scenario and action files: a boolean or text is never a number."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    version: int = Field(VERSION, ge=1, le=VERSION)
    kind: Literal["save", "replay"] = "save"
    scenario: Scenario
    seed: int = Field(ge=0, lt=2**63)
    kitchen_strategy: str | None = None

    @field_validator("kitchen_strategy")
    @classmethod
    def _known_strategy(cls, name: str | None) -> str | None:
        if name is not None and name not in KITCHEN_STRATEGIES:
            raise ValueError(
                f"unknown strategy {name!r} (choose from {', '.join(KITCHEN_STRATEGIES)})"
            )
        return name

    time: float = Field(ge=0)
    actions: list[Action] = Field(default_factory=list, max_length=MAX_ACTIONS)
    room: bool = False
    """Played in an instructor's room: its game-day disruptions replay too."""


def snapshot(sim: Simulation) -> SaveFile:
    return SaveFile(
        kind="replay" if sim.finished else "save",
        scenario=sim.scenario,
        seed=sim.seed,
        kitchen_strategy=sim.initial_strategy,
        time=sim.now,
        actions=[action for action, _ in sim.action_log],
        room=sim.room,
    )


def write_save(path: Path, sim: Simulation) -> None:
    write_atomic(path, snapshot(sim).model_dump_json(indent=1) + "\n")


def load_save(path: Path) -> SaveFile:
    data = read_data(path, json_only=True)
    try:
        return SaveFile.model_validate(data)
    except ValidationError as error:
        raise validation_error(str(path), error) from None


def _simulation(save: SaveFile) -> Simulation:
    return Simulation(
        save.scenario, seed=save.seed, kitchen_strategy=save.kitchen_strategy, room=save.room
    )


def new_game(save: SaveFile) -> Simulation:
    """A fresh simulation of the saved shift with its actions queued (for a replay)."""
    sim = _simulation(save)
    sim.schedule(save.actions)
    return sim


def restore(save: SaveFile) -> Simulation:
    """The saved game at the minute it was saved, ready to play on."""
    sim = _simulation(save)
    sim.schedule([action for action in save.actions if action.at < save.time])
    if save.kind == "replay":  # the shift had ended at this minute: end it here too
        sim.run()
    else:
        sim.run_until(save.time)
    for action in save.actions:
        if action.at == save.time:
            sim.apply(action)
    return sim


def _flatten(report: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, f"{name}.")
        elif isinstance(value, list):
            rows.append((name, json.dumps(value)))
        else:
            rows.append((name, value))
    return rows


def export_report(sim: Simulation, stem: Path) -> list[Path]:
    """Write `stem.json` (report and time series), `stem.csv` (metric,value) and
    `stem-timeline.csv` (the sampled time series). Returns the paths written."""
    report = build_report(sim)
    samples = [
        {key: round(value, 4) for key, value in sample._asdict().items()}
        for sample in sim.metrics.samples
    ]
    json_path = stem.with_name(stem.name + ".json")
    write_atomic(json_path, json.dumps({"report": report, "samples": samples}, indent=1) + "\n")
    flat = io.StringIO()
    writer = csv.writer(flat, lineterminator="\n")
    writer.writerow(["metric", "value"])
    writer.writerows(_flatten(report))
    csv_path = stem.with_name(stem.name + ".csv")
    write_atomic(csv_path, flat.getvalue())
    series = io.StringIO()
    writer = csv.writer(series, lineterminator="\n")
    if samples:
        writer.writerow(samples[0].keys())
        writer.writerows(sample.values() for sample in samples)
    timeline_path = stem.with_name(stem.name + "-timeline.csv")
    write_atomic(timeline_path, series.getvalue())
    return [json_path, csv_path, timeline_path]
