"""The kinds of event on the loop, and the stage that runs each.

An event is a kind and one argument (see `clock.py`); `Simulation.fire` hands it to its stage,
testing the kinds in this order, so the commonest come first. A new kind of event goes here, in
the stage that schedules it, and in `Simulation.fire`.
"""

from __future__ import annotations

from typing import Final

COOKED: Final = 0  # kitchen: a chef finished an item; (chef, token)
ARRIVE: Final = 1  # front door: the next order arrives; its number (a rush re-times it)
TICK: Final = 2  # engine: a sim minute passed (warnings, samples, settling, the end)
PATIENCE_OVER: Final = 3  # kitchen: an order's customer gives up unless it is cooking; order
HANDED_OVER: Final = 4  # drivers: an order reached its door; (agent, branch)
AGENT_BACK: Final = 5  # drivers: a driver is back at the branch; (agent, branch)
PREPPED: Final = 6  # kitchen: a chef finished prepping a component; (chef, token)
PREP_WINDOW: Final = 7  # kitchen: a prep window opens; branch
CLOSE_DOORS: Final = 8  # engine: the shift's last order may be placed
LEAVE_START: Final = 9  # roster: a chef goes on leave (after the current job); (chef, until)
LEAVE_END: Final = 10  # roster: a chef is back from leave; chef
BACKUP_ARRIVES: Final = 11  # roster: a backup called in arrives; chef
POWER: Final = 12  # timeline: a branch's power goes off or on; (branch, on)
MENU_ARRIVES: Final = 13  # timeline: a menu version reaches a branch; (branch, version)
TIMELINE_MENU: Final = 14  # timeline: the scenario publishes a menu update; MenuUpdate
APPLY_SCHEDULED: Final = 15  # engine: a timed player action; Action
POWER_RESTORED: Final = 16  # timeline: a game day's outage of a branch is over; branch
HIRE_ARRIVES: Final = 17  # roster: a chef hired during the shift arrives; chef
