"""Loading scenario and action files, with one clear line per problem.

Every failure becomes an `InputError` naming the file, the field path and the problem, so the
command line can print it and exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pizzashop.sim.actions import Action, ActionFile
from pizzashop.sim.scenario import Scenario


def one_line(text: str) -> str:
    """Escape newlines and other unprintable characters, so a message stays one terminal line."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape", "backslashreplace").decode()
        for char in text
    )


class InputError(Exception):
    """Bad input from a file or an argument: `file: field: problem`, always on one line."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: {field}" if field else source
        super().__init__(one_line(f"{where}: {problem}"))


_UNION_MEMBER = re.compile(r"constrained-\w+|[\w-]+\[.*\]")
"""Location parts pydantic adds for a union's members (`list[constrained-float]`), not fields."""


def _field(loc: tuple[Any, ...]) -> str:
    parts = (str(part) for part in loc)
    return ".".join(p for p in parts if not _UNION_MEMBER.fullmatch(p)) or "(top level)"


def _under(error: ErrorDetails, field: str) -> bool:
    path = _field(error["loc"])
    return path == field or path.startswith(f"{field}.")


def validation_error(source: str, error: ValidationError) -> InputError:
    """The first problem pydantic found, named by its field path.

    A union (`rate_per_hour`: a number or a list) reports one error per member. The one the
    author meant is the member of the right type, and the deepest: the bad value in the list,
    not "should be a number".
    """
    errors = error.errors()
    field = _field(errors[0]["loc"])
    alike = [e for e in errors if _under(e, field)]
    first = min(alike, key=lambda e: (e["type"].endswith(("_type", "_parsing")), -len(e["loc"])))
    message = first["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    loc = first["loc"]
    if first["type"] == "reference":
        loc = (*loc, first["ctx"]["field"])
    if first["type"] == "union_tag_invalid":
        message = (
            f"unknown kind {first['input'].get('kind')!r}"
            if isinstance(first.get("input"), dict)
            else message
        )
    extra = len({_field(e["loc"]) for e in errors if not _under(e, field)})
    if extra:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return InputError(source, _field(loc), message)


MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest file pizzashop reads for a user (scenario, actions, save, progress, router, keys):
far above any real one, and small enough that reading it can never exhaust memory."""


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file `path`, at most `limit` bytes, or an InputError.

    The file is opened without waiting (a FIFO would block until someone writes to it) and must
    be a regular file before a byte is read (`/dev/zero` never ends). At most one byte past the
    limit is read, so a file that grows while it is read, or a `/proc` file that claims to be
    empty, is refused too.
    """
    source = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(source, "", "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "", "is a directory, not a file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise InputError(source, "", _os_problem(error)) from None
    try:
        problem = not_regular(os.fstat(handle).st_mode)
        if problem:
            raise InputError(source, "", problem)
        with os.fdopen(handle, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError as error:
        raise InputError(source, "", _os_problem(error)) from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise InputError(source, "", f"larger than {limit:,} bytes; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(source, "", "is not UTF-8 text") from None


def not_regular(mode: int) -> str | None:
    """What is wrong with a file of `mode` (from stat) for reading as data, if anything."""
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, FIFO or socket)"
    return None


def _os_problem(error: OSError | ValueError) -> str:
    return getattr(error, "strerror", None) or str(error) or "cannot be read"


def parse_json(text: str, source: str) -> Any:
    """JSON text as Python values, or an InputError (bad syntax, huge numbers, deep nesting)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(source, f"line {error.lineno}", f"bad JSON: {error.msg}") from None
    except (ValueError, RecursionError) as error:
        raise InputError(source, "", f"bad JSON: {_parse_problem(error)}") from None


def read_data(path: Path, json_only: bool = False) -> dict[str, Any]:
    """Parse a TOML or JSON file (by its suffix, or JSON whatever its name when `json_only`)
    into a dict, or raise an InputError saying why not."""
    source = str(path)
    text = read_text(path)
    if json_only or path.suffix.lower() == ".json":
        data = parse_json(text, source)
        if isinstance(data, list):
            data = {"actions": data}
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise InputError(source, "", f"bad TOML: {error}") from None
        except (ValueError, RecursionError) as error:
            raise InputError(source, "", f"bad TOML: {_parse_problem(error)}") from None
    if not isinstance(data, dict):
        raise InputError(source, "", "expected a table or an object at the top")
    return data


def _parse_problem(error: ValueError | RecursionError) -> str:
    """What the parsers' own limits say: too many digits in a number, or nesting too deep."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).partition(";")[0] or "unreadable value"


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
