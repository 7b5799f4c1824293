"""The server's log: connections, sessions and refusals, to a file under the data directory and
to stderr, so an instructor sees them live and can read them back after class.

A hostile client must not be able to fill the disk through it: anything a client sent is quoted
and bounded, a warning or error that keeps coming is logged a few times a minute and then
counted, and the file rotates at a fixed size. The SSH library's, the web library's and asyncio's
own messages go the same way, each on one line (unhandled, they would reach stderr without any
bound, some with a traceback).
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pizzashop.paths import data_dir

LOG_FILE = "serve.log"
LOG_BYTES = 10 * 1024 * 1024
"""The log file rotates at this size, keeping LOG_BACKUPS older files (serve.log.1, …)."""
LOG_BACKUPS = 3
LIBRARY_LOGGERS = ("asyncssh", "asyncio", "aiohttp", "textual-serve")


def shown(text: str) -> str:
    """Untrusted text for a log line: quoted, escaped, bounded."""
    return repr(text[:64])


class RepeatLimit(logging.Filter):
    """At most `burst` warnings or errors of one kind (one message template) per `window`
    seconds; the next one logged after a quiet spell says how many were left out."""

    def __init__(
        self, burst: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.burst, self.window, self._clock = burst, window, clock
        self._kinds: dict[tuple[str, int], tuple[float, int, int]] = {}
        """Per kind: the start of its window, lines logged in it, lines left out since."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        now = self._clock()
        kind = (f"{record.name}:{record.msg}", record.levelno)
        start, logged, left_out = self._kinds.get(kind, (now, 0, 0))
        if now - start >= self.window:
            start, logged = now, 0
        if logged >= self.burst:
            self._kinds[kind] = (start, logged, left_out + 1)
            return False
        if left_out:
            record.msg = f"{record.getMessage()} ({left_out} more like this not logged)"
            record.args = None
        if len(self._kinds) > 1000:
            self._kinds.clear()
        self._kinds[kind] = (start, logged + 1, 0)
        return True


class OneLine(logging.Filter):
    """A library's error with a traceback (aiohttp logs one for every malformed request) as one
    line: its message and the exception's, quoted and bounded, since a client chose both."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {shown(str(error))})"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


class Funnel(logging.Handler):
    """Where every record of the server and of the libraries passes once, whichever logger it
    came from (a library's child logger too: a logger's own filters see only the records
    logged on it), through the filters above, then on to the file and stderr."""

    def __init__(self, handlers: list[logging.Handler]) -> None:
        super().__init__()
        self.outlets = handlers
        self.addFilter(RepeatLimit())
        self.addFilter(OneLine())

    def emit(self, record: logging.LogRecord) -> None:
        for outlet in self.outlets:
            outlet.handle(record)

    def close(self) -> None:
        for outlet in self.outlets:
            outlet.close()
        super().close()


def server_log(kind: str) -> tuple[logging.Logger, Path]:
    """The logger for `serve KIND` and the file it appends to."""
    path = data_dir() / LOG_FILE
    logger = logging.getLogger(f"pizzashop.serve.{kind}")
    formatter = logging.Formatter(f"%(asctime)s {kind} %(levelname)s %(message)s")
    outlets: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        ),
        logging.StreamHandler(sys.stderr),
    ]
    for outlet in outlets:
        outlet.setFormatter(formatter)
    funnel = Funnel(outlets)
    levels = {logger.name: logging.INFO} | dict.fromkeys(LIBRARY_LOGGERS, logging.WARNING)
    for name, level in levels.items():
        target = logging.getLogger(name)
        target.setLevel(level)
        target.propagate = False
        for old in list(target.handlers):
            target.removeHandler(old)
            old.close()
        for old_filter in list(target.filters):
            target.removeFilter(old_filter)
        target.addHandler(funnel)
    return logger, path


def log_loop_errors(log: logging.Logger) -> None:
    """Errors the event loop has nowhere else to send (a failed accept when the host is out of
    file descriptors, a callback that raised) go to `log` as one line each, bounded like any
    other; asyncio's default prints a traceback to stderr every time."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        detail = f": {type(error).__name__}: {error}" if error is not None else ""
        log.error("event loop: %s%s", context.get("message", "error"), detail)

    asyncio.get_running_loop().set_exception_handler(handle)
