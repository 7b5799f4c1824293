"""Loading scenario and action files, with one clear line per problem.

Every failure becomes an `InputError` naming the file, the field path and the problem, so the
command line can print it and exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pizzashop.sim.actions import Action, ActionFile
from pizzashop.sim.scenario import Scenario


class InputError(Exception):
    """Bad input from a file or an argument: `file: field: problem`."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def validation_error(source: str, error: ValidationError) -> InputError:
    """The first problem pydantic found, named by its field path."""
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    loc = tuple(part for part in first["loc"] if not str(part).startswith("function-"))
    if first["type"] == "reference":
        loc = (*loc, first["ctx"]["field"])
    if first["type"] == "union_tag_invalid":
        message = (
            f"unknown kind {first['input'].get('kind')!r}"
            if isinstance(first.get("input"), dict)
            else message
        )
    extra = len(error.errors()) - 1
    if extra:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return InputError(source, _field(loc), message)


def read_data(path: Path) -> dict[str, Any]:
    """Parse a TOML or JSON file into a dict, or raise an InputError saying why not."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "", "is a directory, not a file") from None
    except UnicodeDecodeError:
        raise InputError(source, "", "is not UTF-8 text") from None
    except OSError as error:
        raise InputError(source, "", error.strerror or "cannot be read") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(source, f"line {error.lineno}", f"bad JSON: {error.msg}") from None
        if isinstance(data, list):
            data = {"actions": data}
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise InputError(source, "", f"bad TOML: {error}") from None
    if not isinstance(data, dict):
        raise InputError(source, "", "expected a table or an object at the top")
    return data


def parse_scenario(data: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise validation_error(source, error) from None


def parse_actions(data: dict[str, Any], source: str) -> list[Action]:
    try:
        return list(ActionFile.model_validate(data).actions)
    except ValidationError as error:
        raise validation_error(source, error) from None


def load_actions(path: Path) -> list[Action]:
    return parse_actions(read_data(path), str(path))
