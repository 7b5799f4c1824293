"""The deterministic pizza-shop simulation. It never imports textual or rich.

The UI, the command line and graders use only the names exported here: build a `Simulation`
from a `Scenario`, drive it with `apply`/`schedule` and `advance`/`run`, read its state, and
call `build_report` at the end.
"""

from pizzashop.sim.actions import ACTION_KINDS, Action, ActionFile, Outcome
from pizzashop.sim.books import PATIENCE_WARNING
from pizzashop.sim.catalog import (
    DEFAULT_SCENARIO,
    bundled_levels,
    bundled_scenarios,
    load_scenario,
)
from pizzashop.sim.engine import Simulation
from pizzashop.sim.files import InputError, load_actions
from pizzashop.sim.metrics import (
    LOG_LIMIT,
    MOMENT_MINUTES,
    ORDER_KINDS,
    LogEntry,
    Sample,
    percentile,
    percentiles,
)
from pizzashop.sim.orders import (
    LOSS_TEXT,
    PART_TEXT,
    PARTS,
    LossCause,
    Order,
    OrderState,
    parts_of,
    split_text,
)
from pizzashop.sim.report import build_report
from pizzashop.sim.routing import (
    BRANCH_STRATEGIES,
    KITCHEN_STRATEGIES,
    SHARED_QUEUE,
    describe_strategies,
)
from pizzashop.sim.scenario import GENERALIST, Scenario
from pizzashop.sim.shop import AgentState, ChefState

__all__ = [
    "ACTION_KINDS",
    "BRANCH_STRATEGIES",
    "DEFAULT_SCENARIO",
    "GENERALIST",
    "KITCHEN_STRATEGIES",
    "LOG_LIMIT",
    "LOSS_TEXT",
    "MOMENT_MINUTES",
    "ORDER_KINDS",
    "PARTS",
    "PART_TEXT",
    "PATIENCE_WARNING",
    "SHARED_QUEUE",
    "Action",
    "ActionFile",
    "AgentState",
    "ChefState",
    "InputError",
    "LogEntry",
    "LossCause",
    "Order",
    "OrderState",
    "Outcome",
    "Sample",
    "Scenario",
    "Simulation",
    "build_report",
    "bundled_levels",
    "bundled_scenarios",
    "describe_strategies",
    "load_actions",
    "load_scenario",
    "parts_of",
    "percentile",
    "percentiles",
    "split_text",
]
