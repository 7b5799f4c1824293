"""Listening on an address: a port in use or an address that is not the host's is one line
naming --port, for every kind of server."""

from __future__ import annotations

import os

from pizzashop.sim.files import InputError


def listen_error(host: str, port: int, error: OSError) -> InputError:
    """A port in use or an address not ours, as one line naming --port."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    return InputError("--port", "", f"cannot listen on {host}:{port} ({reason})")
