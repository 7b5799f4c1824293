"""The report's comparisons: the player's record and the leaderboard after a level, and the
player's shop beside the algorithm's in a versus game.

Every cell is a rich `Text`, never a markup string, and names are cleaned again on the way out
(a score written by an older or a tampered store): nothing in a name can style the screen or
send an escape to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pizzashop.player.career import Standing, level_title
from pizzashop.sim import LossCause
from pizzashop.sim.files import one_line
from pizzashop.ui.metric_rows import LOSS_LABELS

NAME_WIDTH = 24


def stars(count: int) -> str:
    return "★" * count + "☆" * (3 - count)


def standing_view(standing: Standing) -> Group:
    """Stars and best score on the level, the level this win unlocked, and the top scores."""
    record = standing.record
    score = record.best_score or 0
    line = Text(stars(record.stars) + "  ", "bold")
    if standing.previous_best is None:
        line.append(f"first score on this level: {score:,}")
    elif standing.new_best:
        line.append(f"new best score {score:,}", "bold")
        line.append(f" (was {standing.previous_best:,})")
    else:
        line.append(f"best score {score:,}")
    line.append(f" · played {record.plays} time{'s' if record.plays != 1 else ''}")
    parts: list[Text | Table] = [line]
    if standing.unlocked is not None:
        parts.append(Text(f"Unlocked the next level: {level_title(standing.unlocked)}", "bold"))
    for problem in standing.problems:
        parts.append(Text(problem, "italic"))
    if standing.top:
        parts.append(Text(f"\nTop scores · {standing.level} · seed {standing.seed}", "bold"))
        parts.append(leaderboard_table(standing))
    return Group(*parts)


def leaderboard_table(standing: Standing) -> Table:
    table = Table(show_header=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("goodput", justify="right", no_wrap=True)
    table.add_column("stars", no_wrap=True)
    table.add_column("", no_wrap=True)
    for rank, entry in enumerate(standing.top, start=1):
        table.add_row(
            Text(str(rank)),
            Text(one_line(entry.name)[:NAME_WIDTH]),
            Text(f"{entry.score:,}"),
            Text(f"{entry.goodput:.1%}"),
            Text(stars(entry.stars)),
            Text("◂ this shift" if entry == standing.mine else "", "bold"),
        )
    return table


def versus_table(mine: dict[str, Any], rival: dict[str, Any], strategy: str) -> Table:
    """Both shops' headline figures, lost orders by cause, latency and money, side by side."""
    return comparison_table([("you", mine), (strategy, rival)])


def comparison_table(ways: list[tuple[str, dict[str, Any]]]) -> Table:
    """Shifts side by side, one column each (the player's first): score, goodput, orders and
    how they ended (lost by cause), latency and money, in the report's own definitions."""
    table = Table(show_header=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column("", no_wrap=True)
    for name, _ in ways:
        table.add_column(Text(name), justify="right", max_width=18)
    figures = [report for _, report in ways]

    def each(show: Callable[[dict[str, Any]], str]) -> list[str]:
        return [show(report) for report in figures]

    rows: list[tuple[str, list[str]]] = [
        ("score", each(lambda r: f"{r['score']:,}")),
        ("goodput", each(lambda r: f"{r['goodput']:.1%}")),
        ("orders placed", each(lambda r: str(r["orders_placed"]))),
        ("delivered", each(lambda r: str(r["orders_delivered"]))),
        ("  on time", each(lambda r: str(r["orders_on_time"]))),
        ("lost", each(lambda r: str(r["orders_lost_total"]))),
    ]
    for cause in LossCause:
        counts = [report["orders_lost"][cause.value] for report in figures]
        if any(counts):
            rows.append((f"  {LOSS_LABELS[cause.value]}", [str(n) for n in counts]))
    rows += [
        ("p95 order→door", each(lambda r: f"{r['latency_p95']:.1f} min")),
        ("profit", each(lambda r: f"{r['profit']:,.0f}")),
    ]
    if all("costs_total" in report for report in figures):
        rows.insert(-1, ("costs", each(lambda r: f"{r['costs_total']:,.0f}")))
    if all("stars" in report for report in figures):
        rows.append(("stars", each(lambda r: stars(r["stars"]))))
    for label, cells in rows:
        table.add_row(Text(label), *(Text(cell) for cell in cells))
    return table
