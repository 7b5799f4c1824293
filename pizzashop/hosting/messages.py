"""What a server (SSH or web) tells a player, in words: one polite line each, never a traceback,
a host path or anything the client sent. A browser gets them as the reason its game's connection
closed, which holds at most 123 bytes."""

from __future__ import annotations

FULL = "The pizza shop is full ({places} players at most). Please try again in a few minutes."
NO_TERMINAL = "pizzashop needs a terminal: connect with ssh -t."
IDLE = "Closed after {duration} without a key press. Reconnect any time to play again."
STOPPING = "The server is stopping. Thank you for playing!"
REPLACED = "This game goes on in another tab or window of this browser."
TOO_MANY = "Too many new games from your address. Please wait a minute and try again."
CANNOT_START = "Sorry, the game could not start on this host. Please tell your instructor."
RESET_TERMINAL = (
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"  # mouse reporting off
    "\x1b[?1004l\x1b[?2004l\x1b[<u"  # focus events, bracketed paste, keyboard protocol off
    "\x1b[0m\x1b[?25h\x1b[?1049l"  # plain text, a visible cursor, the normal screen
)
"""Written after a game that was stopped, not quit: it had no chance to restore the terminal."""


def duration(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds < 120 else f"{seconds / 60:.0f} minutes"
