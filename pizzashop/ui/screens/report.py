"""End of shift: score and stars, charts over the shift, the loss ledger, the worst moments and
what led to them, and the scenario's debrief; after a level, the player's record and the
leaderboard for its seed; in a versus game, both shops side by side. Retry with the same seed,
watch the replay, save it, or export the report from here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from pizzashop.player.career import Standing
from pizzashop.player.library import REPLAYS, export_shift, save_game, shown_error, shown_path
from pizzashop.sim import (
    LOSS_TEXT,
    MOMENT_MINUTES,
    PART_TEXT,
    PARTS,
    LossCause,
    Simulation,
    build_report,
    split_text,
)
from pizzashop.sim.baseline import baselines
from pizzashop.sim.campaign import render_debrief
from pizzashop.sim.files import one_line
from pizzashop.sim.live import GoalState, goal_standings
from pizzashop.sim.meters import Meter, meter
from pizzashop.ui.codex import Codex
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.host import host
from pizzashop.ui.metric_rows import LOSS_LABELS, agreeing, goal_cell
from pizzashop.ui.notice import Notice
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.standing import comparison_table, standing_view, stars, versus_table
from pizzashop.ui.widgets.cells import singular_counts
from pizzashop.ui.widgets.charts import Chart, ShiftCharts
from pizzashop.ui.widgets.footer import Footer

HEADLINES = {Mode.PLAY: "End of shift", Mode.SANDBOX: "Sandbox", Mode.REPLAY: "Replay"}
LEAD_MINUTES = 30.0
"""How far before a bad moment to look for the warnings that announced it."""
LEAD_KINDS = frozenset({"warning", "power", "staff", "menu", "remap"})


def stars_text(report: dict[str, Any]) -> str:
    if "stars" not in report:
        return "no goals in this scenario"
    earned = report["stars"]
    return stars(earned) + ("  won" if report["won"] else "  not won")


def goals_table(sim: Simulation, report: dict[str, Any]) -> Table | None:
    """Each goal met or missed, beside the figure that decided it (printed precisely enough to
    agree with its bound: a p95 of 29.99 against "under 30" is not shown as 30)."""
    if sim.scenario.goals is None:
        return None
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_column(no_wrap=True)
    standings = goal_standings(sim, report)
    # The main goal's line names its `also` targets too ("… for costs under 410"): it is ticked
    # only when they hold as well, as the win is.
    also_missed = any(s.tier == "also" and s.state is not GoalState.MET for s in standings)
    for standing in standings:
        goal, cell = standing.goal, goal_cell(standing)
        met = standing.state is GoalState.MET and not (standing.tier == "main" and also_missed)
        table.add_row(
            "✓" if met else "✗",
            standing.tier,
            goal.text or f"{cell.label} {cell.bound}",
            f"{cell.label} {cell.value}",
        )
    return table


def baseline_table(sim: Simulation, report: dict[str, Any]) -> Table:
    """This shift beside the same seed played doing nothing and, for a level, its naive way:
    the same customers, leaves and outages (common random numbers), so the difference is what
    the player did."""
    found = baselines(sim.scenario, sim.seed)
    lesson = sim.scenario.lesson
    ways = [("you", report), ("doing nothing", found["nothing"])]
    if "naive" in found:
        naive = lesson.naive if lesson is not None and lesson.naive else "the naive way"
        ways.append((naive, found["naive"]))
    return comparison_table(ways)


def meter_view(shown: Meter) -> Group:
    """The level's concept meter as the shift ended: its table and what it says."""
    table = Table(show_header=bool(shown.columns), box=None, padding=(0, 1), header_style="bold")
    count = max((len(row) for row in shown.rows), default=len(shown.columns))
    for index in range(count):
        header = shown.columns[index] if index < len(shown.columns) else ""
        table.add_column(Text(header), justify="left" if index == 0 else "right")
    for row in shown.rows:
        table.add_row(*(Text(cell) for cell in row))
    return Group(Text(shown.title, "bold"), table, Text(shown.note, "italic"))


def figures_table(
    report: dict[str, Any], p95_bound: float | None = None, delivers: bool = True
) -> Table:
    """The report's figures; where order-to-door time went is split into its parts (no driver
    or road where the shop does not deliver)."""
    table = Table(show_header=False, box=None, padding=(0, 1))
    p95 = agreeing(report["latency_p95"], p95_bound)
    late = report["orders_late"]
    split = [report["latency_split"][part] for part in PARTS]
    split_late = [report["latency_split_late"][part] for part in PARTS]
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    per_1000 = report["cost_per_1000_on_time"]
    rows = [
        ("score", f"{report['score']:,}  (1000 × goodput + profit ÷ 10)"),
        ("goodput", f"{report['goodput']:.1%} on time of {report['orders_placed']} orders placed"),
        ("delivered", f"{report['orders_delivered']} ({report['orders_on_time']} on time)"),
        ("lost", str(report["orders_lost_total"])),
        ("throughput", f"{report['throughput_per_hour']:.1f} orders/hour"),
        (
            "order→door",
            f"p50 {report['latency_p50']:.0f} · p95 {p95} · p99 {report['latency_p99']:.0f} min",
        ),
        ("  where it went", f"{split_text(split, delivers)} (mean min)"),
        ("  late orders", f"{late}: {split_text(split_late, delivers)}" if late else "none"),
        ("chefs busy", f"{report['chef_utilisation']:.0%} of their time on duty"),
        ("revenue", f"{report['revenue']:,.0f} (refunds {report['refunds']:,.0f})"),
        ("costs", ", ".join(f"{k} {v:,.0f}" for k, v in report["costs"].items() if v) or "none"),
        ("profit", f"{report['profit']:,.0f}"),
        ("per 1000 on time", "n/a" if per_1000 is None else f"{per_1000:,.0f}"),
        ("bases spoiled", str(report["bases_spoiled"])),
        ("remaps", str(report["remaps"])),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def ledger_table(report: dict[str, Any]) -> Table | Text:
    lost = {cause: n for cause, n in report["orders_lost"].items() if n}
    if not lost:
        return Text("No order was lost.")
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for cause, count in sorted(lost.items(), key=lambda kv: -kv[1]):
        table.add_row(str(count), LOSS_LABELS[cause], LOSS_TEXT[LossCause(cause)])
    return table


def moments_text(sim: Simulation) -> Text:
    """The worst quarter hours of the shift (orders lost or late), their main causes, and the
    warnings and events that came first."""
    moments = sim.metrics.worst_moments()
    if not moments:
        return Text("No bad moments: no order was lost or late.")
    text = Text()
    for moment in moments:
        end = moment.start + MOMENT_MINUTES
        text.append(f"{sim.clock(moment.start)}–{sim.clock(end)}  ", "bold")
        causes = []
        if moment.lost:
            causes.append(f"{moment.lost} lost, mostly: {LOSS_TEXT[LossCause(moment.cause)]}")
        if moment.late:
            causes.append(f"{moment.late} late, mostly {PART_TEXT[moment.part]}")
        text.append("; ".join(causes) + "\n")
        first_seen: dict[str, float] = {}
        for entry in sim.metrics.shop_log:
            if entry.kind in LEAD_KINDS and moment.start - LEAD_MINUTES <= entry.time < end:
                first_seen.setdefault(entry.text, entry.time)
        for entry_text, time in list(first_seen.items())[:3]:
            text.append(f"    {sim.clock(time)} {entry_text}\n", "italic")
    return text


def goal_bound(sim: Simulation, metric: str) -> tuple[float | None, str]:
    """The bound of the scenario's goal on `metric` (if any), and the goal in words."""
    goals = sim.scenario.goals
    for goal in (goals.main, goals.bonus, goals.speed) if goals is not None else ():
        if goal is not None and goal.metric == metric:
            bound = goal.min if goal.min is not None else goal.max
            op = "≥" if goal.min is not None else "≤"
            return bound, f"goal {op} {bound:g}"
    return None, ""


def shift_charts(sim: Simulation, report: dict[str, Any]) -> list[Chart]:
    """The shift's time series as charts, each with its unit and, where a goal applies, the
    goal's threshold."""
    samples = [s for s in sim.metrics.samples if s.time <= sim.now]
    p95_goal, p95_text = goal_bound(sim, "latency_p95")
    lost_goal, lost_text = goal_bound(sim, "orders_lost_total")
    profit_goal, profit_text = goal_bound(sim, "profit")
    start = sim.ledger.start
    money = tuple(s.money for s in samples)
    low = min((*money, start + (profit_goal or 0.0)), default=0.0)
    peak = max((s.throughput for s in samples), default=0)
    return [
        Chart(
            "throughput",
            f"orders delivered per hour · peak {peak:.0f}",
            tuple(s.throughput for s in samples),
        ),
        Chart(
            "p95 order→door",
            f"minutes, over the hour before each point · whole shift {report['latency_p95']:.1f}",
            tuple(s.p95 for s in samples),
            threshold=p95_goal,
            goal=f"{p95_text} min (whole shift)" if p95_text else "",
        ),
        Chart(
            "queue",
            f"items waiting · peak {max((s.queue for s in samples), default=0)}",
            tuple(float(s.queue) for s in samples),
        ),
        Chart(
            "lost",
            f"orders lost so far · {report['orders_lost_total']} in all",
            tuple(float(s.lost) for s in samples),
            threshold=lost_goal,
            goal=lost_text,
        ),
        Chart(
            "chefs busy",
            f"% of on-duty chef time cooking or prepping, each {sim.scenario.sample_minutes:g} min"
            f" · shift {report['chef_utilisation']:.0%}",
            tuple(100 * s.utilisation for s in samples),
            top=100.0,
        ),
        Chart(
            "money",
            f"balance · started {start:,.0f}, ended {sim.ledger.balance:,.0f}",
            money,
            bottom=min(0.0, low),
            threshold=None if profit_goal is None else start + profit_goal,
            goal=f"profit {profit_text}" if profit_text else "",
        ),
    ]


class ReportScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "retry", tooltip="the same scenario and seed from the start"),
        Binding("w", "replay", "replay", tooltip="watch this shift again: your actions, replayed"),
        Binding("s", "save_replay", "save replay", tooltip="keep the replay to watch later"),
        Binding("e", "export", "export", tooltip="the report as JSON and CSV files"),
        Binding("t", "title", "scenarios"),
        Binding("c", "codex", "codex"),
    ]

    def __init__(
        self,
        game: Game,
        codex: Codex,
        standing: Standing | None = None,
        used_up: Path | None = None,
    ) -> None:
        super().__init__()
        self.game = game
        self.codex = codex
        self.standing = standing
        self.used_up = used_up
        """The save this shift was continued from, removed from CONTINUE now it is over."""
        self.report = build_report(game.sim)
        game.keep_pace()
        self.rival = None if game.rival is None else build_report(game.rival)

    def compose(self) -> ComposeResult:
        sim, report = self.game.sim, self.report
        title = one_line(sim.scenario.title or sim.scenario.name)
        with VerticalScroll(classes="report"):
            yield Static(
                Text.assemble(
                    (f"{HEADLINES[self.game.mode]} · {title}", "bold"),
                    f"  seed {sim.seed}\n",
                    (f"score {report['score']:,}   ", "bold"),
                    stars_text(report),
                ),
                id="headline",
            )
            goals = goals_table(sim, report)
            if goals is not None:
                yield Static(goals, id="goals")
            if self.game.mode is not Mode.REPLAY:
                yield Static("The same customers, played other ways", classes="section")
                yield Static(baseline_table(sim, report), id="baseline")
            shown = meter(sim)
            if shown is not None:
                yield Static("What the concept bought", classes="section")
                yield Static(meter_view(shown), id="meter")
            if self.rival is not None:
                yield Static(f"You against {self.game.versus}", classes="section", markup=False)
                yield Static(versus_table(report, self.rival, self.game.versus or ""), id="versus")
            if self.standing is not None:
                yield Static("Campaign", classes="section")
                yield Static(standing_view(self.standing), id="standing")
            yield Static("Over the shift", classes="section")
            yield ShiftCharts(id="charts")
            yield Static("Figures", classes="section")
            p95_bound, _ = goal_bound(sim, "latency_p95")
            yield Static(figures_table(report, p95_bound, sim.delivery.enabled), id="figures")
            yield Static("Loss ledger", classes="section")
            yield Static(ledger_table(report), id="ledger")
            yield Static("Worst moments", classes="section")
            yield Static(moments_text(sim), id="moments")
            debrief = singular_counts(render_debrief(sim.scenario, report))
            if debrief:
                yield Static("Debrief", classes="section")
                yield Static(debrief, id="debrief", markup=False)
        yield Static(id="notice", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        sim = self.game.sim
        span = (0.0, max(sim.now, sim.shift_end))
        self.query_one(ShiftCharts).draw(shift_charts(sim, self.report), span, sim.clock)
        if self.used_up is not None:
            self.notify(
                f"The save this shift continued ({self.used_up.name}) is used up and no longer "
                "listed to continue; s keeps a replay of the whole shift."
            )

    def notice(self, notice: Notice) -> None:
        """Notices go in the report's own line: a toast would cover the debrief."""
        line = self.query_one("#notice", Static)
        line.update(Text(notice.plain(), "bold" if notice.severity == "error" else ""))
        line.set_class(notice.severity == "error", "-error")
        line.add_class("-shown")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "save_replay" or self.game.mode is not Mode.REPLAY

    def action_save_replay(self) -> None:
        try:
            path = save_game(self.game.sim, REPLAYS)
        except OSError as error:
            self.notify(
                shown_error(error), title="Replay not saved", severity="error", markup=False
            )
            return
        self.notify(f"Replay saved to {shown_path(path)}", title="Saved", timeout=8, markup=False)

    def action_export(self) -> None:
        try:
            paths = export_shift(self.game.sim)
        except OSError as error:
            self.notify(shown_error(error), title="Not exported", severity="error", markup=False)
            return
        written = "\n".join(shown_path(path) for path in paths)
        self.notify(written, title="Report exported", timeout=10, markup=False)

    def action_retry(self) -> None:
        """The same shift again, paused on its briefing."""
        host(self).start_shift(self.game.retry())

    def action_replay(self) -> None:
        host(self).start_shift(self.game.retry(replay=True), brief=False)

    def action_title(self) -> None:
        host(self).show_title()

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.codex))
