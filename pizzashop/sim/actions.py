"""Player actions: typed commands the UI, action files and graders all send to the engine.

An action carries `at`, the sim time in minutes at which it applies. Applying one returns an
`Outcome`: done, or refused with a reason the player can read. Action files are TOML
(`[[actions]]` tables) or JSON (a list, or `{"actions": [...]}`).

Disruptions (`outage`, `rush`, `leave`) are actions too, so they land in the action log, saves
and replays like any other, but they are not the player's: only a simulation in an instructor's
room applies them (a game day); anywhere else they are refused with the reason.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

MAX_MINUTES = 600_000.0
"""The longest shift (10,000 hours): no time or duration in a file may reach past it."""
MAX_TASK_MINUTES = 1440.0
"""One job (a dish, a prep, a drive, a customer's patience) lasts at most a day."""
MAX_MONEY = 1e9
"""Any one price, cost or wage: keeps every sum of money finite and exact enough to report."""
MAX_ACTIONS = 10_000
"""Actions in one file or save: far more than a player makes in a shift."""
MAX_PREP_JOBS = 100
MAX_RUSH_FACTOR = 10.0
MAX_DISRUPTION_MINUTES = 240.0
"""A game day's rush multiplies demand by at most 10 for at most 4 hours: enough to hurt, and
a seat's shift stays quick to finish (`room end` simulates what is left of it at once)."""


class _Action(BaseModel):
    """Unknown keys, NaN and infinities are errors: a typo must not be silently ignored. So are
    booleans and text where a number goes (strict: `true` is not 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    at: float = Field(0.0, ge=0, le=MAX_MINUTES, description="sim minutes since the doors opened")


class Hire(_Action):
    kind: Literal["hire"] = "hire"
    branch: str | None = None
    specialty: str = "generalist"
    name: str | None = Field(None, min_length=1, max_length=24)


class Fire(_Action):
    kind: Literal["fire"] = "fire"
    chef: str


class Upgrade(_Action):
    kind: Literal["upgrade"] = "upgrade"
    chef: str


class SetSpecialty(_Action):
    kind: Literal["set_specialty"] = "set_specialty"
    chef: str
    specialty: str


class MarkBackup(_Action):
    kind: Literal["mark_backup"] = "mark_backup"
    chef: str
    backup: bool = True


class RouteKitchen(_Action):
    """Which chef inside a branch cooks each item (all branches when `branch` is omitted)."""

    kind: Literal["route_kitchen"] = "route_kitchen"
    strategy: str
    branch: str | None = None


class RouteBranches(_Action):
    """Which branch takes each order, and whether a dark branch's orders fail over."""

    kind: Literal["route_branches"] = "route_branches"
    strategy: str
    failover: bool = True


class PrepSlot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    start: float = Field(ge=0, le=48)
    end: float = Field(ge=0, le=48)
    component: str
    target: int = Field(ge=1)


class SetPrep(_Action):
    """Replace a branch's prep schedule (clock hours × component × target stock)."""

    kind: Literal["set_prep"] = "set_prep"
    branch: str | None = None
    jobs: list[PrepSlot] = Field(default_factory=list, max_length=MAX_PREP_JOBS)


class OpenBranch(_Action):
    kind: Literal["open_branch"] = "open_branch"
    branch: str


class CloseBranch(_Action):
    kind: Literal["close_branch"] = "close_branch"
    branch: str


class HireAgents(_Action):
    kind: Literal["hire_agents"] = "hire_agents"
    branch: str | None = None
    count: int = Field(1, ge=1, le=50)


class PushMenu(_Action):
    """A new menu version: it reaches each branch after that branch's delay."""

    kind: Literal["push_menu"] = "push_menu"
    item: str
    price: float | None = Field(None, ge=0, le=MAX_MONEY)
    cook_minutes: float | None = Field(None, gt=0, le=MAX_TASK_MINUTES)


DisruptionMinutes = Annotated[float, Field(gt=0, le=MAX_DISRUPTION_MINUTES)]


class PowerOutage(_Action):
    """A disruption: the power is cut at one branch, or at every branch of an area, for
    `minutes`; it comes back then (unless the scenario's own outage still holds it off)."""

    kind: Literal["outage"] = "outage"
    branch: str | None = Field(None, min_length=1, max_length=64)
    area: str | None = Field(None, min_length=1, max_length=64)
    minutes: DisruptionMinutes

    @model_validator(mode="after")
    def _target(self) -> PowerOutage:
        if (self.branch is None) == (self.area is None):
            raise ValueError("an outage names exactly one of branch or area")
        return self


class Rush(_Action):
    """A disruption: demand × `factor` for `minutes` (never below 1: it only makes a day
    harder). The same customers come, sooner: common random numbers hold."""

    kind: Literal["rush"] = "rush"
    factor: float = Field(ge=1, le=MAX_RUSH_FACTOR)
    minutes: DisruptionMinutes


class ChefLeave(_Action):
    """A disruption: a chef (by id or name) goes on leave for `minutes`, after the current
    job; a backup on call is called in, as for any leave."""

    kind: Literal["leave"] = "leave"
    chef: str = Field(min_length=1, max_length=64)
    minutes: DisruptionMinutes


Action = Annotated[
    Hire
    | Fire
    | Upgrade
    | SetSpecialty
    | MarkBackup
    | RouteKitchen
    | RouteBranches
    | SetPrep
    | OpenBranch
    | CloseBranch
    | HireAgents
    | PushMenu
    | PowerOutage
    | Rush
    | ChefLeave,
    Field(discriminator="kind"),
]
Disruption = PowerOutage | Rush | ChefLeave

ACTION_KINDS: tuple[str, ...] = (
    "hire",
    "fire",
    "upgrade",
    "set_specialty",
    "mark_backup",
    "route_kitchen",
    "route_branches",
    "set_prep",
    "open_branch",
    "close_branch",
    "hire_agents",
    "push_menu",
)
"""What a player may do (and a scenario's `allowed_actions` may list)."""
DISRUPTION_KINDS: tuple[str, ...] = ("outage", "rush", "leave")
"""What only an instructor's room injects."""


class ActionFile(BaseModel):
    """The contents of an action file: a list of a player's timed actions (never a game day's
    disruption: nobody grades a rush into their own entry)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    actions: list[Action] = Field(default_factory=list, max_length=MAX_ACTIONS)

    @field_validator("actions")
    @classmethod
    def _players_only(cls, actions: list[Action]) -> list[Action]:
        for number, action in enumerate(actions):
            if action.kind in DISRUPTION_KINDS:
                raise ValueError(
                    f"action {number} is a {action.kind}, a game-day disruption that only an "
                    "instructor's room injects: an action file holds a player's actions"
                )
        return actions


ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


class Outcome(BaseModel):
    """What applying an action did: `ok`, or the reason it was refused."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    reason: str = ""

    @classmethod
    def done(cls, text: str = "") -> Outcome:
        return cls(ok=True, reason=text)

    @classmethod
    def refused(cls, reason: str) -> Outcome:
        return cls(ok=False, reason=reason)
