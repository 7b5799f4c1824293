"""Who is playing: the name on the leaderboard.

The SSH server sets `PIZZASHOP_PLAYER` for each session from the SSH user name; a local player is
their login name. Either way the name is cleaned, so it can never carry escapes or markup.
"""

from __future__ import annotations

import getpass
import os

from pizzashop.workshop.leaderboard import clean_name


def player_name() -> str:
    name = os.environ.get("PIZZASHOP_PLAYER")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return clean_name(name)
