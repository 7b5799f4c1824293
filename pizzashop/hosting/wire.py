"""Messages between the server and its game template: small JSON objects on a Unix socketpair
(SOCK_SEQPACKET, so each arrives whole), with file descriptors beside them (SCM_RIGHTS).

The server asks: `{"start": N, "env": {...}, "fds": [...]}` with the game's terminal and the
descriptors it inherits attached (`"pipes": true` for three standard streams instead of a terminal;
`"run": "table"` for a table of games, table.py, instead of a game), and `{"reap": PID}` once it is
done with an exited game. The template answers `{"ready": PID}` once, then `{"started": N, "pid":
PID}` or `{"failed": N, "error": "..."}` for each start, and `{"exited": PID, "status": S}` when a
game ends (S as `Popen.returncode`: the exit code, or minus the signal that ended it).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MAX_MESSAGE = 64 * 1024
"""Bytes in one message: an environment fits many times over."""
MAX_FDS = 16
"""Descriptors with one message: the terminal and the few a game inherits."""


class WireError(Exception):
    """A message that is not one: too long, cut short, or not a JSON object."""


def pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


def send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send one message (BlockingIOError on a non-blocking socket whose peer is not reading)."""
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE or len(fds) > MAX_FDS:
        raise WireError(f"a message of {len(data)} bytes and {len(fds)} descriptors is too big")
    socket.send_fds(sock, [data], list(fds))


def receive(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    """The next message and the descriptors that came with it (the caller owns them), or None
    once the peer has closed its end. A bad message is a WireError, its descriptors closed."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE + 1, MAX_FDS)
    if not data:
        close_all(fds)
        return None
    try:
        if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC) or len(data) > MAX_MESSAGE:
            raise WireError("a message was cut short")
        try:
            message = json.loads(data)
        except ValueError as error:
            raise WireError(f"not JSON: {error}") from None
        if not isinstance(message, dict):
            raise WireError("not a JSON object")
    except BaseException:
        close_all(fds)
        raise
    return message, fds


def waiting(
    sock: socket.socket, on_bad: Callable[[WireError], None]
) -> Iterator[tuple[dict[str, Any], list[int]] | None]:
    """Each message waiting now on the non-blocking `sock`, with its descriptors (the caller's),
    and None, last, once the peer has closed its end (or the socket failed). A bad message goes
    to `on_bad` and the next is read."""
    while True:
        try:
            received = receive(sock)
        except BlockingIOError:
            return
        except WireError as error:
            on_bad(error)
            continue
        except OSError:
            received = None
        yield received
        if received is None:
            return


def close_all(fds: Sequence[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
