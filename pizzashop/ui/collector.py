"""The garbage collector as a game wants it.

A frame of Textual's allocates thousands of objects that die within the frame or soon after.
Python collects the young generation every 700 allocations, which keeps many of them alive
into the older generations; the full collections that followed ran about once a second per
seat at 4× on a host of sixty (a sixth of a core in all, and pauses of a tenth of a second
that every game sharing the process waited through). Collected every 10,000 allocations, they
die young, as most garbage should (bench/ssh_sessions.py, docs/hosting.md).
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 10, 10)
"""Python's are (700, 10, 10)."""


def tune_collector() -> None:
    gc.set_threshold(*THRESHOLDS)
