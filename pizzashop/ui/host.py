"""What screens may ask of the app that hosts them, as a small interface.

Screens never import the app (that made import cycles): they call `host(self)`, typed by this
protocol, which `PizzaShopApp` implements.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, cast

from textual.app import SystemCommand
from textual.dom import DOMNode

from pizzashop.player.career import Career, Standing
from pizzashop.ui.codex import Codex
from pizzashop.ui.game import Game


class Host(Protocol):
    codex: Codex
    live: bool
    """False in tests and snapshots: no wall-clock timer runs."""
    paused: bool
    """Shifts and the lab start paused."""
    offered: set[str]
    """Codex concepts already offered this session."""
    warned: set[str]
    """Scenarios whose first warning has already paused the game this session."""

    @property
    def career(self) -> Career: ...

    def record(self, game: Game) -> Standing | None: ...

    def start_shift(self, game: Game, brief: bool = True, source: Path | None = None) -> None: ...

    def show_title(self) -> None: ...


class Commanded(Protocol):
    """A screen with commands of its own for the command palette."""

    def commands(self) -> Iterable[SystemCommand]: ...


def host(node: DOMNode) -> Host:
    """The app running `node`, seen through the interface screens may use."""
    return cast(Host, node.app)
