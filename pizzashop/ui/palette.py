"""The command palette: the game's own commands only, never Textual's stock ones.

On any screen, its keys (what the footer shows) are commands. During a shift, every action the
scenario allows: actions with a small choice (upgrade Mario, route kitchens by ring, open North)
are direct commands; the others open their dialog. Each still goes through the sim and is shown
its outcome. Nothing here writes a file outside the player's own folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Protocol

from textual.app import App, SystemCommand
from textual.screen import Screen

from pizzashop.sim import BRANCH_STRATEGIES, KITCHEN_STRATEGIES, Action
from pizzashop.sim import actions as A
from pizzashop.sim.pace import SPEEDS
from pizzashop.ui.game import Game
from pizzashop.ui.keys import ACTION_KINDS_OF_KEY
from pizzashop.ui.theme import DEFAULT_THEME, LIGHT_THEME
from pizzashop.ui.widgets.board import ShopBoard
from pizzashop.ui.widgets.cells import plural


class ShiftControls(Protocol):
    """What the shift's commands act through (the shift screen)."""

    game: Game

    def send(self, actions: Action | list[Action] | None) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None: ...

    def on_shop_board_chef_chosen(self, message: ShopBoard.ChefChosen) -> None: ...

    def action_pause(self) -> None: ...

    def action_speed(self, speed: int) -> None: ...

    def action_step(self) -> None: ...

    def action_hire(self) -> None: ...

    def action_routing(self) -> None: ...

    def action_prep(self) -> None: ...

    def action_branches(self) -> None: ...

    def action_menu(self) -> None: ...

    def action_save(self) -> None: ...

    def action_filter_log(self) -> None: ...

    def action_codex(self) -> None: ...

    def action_help(self) -> None: ...

    def action_leave(self) -> None: ...


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """The screen's keys that are in use now, as commands (their footer label and tooltip)."""
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is not screen or not active.enabled or not binding.description:
            continue
        if binding.action in seen or binding.action == "command_palette":
            continue
        seen.add(binding.action)
        title = binding.description[:1].upper() + binding.description[1:]
        run = partial(screen.app.run_action, binding.action, active.node)
        yield SystemCommand(
            title, binding.tooltip or f"key {binding.key_display or binding.key}", run
        )


def app_commands(app: App[None]) -> Iterable[SystemCommand]:
    """The app's own: the other theme, and quitting."""
    light = app.theme == LIGHT_THEME
    other = DEFAULT_THEME if light else LIGHT_THEME
    yield SystemCommand(
        f"{'Dark' if light else 'Light'} theme",
        "Switch the colours",
        partial(setattr, app, "theme", other),
    )
    yield SystemCommand("Quit pizzashop", "Leave the game", app.exit)


def shift_commands(screen: ShiftControls) -> Iterable[SystemCommand]:
    if screen.check_action("pause", ()):
        yield SystemCommand("Pause / resume", "Pause or resume the shift", screen.action_pause)
    for speed in SPEEDS:
        if screen.check_action("speed", (speed,)):
            yield SystemCommand(
                f"Speed {speed}×",
                f"{speed} sim minutes per second",
                partial(screen.action_speed, speed),
            )
    if screen.check_action("step", ()):
        yield SystemCommand("Step one minute", "Advance one sim minute", screen.action_step)
    yield from _dialogs(screen)
    yield from _chefs(screen)
    yield from _routing(screen)
    yield from _branches(screen)
    if screen.check_action("save", ()):
        yield SystemCommand("Save the game", "Continue it later from the title", screen.action_save)
    yield SystemCommand("Filter the log…", "One kind or one branch", screen.action_filter_log)
    yield SystemCommand("Codex", "The concepts behind the game", screen.action_codex)
    yield SystemCommand("Help", "Keys and what they do", screen.action_help)
    yield SystemCommand(
        "Leave the shift…", "Save and go back to the title, or abandon it", screen.action_leave
    )


def _dialogs(screen: ShiftControls) -> Iterable[SystemCommand]:
    dialogs = (
        ("hire", "Hire a chef…", "Choose a branch and a specialty", screen.action_hire),
        ("routing", "Routing…", "Kitchen and branch routing, failover", screen.action_routing),
        ("prep", "Prep schedule…", "Hours × component × target", screen.action_prep),
        ("branches", "Branches and drivers…", "Open, close, hire", screen.action_branches),
        ("menu", "Push a menu update…", "Change a price or cook time", screen.action_menu),
    )
    for key, title, text, callback in dialogs:
        if screen.game.allows(*ACTION_KINDS_OF_KEY[key]):
            yield SystemCommand(title, text, callback)


def _chefs(screen: ShiftControls) -> Iterable[SystemCommand]:
    game, send = screen.game, screen.send
    for chef in game.sim.chefs.values():
        if game.allows("upgrade"):
            yield SystemCommand(
                f"Upgrade {chef.name}",
                f"Level {chef.level} → {chef.level + 1}",
                partial(send, A.Upgrade(chef=chef.id)),
            )
        if game.allows("mark_backup"):
            yield SystemCommand(
                f"{'Unmark' if chef.backup else 'Mark'} {chef.name} as backup",
                "A backup waits on call and is called in when a chef is away",
                partial(send, A.MarkBackup(chef=chef.id, backup=not chef.backup)),
            )
        if game.allows("fire"):
            yield SystemCommand(
                f"Fire {chef.name}",
                f"{chef.name} leaves {chef.branch.name}",
                partial(send, A.Fire(chef=chef.id)),
            )
        if game.allows("set_specialty"):
            yield SystemCommand(
                f"Set {chef.name}'s specialty…",
                f"Now {chef.specialty}",
                partial(screen.on_shop_board_chef_chosen, ShopBoard.ChefChosen(chef.id)),
            )


def _routing(screen: ShiftControls) -> Iterable[SystemCommand]:
    game, send, sim = screen.game, screen.send, screen.game.sim
    if game.allows("route_kitchen"):
        for name, cls in KITCHEN_STRATEGIES.items():
            yield SystemCommand(
                f"Route kitchens by {name}",
                cls.summary,
                partial(send, A.RouteKitchen(strategy=name)),
            )
    if game.allows("route_branches"):
        for name, summary in BRANCH_STRATEGIES.items():
            yield SystemCommand(
                f"Route orders to the {name} branch",
                summary,
                partial(send, A.RouteBranches(strategy=name, failover=sim.failover)),
            )
        yield SystemCommand(
            f"Turn failover {'off' if sim.failover else 'on'}",
            "Whether a dark branch's orders go to another branch",
            partial(send, A.RouteBranches(strategy=sim.branch_strategy, failover=not sim.failover)),
        )


def _branches(screen: ShiftControls) -> Iterable[SystemCommand]:
    game, send, sim = screen.game, screen.send, screen.game.sim
    for branch in sim.branches:
        if branch.is_open and game.allows("close_branch"):
            yield SystemCommand(
                f"Close {branch.name}",
                "It takes no new orders and stops paying rent",
                partial(send, A.CloseBranch(branch=branch.name)),
            )
        if not branch.is_open and game.allows("open_branch"):
            yield SystemCommand(
                f"Open {branch.name}",
                f"In {branch.area}, for {branch.spec.open_cost:,.0f}",
                partial(send, A.OpenBranch(branch=branch.name)),
            )
        if game.allows("hire_agents") and sim.delivery.enabled:
            yield SystemCommand(
                f"Hire a driver at {branch.name}",
                f"Now {plural(len(branch.agents), 'driver')}",
                partial(send, A.HireAgents(branch=branch.name, count=1)),
            )
