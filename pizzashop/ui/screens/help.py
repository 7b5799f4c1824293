"""Help: the keys, what the board's symbols mean, the routing strategies and how play is scored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from pizzashop.sim import describe_strategies
from pizzashop.ui.keys import HELP_TEXT, SHIFT_BINDINGS, SPEED

KEY_NAMES = {"full_stop": ".", "question_mark": "?"}
SYMBOLS = (
    ("● ◐ ○", "a waiting item; the dot empties as the customer's patience runs out"),
    ("━━━──", "how far a chef is through the current job"),
    ("L2/5", "a chef's level out of the top level (the hardware limit)"),
    ("bk", "a backup chef: on call, or covering for a chef on leave"),
    ("▸ ◂ ·", "a driver out with an order, on the way back, or waiting"),
    ("! 2", "warnings at a branch (they fire before orders are lost)"),
    ("✓ ! ✗", "a goal met, at risk, or missed as things stand (header and metrics)"),
)

SCORING = (
    "Goodput = orders delivered on time ÷ orders placed — the headline. Orders placed = delivered "
    "+ lost (by cause) + still in flight. During the shift the header shows goodput over the "
    'orders already done ("of 20 done"), with those in flight apart; at the end, over every '
    "order placed. Latency is order to door (p50/p95/p99) and is always shown beside the losses; "
    "the charts cover the last hour, the goals the whole shift. Score = 1000 × goodput + profit "
    "÷ 10. Stars: main goal, then bonus and speed goals."
)


def shift_keys() -> list[tuple[str, str]]:
    """The keys of a shift, as (key, what it does)."""
    rows = []
    for binding in SHIFT_BINDINGS:
        if binding.group is SPEED:
            if binding.key == "1":
                rows.append(("1 2 3 4", HELP_TEXT["speed"]))
            continue
        rows.append((KEY_NAMES.get(binding.key, binding.key), HELP_TEXT[binding.action]))
    rows.append(("↑ ↓  ⏎  click", HELP_TEXT["choose"]))
    return rows


def screen_keys(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """Another screen's keys (the title's, say), from its bindings' labels and tooltips."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            key = binding.key_display or ", ".join(
                KEY_NAMES.get(key, key) for key in binding.key.split(",")
            )
            rows.append((key, binding.tooltip or binding.description))
    return rows


def keys_table(rows: list[tuple[str, str]]) -> Table:
    table = Table(title="Keys", show_header=False, box=None, expand=True, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for key, text in rows:
        table.add_row(key, text)
    table.add_row("ctrl+p", HELP_TEXT["palette"])
    table.add_row("ctrl+c", HELP_TEXT["quit"])
    return table


def strategies_table() -> Table:
    table = Table(title="Routing strategies", show_header=False, box=None, expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for level, strategies in describe_strategies().items():
        for name, summary in strategies.items():
            table.add_row(level, name, summary)
    return table


def symbols_table() -> Table:
    table = Table(title="On the board", show_header=False, box=None, expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for symbol, meaning in SYMBOLS:
        table.add_row(symbol, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    """The keys of the screen it was opened from (by default a shift's), and the game's rules."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "close")]

    def __init__(self, keys: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.keys = shift_keys() if keys is None else keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help") as box:
            box.border_title = "Help"
            yield Static(
                Group(
                    keys_table(self.keys),
                    Text(""),
                    symbols_table(),
                    Text(""),
                    strategies_table(),
                    Text(""),
                    Text("Scoring", style="bold", justify="center"),
                    Text(SCORING),
                    Text(""),
                    Text(
                        "The shop keeps running while a dialog is open: pause first to think.",
                        style="italic",
                    ),
                )
            )
        yield Footer(compact=True)
