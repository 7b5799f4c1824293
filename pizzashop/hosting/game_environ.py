"""Each game's own environment in a process that runs several (table.py).

The game, Textual and Rich read `os.environ` when they need to know who plays (the player's
name, a room's seat), where the files go and what the terminal can do. In a shared process
`os.environ` is replaced by `GameEnviron`: a mapping that reads and writes the environment of
the game whose code is running, found through a context variable that each game's task (and
every task it starts) carries. Code outside any game sees the process's own environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar

CURRENT: ContextVar[dict[str, str] | None] = ContextVar("pizzashop_game_environ", default=None)
"""The environment of the game whose code runs now; None outside every game."""


class GameEnviron(MutableMapping[str, str]):
    """`os.environ` for a process of several games (see the module docstring). The process's
    own environment, for code outside the games, is the one it was installed over."""

    def __init__(self, process: MutableMapping[str, str]) -> None:
        self.process = process

    def _current(self) -> MutableMapping[str, str]:
        game = CURRENT.get()
        return self.process if game is None else game

    def __getitem__(self, name: str) -> str:
        return self._current()[name]

    def __setitem__(self, name: str, value: str) -> None:
        self._current()[name] = value

    def __delitem__(self, name: str) -> None:
        del self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._current()))

    def __len__(self) -> int:
        return len(self._current())

    def copy(self) -> dict[str, str]:
        return dict(self._current())


def install() -> GameEnviron:
    """Make `os.environ` the running game's (once; later calls return the installed view)."""
    if isinstance(os.environ, GameEnviron):
        return os.environ
    view = GameEnviron(os.environ)
    os.environ = view  # type: ignore[assignment]  # noqa: B003 (the view keeps the environment)
    return view
