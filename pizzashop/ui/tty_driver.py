"""A Textual driver for a game on a terminal that is not its process's own.

Textual's Linux driver plays on the process's standard streams: one game a process, told of a
new window size by SIGWINCH, with a thread that may block on a slow terminal. A process that
runs several games (pizzashop.hosting.table) gives each its own terminal descriptor, and one
game must never hold up another:
- input and output go through the event loop on a non-blocking descriptor; no thread;
- output a client does not read waits in a buffer of at most OUTPUT_LIMIT bytes, past which
  the game is ended as a hang-up (the player's connection has stalled for minutes by then);
- the window size is read when the host says it changed (`resized`), not on a signal;
- a hang-up (the terminal's other side closed) ends the game through `on_hang_up`;
- input is taken INPUT_BATCH bytes at a time, the next batch only once the app has handled the
  last: a player who pastes a megabyte or floods mouse reports makes their own game busy, not
  the loop (Textual handles queued events without yielding to the other games);
- resizes are coalesced, at most one in the app's queue and RESIZE_GAP seconds apart: a client
  that floods window changes lays out its own game four times a second, no more.

Input bytes that are not UTF-8 become U+FFFD, as in every hosted game (lenient_input.py).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import termios
import tty
from typing import Any, Protocol

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import (
    KITTY_DISAMBIGUATE_ESCAPE_CODES,
    KITTY_REPORT_ALL_KEYS,
    KITTY_REPORT_ASSOCIATED_TEXT,
    LinuxDriver,
)
from textual.geometry import Size

OUTPUT_LIMIT = 4 * 1024 * 1024
"""Bytes of output waiting for a terminal that does not read before the game is ended."""
INPUT_BATCH = 256
"""Bytes of input the app gets at a time (a key is a few; see the module docstring)."""
RESIZE_GAP = 0.25
TICK = 0.1
"""Seconds after input before the parser is asked for a key it held back (a lone Escape)."""
KITTY_FLAGS = KITTY_DISAMBIGUATE_ESCAPE_CODES | KITTY_REPORT_ALL_KEYS | KITTY_REPORT_ASSOCIATED_TEXT
"""The Kitty keyboard protocol as Textual's own driver asks for it."""


class Player(Protocol):
    """Who the driver serves: told of the driver Textual built, and of a hang-up."""

    def attach(self, driver: TtyDriver) -> None: ...

    def hang_up(self) -> None: ...


def on_terminal(terminal: int, player: Player) -> type[TtyDriver]:
    """The driver class for an app on `terminal` (Textual builds the driver itself)."""
    return type("GameTtyDriver", (TtyDriver,), {"terminal": terminal, "player": player})


class TtyDriver(LinuxDriver):
    """See the module docstring. Subclassed per game by `on_terminal`."""

    terminal: int = -1
    player: Player

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self.player.attach(self)
        self.fileno = self.terminal
        self.input_tty = os.isatty(self.terminal)
        self._pending = bytearray()
        self._encoder = codecs.getincrementalencoder("utf-8")(errors="replace")
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._parser = XTermParser(self._debug)
        self._reading = False
        self._input_disabled = False
        self._resize_wanted = False
        self._resizing = False
        """A resize is on its way to the app, or waits for RESIZE_GAP."""
        self._last_resize = 0.0
        self._writing = False
        """A drain is due: on the next turn of the loop, or when the terminal takes more."""
        self._tick: asyncio.TimerHandle | None = None
        self._hung_up = False

    @property
    def can_suspend(self) -> bool:
        return False

    @property
    def backlog(self) -> int:
        """Bytes written by the game and not yet taken by the terminal."""
        return len(self._pending)

    def _get_terminal_size(self) -> tuple[int, int]:
        try:
            size = os.get_terminal_size(self.terminal)
        except OSError:
            return 80, 24
        return size.columns or 80, size.lines or 24

    # ----------------------------------------------------------------- output

    def write(self, data: str) -> None:
        """Queue `data`; what a turn of the event loop writes goes out in one system call."""
        if self._hung_up:
            return
        was_empty = not self._pending
        self._pending += self._encoder.encode(data)
        if len(self._pending) > OUTPUT_LIMIT:
            self._hang_up()
        elif was_empty and not self._writing:
            self._writing = True
            self._loop.call_soon(self._drain)

    def flush(self) -> None:
        """Writes go out as soon as the terminal takes them: nothing is held back."""

    def _drain(self) -> None:
        if self._hung_up or not self._pending:
            self._stop_writing()
            return
        try:
            written = os.write(self.terminal, self._pending)
        except BlockingIOError:
            written = 0
        except OSError:  # the terminal's other side is gone
            self._hang_up()
            return
        del self._pending[:written]
        if self._pending:
            self._loop.add_writer(self.terminal, self._drain)
        else:
            self._stop_writing()

    def _stop_writing(self) -> None:
        self._loop.remove_writer(self.terminal)
        self._writing = False

    # ------------------------------------------------------------------ input

    def _read(self) -> None:
        try:
            data = os.read(self.terminal, INPUT_BATCH)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._hang_up()
            return
        for event in self._parser.feed(self._decoder.decode(data)):
            self.process_message(event)
        if self._tick is not None:
            self._tick.cancel()
        self._tick = self._loop.call_later(TICK, self._ticked)
        if len(data) == INPUT_BATCH:  # more may wait: once the app has handled this batch
            self._pause_reading()
            self.send_message(events.Callback(callback=self._resume_reading))

    def _pause_reading(self) -> None:
        if self._reading:
            self._loop.remove_reader(self.terminal)
            self._reading = False

    def _resume_reading(self) -> None:
        if not self._reading and not self._hung_up and not self._input_disabled:
            self._loop.add_reader(self.terminal, self._read)
            self._reading = True

    def _ticked(self) -> None:
        self._tick = None
        for event in self._parser.tick():
            self.process_message(event)

    def _hang_up(self) -> None:
        if self._hung_up:
            return
        self._hung_up = True
        self._pending.clear()
        self._stop_io()
        self.player.hang_up()

    def _stop_io(self) -> None:
        self._pause_reading()
        self._stop_writing()
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    # ------------------------------------------------------------ the terminal

    def resized(self) -> None:
        """The host changed the window's size: tell the app (coalesced, see the module
        docstring), unless the terminal reports its size itself (in-band)."""
        if self._in_band_window_resize or self._hung_up:
            return
        self._resize_wanted = True
        if not self._resizing:
            self._schedule_resize()

    def _schedule_resize(self) -> None:
        self._resizing = True
        wait = self._last_resize + RESIZE_GAP - self._loop.time()
        self._loop.call_later(max(0.0, wait), self._send_resize)

    def _send_resize(self) -> None:
        if self._hung_up:
            return
        self._resize_wanted = False
        size = Size(*self._get_terminal_size())
        self.send_message(events.Resize(size, size))
        self.send_message(events.Callback(callback=self._resized))

    def _resized(self) -> None:
        """The app has handled the last resize: the next may come (the size may have changed
        again meanwhile)."""
        self._last_resize = self._loop.time()
        self._resizing = False
        if self._resize_wanted:
            self._schedule_resize()

    def start_application_mode(self) -> None:
        os.set_blocking(self.terminal, False)
        self.send_message(events.Resize(Size(*self._get_terminal_size()), None))
        self.write("\x1b[?1049h")  # the alternate screen
        self._enable_mouse_support()
        with contextlib.suppress(termios.error):
            self.attrs_before = termios.tcgetattr(self.terminal)
            raw = termios.tcgetattr(self.terminal)
            raw[tty.LFLAG] = self._patch_lflag(raw[tty.LFLAG])
            raw[tty.IFLAG] = self._patch_iflag(raw[tty.IFLAG])
            raw[tty.CC][termios.VMIN] = 1
            termios.tcsetattr(self.terminal, termios.TCSANOW, raw)
        self.write("\x1b[?25l")  # hide the cursor
        self.write("\x1b[?1004h")  # focus in and out
        if not constants.DISABLE_KITTY_KEY:
            self.write(f"\x1b[>{KITTY_FLAGS}u")
        self._resume_reading()
        self._request_terminal_sync_mode_support()
        self._query_in_band_window_resize()
        self._enable_bracketed_paste()
        self._disable_line_wrap()
        self._enable_mouse_support()

    def disable_input(self) -> None:
        """Once (Textual may ask again as it shuts down)."""
        if self._input_disabled:
            return
        self._input_disabled = True
        self._disable_mouse_support()
        self._pause_reading()
        with contextlib.suppress(termios.error):
            termios.tcflush(self.terminal, termios.TCIFLUSH)

    def close(self) -> None:
        """Stop reading; what is still to be written is the caller's (`backlog`, `drained`)."""
        self._pause_reading()
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def release(self) -> None:
        """The terminal is about to close: nothing more is read or written, and the event loop
        forgets its descriptor (whose number a new terminal may take)."""
        self._hung_up = True
        self._pending.clear()
        self._stop_io()

    async def drained(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until the terminal has taken what was written."""
        deadline = self._loop.time() + timeout
        while self._pending and not self._hung_up and self._loop.time() < deadline:
            await asyncio.sleep(0.02)
        self._stop_io()
