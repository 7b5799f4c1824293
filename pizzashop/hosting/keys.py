"""The server's host key (made once, kept under the data directory) and the optional
authorized-keys file that turns anonymous play off."""

from __future__ import annotations

from pathlib import Path

import asyncssh

from pizzashop.paths import write_atomic
from pizzashop.sim.files import InputError, read_text

HOST_KEY_FILE = "ssh_host_ed25519_key"


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


def authorized_keys(path: Path) -> asyncssh.SSHAuthorizedKeys:
    """The keys allowed to play, checked line by line so a typo is named, not silently skipped."""
    text = read_text(path)
    entries = [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not entries:
        raise InputError(str(path), "", "no keys in the file (everyone would be refused)")
    for number, line in entries:
        try:
            asyncssh.import_authorized_keys(line)
        except ValueError:
            raise InputError(str(path), f"line {number}", "not a valid public key") from None
    return asyncssh.import_authorized_keys(text)
