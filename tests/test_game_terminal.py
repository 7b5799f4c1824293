"""The game on a local player's own terminal (a pty of the test's, no server in between): bytes
that are not UTF-8 never end it, and a game that fails exits with a failure status."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from pizzashop.hosting.probe import ALTERNATE_SCREEN, FIRST_FRAME_MARK, visible

FAILING_QUIT = """
from pizzashop.ui.app import PizzaShopApp

def fail(self):
    self.panic("the oven caught fire")  # how Textual ends after its input thread fails

PizzaShopApp.action_quit = fail
"""


class Terminal:
    """`pizzashop` on a pty whose master the test reads and writes byte for byte."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        environment = dict(os.environ, PIZZASHOP_HOME=str(home), TERM="xterm-256color", **env or {})
        environment.pop("PIZZASHOP_HOSTED", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pizzashop"], stdin=slave, stdout=slave, stderr=slave,
            env=environment, start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.output = b""

    def read_until(self, done: str, timeout: float = 30.0) -> None:
        """Read until the game shows `done` on its alternate screen."""
        deadline = time.monotonic() + timeout
        while not self._shows(done):
            assert self._pump(deadline), f"no {done!r}: {visible(self.output)[-300:]!r}"

    def finish(self) -> int:
        """Read to the end; the game's exit status."""
        deadline = time.monotonic() + 30
        while self.process.poll() is None:
            assert self._pump(deadline), "the game did not end"
        os.close(self.master)
        return self.process.returncode

    def _pump(self, deadline: float) -> bool:
        """Read what the game wrote in the next tenth of a second; False past `deadline`."""
        if select.select([self.master], [], [], 0.1)[0]:
            with contextlib.suppress(OSError):  # EIO: the game closed the terminal
                self.output += os.read(self.master, 65536)
        return time.monotonic() < deadline

    def _shows(self, text: str) -> bool:
        start = self.output.find(ALTERNATE_SCREEN)
        return start >= 0 and text in visible(self.output[start:])


def test_a_latin1_terminal_does_not_end_the_game(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.read_until(FIRST_FRAME_MARK)
    os.write(terminal.master, b"Zo\xe9 \xe9t\xe9 \xff\xfe \xc3(")  # Latin-1, broken sequences
    os.write(terminal.master, bytes(range(0x80, 0x100)))  # 8-bit Meta keys
    os.write(terminal.master, b"q")
    assert terminal.finish() == 0, visible(terminal.output)[-500:]
    assert b"Traceback" not in terminal.output and b"UnicodeDecodeError" not in terminal.output


def test_a_game_that_fails_exits_with_a_failure(tmp_path: Path) -> None:
    """Textual's panic ends the app with status 0 on its own; a failure must not look like a
    clean quit (the server logs it as a crash)."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(FAILING_QUIT)
    terminal = Terminal(tmp_path, {"PYTHONPATH": str(tmp_path / "site")})
    terminal.read_until(FIRST_FRAME_MARK)
    os.write(terminal.master, b"q")
    assert terminal.finish() == 1
    assert "the oven caught fire" in visible(terminal.output), "a local player sees why"
