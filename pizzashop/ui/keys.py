"""The shift screen's keys, in one list that the screen binds and the help screen explains."""

from __future__ import annotations

from textual.binding import Binding

SPEED = Binding.Group("speed", compact=True)

SHIFT_BINDINGS: list[Binding] = [
    Binding("space", "pause", "pause"),
    Binding("1", "speed(1)", "1×", group=SPEED),
    Binding("2", "speed(2)", "2×", group=SPEED),
    Binding("3", "speed(4)", "4×", group=SPEED),
    Binding("4", "speed(8)", "8×", group=SPEED),
    Binding("full_stop", "step", "step", tooltip="advance one sim minute while paused"),
    Binding("h", "hire", "hire"),
    Binding("r", "routing", "route"),
    Binding("p", "prep", "prep"),
    Binding("b", "branches", "branch"),
    Binding("m", "menu", "menu"),
    Binding("f", "filter_log", "filter log", show=False),
    Binding("s", "save", "save", tooltip="save the game to continue it later"),
    Binding("c", "codex", "codex"),
    Binding("question_mark", "help", "help"),
    Binding("q", "leave", "leave", tooltip="save or abandon the shift; back to the title"),
]

ACTION_KINDS_OF_KEY: dict[str, tuple[str, ...]] = {
    "hire": ("hire",),
    "choose": ("fire", "upgrade", "set_specialty", "mark_backup"),
    "routing": ("route_kitchen", "route_branches"),
    "prep": ("set_prep",),
    "branches": ("open_branch", "close_branch", "hire_agents"),
    "menu": ("push_menu",),
}
"""The sim action kinds each key leads to: a key is offered only if the scenario allows one."""

HELP_TEXT: dict[str, str] = {
    "pause": "pause or resume the shift",
    "speed": "1×, 2×, 4×, 8× (one sim minute per second at 1×; picking a speed resumes)",
    "step": "advance one sim minute while paused",
    "choose": "select a chef, then act on them: upgrade, fire, specialty, backup",
    "hire": "hire a chef at a branch, with a specialty",
    "routing": "kitchen routing per branch, branch routing and failover",
    "prep": "edit the prep schedule: clock hours × component × target stock",
    "branches": "open or close branches, hire delivery drivers",
    "menu": "push a menu update head office offers (a price or a recipe) to every branch",
    "filter_log": "show one kind or one branch in the event log",
    "save": "save the game; continue it later from the title screen",
    "codex": "the concepts behind the game (opens at the latest hint)",
    "help": "this screen",
    "leave": "leave the shift: save it or abandon it, back to the title (or quit)",
    "quit": "quit pizzashop at once",
    "palette": "every action, searchable (the command palette)",
}
