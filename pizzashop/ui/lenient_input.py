"""Keys that are not UTF-8 never end the game.

Textual's Linux driver decodes the terminal's bytes with a strict UTF-8 decoder, so a single
byte from a Latin-1 terminal ("é" is 0xE9) or an 8-bit Meta key stops the game with a traceback.
Terminals show such bytes as U+FFFD; so does the game once `decode_leniently()` has run: the
driver's decoder then replaces what it cannot decode.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import partial


def _replacing(encoding: str) -> Callable[..., codecs.IncrementalDecoder]:
    return partial(codecs.getincrementaldecoder(encoding), errors="replace")


def decode_leniently() -> bool:
    """Make the terminal driver replace undecodable bytes; False where there is no such driver
    (Windows) or it no longer decodes the way this expects (then the test of it fails)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:
        return False
    current = getattr(linux_driver, "getincrementaldecoder", None)
    if current is _replacing:
        return True
    if current is not codecs.getincrementaldecoder:
        return False
    linux_driver.getincrementaldecoder = _replacing  # type: ignore[attr-defined]
    return True
