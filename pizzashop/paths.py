"""Where pizzashop keeps a player's files, and how it writes them without ever losing one.

`PIZZASHOP_HOME` overrides the user data directory (tests, workshops, several players on a host).
"""

from __future__ import annotations

import os
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
