"""The server's log: connections, sessions and refusals, to a file under the data directory and
to stderr, so an instructor sees them live and can read them back after class."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pizzashop.paths import data_dir

LOG_FILE = "serve.log"


def server_log(kind: str) -> tuple[logging.Logger, Path]:
    """The logger for `serve KIND` and the file it appends to."""
    path = data_dir() / LOG_FILE
    logger = logging.getLogger(f"pizzashop.serve.{kind}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(f"%(asctime)s {kind} %(levelname)s %(message)s")
    for handler in (logging.FileHandler(path, encoding="utf-8"), logging.StreamHandler(sys.stderr)):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    return logger, path
