"""Who is playing: the name on the leaderboard, and the folder that holds that player's files.

The SSH and web servers set `PIZZASHOP_PLAYER` for each game (from the SSH user name, the name of
the player's key, or the name given in the browser); a local player is their login name. Either
way the name is cleaned, so it can never carry escapes or markup.

On a shared host every player has a folder of their own, and no two names may ever share one:
the folder spells the name out exactly (`folder_name`, undone by `name_of_folder`) in lowercase
ASCII letters, digits, `-` and `_` — so a file system that ignores case or normalises Unicode
(macOS, Windows) keeps them apart too, and a cleaned name (at most 24 letters, digits and a
little punctuation) takes at most 192 bytes, within every common file system's 255.
"""

from __future__ import annotations

import getpass
import os
import re

from pizzashop.workshop.leaderboard import clean_name

PLAYER = "PIZZASHOP_PLAYER"
"""The variable a server sets to the name a game plays under."""
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ESCAPE = "_"
_FOLDER = re.compile(r"(?:[a-z0-9-]|_[a-z]|_[0-9]+_)+")


def player_name() -> str:
    name = os.environ.get(PLAYER)
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return clean_name(name)


def folder_name(name: str) -> str:
    """`name` spelt for a folder: `a`–`z` and `0`–`9` as they are, a space as `-`, a capital as
    `_` and its small letter, anything else as `_`, its code point in decimal, `_`.

    `Ada Lovelace` → `_ada-_lovelace`, `Zoë` → `_zo_235_`, `a.da` → `a_46_da`.
    """
    if not name:
        raise ValueError("a player's name is never empty")
    spelt = []
    for char in name:
        if char in _PLAIN:
            spelt.append(char)
        elif char == " ":
            spelt.append("-")
        elif "A" <= char <= "Z":
            spelt.append(_ESCAPE + char.lower())
        else:
            spelt.append(f"{_ESCAPE}{ord(char)}{_ESCAPE}")
    return "".join(spelt)


def name_of_folder(folder: str) -> str:
    """The name whose folder this is (the inverse of `folder_name`); ValueError if none is."""
    if not _FOLDER.fullmatch(folder):
        raise ValueError(f"not a player's folder: {folder!r}")
    name, at = [], 0
    while at < len(folder):
        char = folder[at]
        if char != _ESCAPE:
            name.append(" " if char == "-" else char)
            at += 1
        elif folder[at + 1].isdigit():
            end = folder.index(_ESCAPE, at + 1)
            name.append(chr(int(folder[at + 1 : end])))
            at = end + 1
        else:
            name.append(folder[at + 1].upper())
            at += 2
    return "".join(name)
