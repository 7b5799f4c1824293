"""Where pizzashop keeps a player's files, and how it writes them without ever losing one.

`PIZZASHOP_HOME` overrides the user data directory (tests, workshops, several players on a host).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """`PIZZASHOP_HOME` (a `~` in it expanded: unit files and .env files pass it verbatim), else
    the platform's user data directory; created if missing."""
    home = os.environ.get("PIZZASHOP_HOME")
    if home:
        path = Path(home).expanduser()
    else:
        path = Path(platformdirs.user_data_dir("pizzashop", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune(folder: Path, keep: int, suffixes: tuple[str, ...] = (".json",)) -> None:
    """Remove the oldest files in `folder` beyond the newest `keep`. A file is a name ending in
    the first suffix, together with its companions (the same stem with each other suffix)."""
    first, companions = suffixes[0], suffixes[1:]
    found = []
    with contextlib.suppress(OSError):  # no folder yet
        for path in folder.glob(f"*{first}"):
            with contextlib.suppress(OSError):  # gone meanwhile
                if path.is_file():
                    found.append((path.stat().st_mtime, _in_number_order(path.name), path))
    found.sort(reverse=True)
    for _, _, path in found[max(keep, 0) :]:
        stem = path.name.removesuffix(first)
        for doomed in (path, *(path.with_name(stem + suffix) for suffix in companions)):
            doomed.unlink(missing_ok=True)


def _in_number_order(name: str) -> tuple[str | int, ...]:
    """`day-10` after `day-9`: for files written within one tick of a coarse file clock."""
    parts = re.split(r"(\d+)", name)  # text, number, text, …: numbers at the odd places
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
