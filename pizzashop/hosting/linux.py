"""The few Linux process controls the server needs that Python's standard library lacks (prctl).

Each returns False where it cannot work (not Linux, an old kernel, a sandbox that forbids it):
the callers then do without what it gives, and say so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
from functools import cache

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


def _prctl(option: int, value: int | bytes) -> bool:
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.prctl(option, value, 0, 0, 0) == 0)


def die_with_parent(signum: int = signal.SIGKILL) -> bool:
    """Have the kernel send `signum` to this process when the thread that started it ends. The
    caller must still check its parent is alive: it may have died before this call."""
    return _prctl(PR_SET_PDEATHSIG, signum)


def adopt_orphans() -> bool:
    """Become a subreaper: an orphaned descendant becomes this process's child (not init's), so
    it stays unreaped until this process reaps it, and its id cannot be reused before then."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def name_process(name: str) -> bool:
    """The name `ps` and `top` show (at most 15 bytes); the command line stays as it was."""
    return _prctl(PR_SET_NAME, name.encode()[:15])
