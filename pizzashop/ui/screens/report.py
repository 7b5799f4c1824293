"""End of shift: score and stars, charts over the shift, the loss ledger, the worst moments and
what led to them, and the scenario's debrief; after a level, the player's record and the
leaderboard for its seed; in a versus game, both shops side by side. Retry with the same seed,
watch the replay, save it, or export the report from here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from pizzashop.player.career import Standing
from pizzashop.player.library import REPLAYS, export_shift, save_game
from pizzashop.sim import LOSS_TEXT, LossCause, Simulation, build_report
from pizzashop.sim.campaign import render_debrief
from pizzashop.sim.files import one_line
from pizzashop.ui.codex import Codex
from pizzashop.ui.game import Game, Mode
from pizzashop.ui.host import host
from pizzashop.ui.metric_rows import Spark
from pizzashop.ui.notice import Notice
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.standing import standing_view, stars, versus_table
from pizzashop.ui.widgets.charts import ShiftCharts

HEADLINES = {Mode.PLAY: "End of shift", Mode.SANDBOX: "Sandbox", Mode.REPLAY: "Replay"}
MOMENT_MINUTES = 15.0
LEAD_MINUTES = 30.0
"""How far before a bad moment to look for the warnings that announced it."""
LEAD_KINDS = frozenset({"warning", "power", "staff", "menu", "remap"})


def stars_text(report: dict[str, Any]) -> str:
    if "stars" not in report:
        return "no goals in this scenario"
    earned = report["stars"]
    return stars(earned) + ("  won" if report["won"] else "  not won")


def goals_table(sim: Simulation, report: dict[str, Any]) -> Table | None:
    goals = sim.scenario.goals
    if goals is None:
        return None
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for tier, goal in (("main", goals.main), ("bonus", goals.bonus), ("speed", goals.speed)):
        if goal is not None:
            met = report["goals"][tier]
            bound = f"≥ {goal.min:g}" if goal.min is not None else f"≤ {goal.max:g}"
            table.add_row("✓" if met else "✗", tier, goal.text or f"{goal.metric} {bound}")
    return table


def figures_table(report: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 1))
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
            f"p50 {report['latency_p50']:.0f} · p95 {report['latency_p95']:.0f} · "
            f"p99 {report['latency_p99']:.0f} min",
        ),
        ("chefs busy", f"{report['chef_utilisation']:.0%}"),
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
        table.add_row(str(count), cause.replace("_", " "), LOSS_TEXT[LossCause(cause)])
    return table


def moments_text(sim: Simulation) -> Text:
    """The worst windows of the shift, their main cause, and the warnings that came first."""
    moments = sim.metrics.worst_moments(MOMENT_MINUTES)
    if not moments:
        return Text("No bad moments: nothing was lost.")
    text = Text()
    for moment in moments:
        end = moment.start + MOMENT_MINUTES
        text.append(f"{sim.clock(moment.start)}–{sim.clock(end)}  ", "bold")
        text.append(f"{moment.lost} lost, mostly: {LOSS_TEXT[LossCause(moment.cause)]}\n")
        first_seen: dict[str, float] = {}
        for entry in sim.metrics.log:
            if entry.kind in LEAD_KINDS and moment.start - LEAD_MINUTES <= entry.time < end:
                first_seen.setdefault(entry.text, entry.time)
        for entry_text, time in list(first_seen.items())[:3]:
            text.append(f"    {sim.clock(time)} {entry_text}\n", "italic")
    return text


def chart_rows(sim: Simulation) -> list[Spark]:
    samples = sim.metrics.samples
    losses = [s.lost for s in samples]
    lost_per_sample = [b - a for a, b in zip([0, *losses], losses, strict=False)]
    peak_queue = max((s.queue for s in samples), default=0)
    low_money = min((s.money for s in samples), default=0.0)
    return [
        Spark("throughput", "per hour", tuple(s.throughput for s in samples)),
        Spark("queue", f"peak {peak_queue}", tuple(s.queue for s in samples)),
        Spark("p95 latency", "minutes", tuple(s.p95 for s in samples)),
        Spark("lost", f"{sum(lost_per_sample)} total", tuple(lost_per_sample)),
        Spark("chefs busy", "share", tuple(s.utilisation for s in samples)),
        Spark("money", f"{sim.ledger.balance:,.0f}", tuple(s.money - low_money for s in samples)),
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
            if self.rival is not None:
                yield Static(f"You against {self.game.versus}", classes="section", markup=False)
                yield Static(versus_table(report, self.rival, self.game.versus or ""), id="versus")
            if self.standing is not None:
                yield Static("Campaign", classes="section")
                yield Static(standing_view(self.standing), id="standing")
            yield Static("Over the shift", classes="section")
            yield ShiftCharts(id="charts")
            yield Static("Figures", classes="section")
            yield Static(figures_table(report), id="figures")
            yield Static("Loss ledger", classes="section")
            yield Static(ledger_table(report), id="ledger")
            yield Static("Worst moments", classes="section")
            yield Static(moments_text(sim), id="moments")
            debrief = render_debrief(sim.scenario, report)
            if debrief:
                yield Static("Debrief", classes="section")
                yield Static(debrief, id="debrief", markup=False)
        yield Static(id="notice", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ShiftCharts).show(chart_rows(self.game.sim))
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
            self.notify(str(error), title="Replay not saved", severity="error", markup=False)
            return
        self.notify(f"Replay saved to {path}", title="Saved", timeout=8, markup=False)

    def action_export(self) -> None:
        try:
            paths = export_shift(self.game.sim)
        except OSError as error:
            self.notify(str(error), title="Not exported", severity="error", markup=False)
            return
        written = "\n".join(str(path) for path in paths)
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
