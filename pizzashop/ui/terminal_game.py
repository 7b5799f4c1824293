"""One game of a process that runs several, each on a terminal of its own (hosting/table.py).

What `pizzashop` without arguments starts in a seat of its own — the title screen, or the
lobby of the room the environment names — here on `terminal` (tty_driver.py), with its
failures kept to itself (crash.py: its player reads one line, the host keeps the report).
"""

from __future__ import annotations

import contextlib
import os
import signal

from pizzashop.crashes import CRASHED
from pizzashop.ui.app import PizzaShopApp
from pizzashop.ui.codex import load_codex
from pizzashop.ui.crash import run_hosted_app
from pizzashop.ui.seat import seat_from_environment
from pizzashop.ui.tty_driver import TtyDriver, on_terminal

HUNG_UP = -signal.SIGHUP
"""The status of a game whose terminal hung up: as for a game process ended by SIGHUP."""
DRAIN_SECONDS = 2.0
"""Seconds a game's last output may take to reach its terminal before the game is gone."""


class TerminalGame:
    """A game on `terminal` (which it closes when it ends), its crash report named `name`."""

    def __init__(self, terminal: int, name: str) -> None:
        self.terminal = terminal
        self.name = name
        self.hung_up = False
        self.app: PizzaShopApp | None = None
        self.driver: TtyDriver | None = None

    async def play(self) -> int:
        """Run the game to its end; returns its exit status."""
        try:
            os.set_blocking(self.terminal, False)  # never to hold up the process's other games
            self.app = PizzaShopApp(codex=load_codex(), seat=seat_from_environment())
            self.app.driver_class = on_terminal(self.terminal, self)
            if self.hung_up:
                return HUNG_UP
            status = await run_hosted_app(self.app, self._goodbye, self.name)
            if self.driver is not None:
                await self.driver.drained(DRAIN_SECONDS)
        finally:  # also when the table cancels a game that did not end when told
            if self.driver is not None:
                self.driver.release()
            with contextlib.suppress(OSError):
                os.close(self.terminal)
        return HUNG_UP if self.hung_up else status

    def attach(self, driver: TtyDriver) -> None:
        self.driver = driver

    def resized(self) -> None:
        if self.driver is not None:
            self.driver.resized()

    def hang_up(self) -> None:
        """The player's terminal is gone: end the game, as a hang-up ends a game's process
        (before it runs, too: then it never does)."""
        self.hung_up = True
        if self.app is not None:
            self.app.exit(return_code=1)

    def _goodbye(self) -> None:
        """After the app has put the terminal back: never blocks (one slow terminal must not
        hold up the process's other games)."""
        line = f"{CRASHED}\r\n"
        if self.driver is not None:
            self.driver.write(line)
            return
        with contextlib.suppress(OSError):
            os.write(self.terminal, line.encode())
