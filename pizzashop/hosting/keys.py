"""The server's host key (made once, kept under the data directory) and the optional keys file
that turns anonymous play off and gives every key the one name it plays under.

A keys file has one key a line, its player's name first, then the public key as OpenSSH
writes it (`ssh-keygen`'s `.pub` file, comment and all):

    Ada Lovelace  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… ada@laptop

One person may have several keys (one line each, the same name); one key has one name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from pizzashop.paths import write_atomic
from pizzashop.sim.files import InputError, read_text
from pizzashop.workshop.leaderboard import NAME_LIMIT, clean_name

HOST_KEY_FILE = "ssh_host_ed25519_key"
FORMAT = "NAME ssh-ed25519 AAAA…"


def host_key(directory: Path) -> asyncssh.SSHKey:
    """The host key in `directory`, generated on first start: players' `known_hosts` stay valid
    across restarts. The file is readable by its owner only."""
    path = directory / HOST_KEY_FILE
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="pizzashop host key")
        write_atomic(path, key.export_private_key().decode("ascii"))
        path.chmod(0o600)
        return key
    try:
        return asyncssh.read_private_key(path)
    except (OSError, ValueError) as error:
        problem = f"cannot read the host key ({error}); move it away to make a new one"
        raise InputError(str(path), "", problem) from None


@dataclass(frozen=True)
class PlayerKeys:
    """The keys allowed to play and each one's name; whatever name the client asks for, a key
    plays under its own."""

    names: Mapping[bytes, str]
    """A public key (its wire encoding) → its player's name."""

    def name_of(self, key: asyncssh.SSHKey) -> str | None:
        return self.names.get(key.public_data)


def player_keys(path: Path) -> PlayerKeys:
    """The keys file at `path`, checked line by line so a typo is named, not skipped."""
    text = read_text(path)
    names: dict[bytes, str] = {}
    lines: dict[bytes, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, key = _parse(line, f"line {number}", str(path))
        if key.public_data in lines:
            problem = f"the same key as line {lines[key.public_data]} (one key, one name)"
            raise InputError(str(path), f"line {number}", problem)
        names[key.public_data], lines[key.public_data] = name, number
    if not names:
        raise InputError(str(path), "", "no keys in the file (everyone would be refused)")
    return PlayerKeys(names)


def _parse(line: str, where: str, source: str) -> tuple[str, asyncssh.SSHKey]:
    """`NAME KEYTYPE BASE64 [COMMENT]`: the name is every word before the key."""
    words = line.split()
    for start in range(len(words) - 1):
        try:
            key = asyncssh.import_public_key(f"{words[start]} {words[start + 1]}")
        except ValueError:  # asyncssh.KeyImportError among them
            continue
        name = " ".join(words[:start])
        if not name:
            raise InputError(source, where, f"no name before the key (write {FORMAT})")
        if clean_name(name) != name:
            problem = (
                f"the name {name[:40]!r} may hold only letters, digits, spaces and -_.' "
                f"(at most {NAME_LIMIT} characters)"
            )
            raise InputError(source, where, problem)
        return name, key
    raise InputError(source, where, f"not a valid public key (write {FORMAT})")
