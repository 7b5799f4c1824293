"""The command palette during a shift: every action the scenario allows, searchable by name.

Actions with a small choice (upgrade Mario, route kitchens by ring, open North) are direct
commands; the others open their dialog. Each still goes through the sim and is shown its outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from pizzashop.sim import BRANCH_STRATEGIES, KITCHEN_STRATEGIES
from pizzashop.sim import actions as A
from pizzashop.ui.game import SPEEDS
from pizzashop.ui.keys import ACTION_KINDS_OF_KEY
from pizzashop.ui.widgets.board import ShopBoard

if TYPE_CHECKING:
    from pizzashop.ui.screens.shift import ShiftScreen


def shift_commands(screen: ShiftScreen) -> Iterable[SystemCommand]:
    yield SystemCommand("Pause / resume", "Pause or resume the shift", screen.action_pause)
    for speed in SPEEDS:
        yield SystemCommand(
            f"Speed {speed}×",
            f"{speed} sim minutes per second",
            partial(screen.action_speed, speed),
        )
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


def _dialogs(screen: ShiftScreen) -> Iterable[SystemCommand]:
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


def _chefs(screen: ShiftScreen) -> Iterable[SystemCommand]:
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


def _routing(screen: ShiftScreen) -> Iterable[SystemCommand]:
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


def _branches(screen: ShiftScreen) -> Iterable[SystemCommand]:
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
                f"Now {len(branch.agents)} drivers",
                partial(send, A.HireAgents(branch=branch.name, count=1)),
            )
