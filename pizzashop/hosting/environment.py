"""What a hosted game inherits, over SSH and in a browser alike: the server's environment (the
data directory, the leaderboard, PATH) less the server's own terminal and login session, plus
who plays. The one place a server says who a game is for."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pizzashop.player.identity import PLAYER
from pizzashop.player.library import HOSTED
from pizzashop.workshop.leaderboard import clean_name
from pizzashop.workshop.roomwire import SOCKET_VARIABLE, TOKEN_VARIABLE

NOT_PASSED = frozenset(
    {"COLUMNS", "LINES", "DISPLAY", "TMUX", "TMUX_PANE", "STY", "WINDOW"}
    | {SOCKET_VARIABLE, TOKEN_VARIABLE}
)
"""The server's own terminal and session, which are not the player's (nor SSH_*: its agent),
and a room's seat, which only a room gives (the SSH server adds it per seat)."""


def game_environment(player: str, server: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment of a game for `player` (cleaned again here: it names a folder), on a
    host it shares with others: each name keeps its files in a folder of its own."""
    env = {
        name: value
        for name, value in server.items()
        if not name.startswith("SSH_") and name not in NOT_PASSED
    }
    env.update({PLAYER: clean_name(player), HOSTED: "1"})
    return env
