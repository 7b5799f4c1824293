"""How fast a shift plays in wall time: the speeds a player may pick, and a sim minute a second
at 1× (a 10-hour shift takes 10 minutes). The game plays at this pace, and an instructor's room
reckons where each seat's clock is by it."""

from __future__ import annotations

from typing import Final

SPEEDS: Final = (1, 2, 4, 8)
MINUTES_PER_SECOND: Final = 1.0
