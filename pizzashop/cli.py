"""The `pizzashop` command: the game with no arguments, and headless subcommands.

Bad input of any kind prints one line naming the file or argument, the field and the problem,
and exits with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Union, get_args

from pydantic import Field, TypeAdapter

from pizzashop import __version__
from pizzashop.hosting.commands import STORE_HELP, add_serve_parser, serve
from pizzashop.sim import (
    KITCHEN_STRATEGIES,
    InputError,
    Scenario,
    Simulation,
    build_report,
    bundled_scenarios,
    describe_strategies,
    load_actions,
    load_scenario,
)
from pizzashop.sim.actions import ACTION_KINDS, DISRUPTION_KINDS, Action
from pizzashop.sim.baseline import baselines
from pizzashop.sim.campaign import levels
from pizzashop.sim.files import MAX_FILE_BYTES, one_line, parse_actions, parse_scenario, read_data
from pizzashop.sim.levelcheck import SEEDS as CHECK_SEEDS
from pizzashop.sim.levelcheck import check_levels, passed
from pizzashop.workshop.room import is_room_data, parse_room
from pizzashop.workshop.roomcommands import add_room_parser, room_command
from pizzashop.workshop.sandbox import LIMITS

if TYPE_CHECKING:
    from pizzashop.workshop.leaderboard import Entry

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, shaped like every other error, and status 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("pizzashop").strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_BAD_INPUT, f"pizzashop: error: {where}{one_line(message)} (see --help)\n")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is out of range (0 … 2^63-1)")
    return value


def _count(least: int, most: int) -> Callable[[str], int]:
    """An argument type: a whole number from `least` to `most`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({least} … {most})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pizzashop",
        description="Run a pizza shop, learn system design. With no command, opens the game.",
    )
    parser.add_argument("--version", action="version", version=f"pizzashop {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = commands.add_parser("play", help="play a shift in the terminal")
    play.add_argument("scenario", nargs="?", default=None, help="a bundled name or a TOML path")
    play.add_argument("--seed", type=_seed, default=None)
    play.add_argument(
        "--load",
        type=Path,
        default=None,
        metavar="FILE",
        help="continue a saved game, or watch a replay (files from the game's saves/, replays/)",
    )
    play.add_argument(
        "--versus",
        choices=list(KITCHEN_STRATEGIES),
        default=None,
        metavar="STRATEGY",
        help=f"play against a routing algorithm on your orders: {', '.join(KITCHEN_STRATEGIES)}",
    )

    run = commands.add_parser("run", help="run a whole shift headless and print the report")
    run.add_argument("scenario", help="a bundled scenario's name or a TOML path")
    files = f"TOML or JSON file of actions (a regular file, at most {MAX_FILE_BYTES >> 20} MiB)"
    run.add_argument("--seed", type=_seed, default=None, help="override the scenario's seed")
    run.add_argument("--actions", type=Path, default=None, help=files)
    limits = LIMITS
    strategy_help = (
        f"kitchen routing for every branch: {', '.join(KITCHEN_STRATEGIES)}, "
        "or your own router as path/to/file.py:ClassName, run in a separate process that may "
        f"take {limits.call_seconds:g} s a decision and {limits.run_seconds:g} s a run, use "
        f"{limits.memory_bytes >> 20} MiB, and not fork, run programs, use the network or write "
        "files"
    )
    run.add_argument("--strategy", default=None, help=strategy_help)
    run.add_argument("--json", action="store_true", help="print one JSON object")

    grade_help = (
        "grade an entry over a level's seeds (JSON) and record it on the leaderboard (an "
        "edited copy of a bundled level goes on a board of its own, never on the level's)"
    )
    grade = commands.add_parser("grade", help=grade_help, description=grade_help)
    grade.add_argument("scenario", help="a level's id, a bundled scenario or a TOML path")
    grade.add_argument("--actions", type=Path, default=None, help=files)
    grade.add_argument("--strategy", default=None, help=strategy_help)
    grade.add_argument("--name", default=None, help="the name on the leaderboard")

    scores = commands.add_parser("scores", help="the leaderboard of a level")
    scores.add_argument(
        "scenario", help="a level's id, a bundled scenario or a TOML path (that file's own board)"
    )
    scores.add_argument("--seed", type=_seed, default=None, help="only this seed")
    scores_view = scores.add_mutually_exclusive_group()
    scores_view.add_argument("--json", action="store_true", help="print one JSON object")
    scores_view.add_argument(
        "--live", action="store_true", help="redraw every 2 s until Ctrl+C (instructor's view)"
    )
    scores.add_argument("--leaderboard", default=None, help=STORE_HELP)

    size = f"{MAX_FILE_BYTES >> 20} MiB"
    levels = commands.add_parser("levels", help="list the campaign levels in play order")
    levels.add_argument("--json", action="store_true", help="print one JSON array")
    level_commands = levels.add_subparsers(
        dest="levels_command", metavar="check", parser_class=_Parser
    )
    check = level_commands.add_parser(
        "check",
        help="search for ways to win each level without its concept (status 1 if one wins)",
    )
    check.add_argument("level", nargs="?", default=None, help="one level's id (default: all)")
    check.add_argument(
        "--seeds",
        type=_count(CHECK_SEEDS, 1000),
        default=CHECK_SEEDS,
        metavar="N",
        help=f"play each strategy on the level's seed and the next N-1 (default and least: "
        f"{CHECK_SEEDS})",
    )
    check.add_argument(
        "--jobs",
        type=_count(1, 64),
        default=None,
        metavar="N",
        help="levels checked at once, each in its own process (default: the machine's CPUs)",
    )
    check.add_argument(
        "--deep",
        action="store_true",
        help="no screening: every move on every seed, every pair of the best 40 (minutes)",
    )
    check.add_argument("--json", action="store_true", help="print one JSON array")

    commands.add_parser("scenarios", help="list the bundled scenarios")
    commands.add_parser("strategies", help="list the routing strategies")
    validate_help = f"check a scenario or action file (a regular file, at most {size})"
    validate = commands.add_parser("validate", help=validate_help, description=validate_help)
    validate.add_argument("file", type=Path)
    schema = commands.add_parser("schema", help="print the JSON schema of scenario files")
    schema.add_argument(
        "--actions",
        action="store_true",
        help="print the JSON schema of an action file's entries instead (one per action kind)",
    )
    add_serve_parser(commands)
    add_room_parser(commands)
    return parser


@contextmanager
def routing(spec: str | None) -> Iterator[str | None]:
    """The kitchen strategy `spec` names while the block runs: a registered one, or a
    participant's `file.py:Class`, run in a sandboxed child process until the block ends."""
    if spec is None or spec in KITCHEN_STRATEGIES:
        yield spec
    elif ":" in spec:
        from pizzashop.workshop.strategies import player_router

        with player_router(spec) as name:
            yield name
    else:
        choices = ", ".join(KITCHEN_STRATEGIES)
        problem = f"unknown strategy {spec!r} (choose from {choices}, or file.py:Class)"
        raise InputError("--strategy", "", problem)


def strategy_allowed(scenario: Scenario, spec: str | None) -> None:
    """A `--strategy` sets the kitchen's routing, which the game lets a player choose only where
    the scenario allows `route_kitchen`; elsewhere it is bad input, refused before anything runs."""
    allowed = scenario.allowed_actions
    if spec is not None and allowed is not None and "route_kitchen" not in allowed:
        raise InputError(
            "--strategy",
            "",
            f"{scenario.name} does not let the player choose the kitchen's routing "
            f"(its actions: {', '.join(allowed)})",
        )


def run_shift(
    scenario: Scenario, seed: int | None, actions_path: Path | None, strategy: str | None
) -> dict[str, Any]:
    """Run one shift headless; the report is byte-identical for identical inputs. It carries the
    same seed played doing nothing and the level's naive way (`baseline`)."""
    strategy_allowed(scenario, strategy)
    actions = load_actions(actions_path) if actions_path is not None else []
    with routing(strategy) as name:
        sim = Simulation(scenario, seed=seed, kitchen_strategy=name)
        sim.schedule(actions)
        sim.run()
        report = build_report(sim)
    report["baseline"] = baselines(scenario, seed)
    return report


def format_table(report: dict[str, Any]) -> str:
    """The report as aligned text for a terminal."""
    rows: list[tuple[str, str]] = [
        ("scenario", f"{report['scenario']} (seed {report['seed']})"),
        ("routing", f"kitchen {report['kitchen_strategy']}, branch {report['branch_strategy']}"),
        ("orders placed", str(report["orders_placed"])),
        ("delivered", f"{report['orders_delivered']} ({report['orders_on_time']} on time)"),
        ("goodput", f"{report['goodput']:.1%}"),
        ("throughput", f"{report['throughput_per_hour']:.1f} orders/hour"),
        (
            "order-to-door",
            f"p50 {report['latency_p50']:.1f}  p95 {report['latency_p95']:.1f}  "
            f"p99 {report['latency_p99']:.1f} min",
        ),
        ("lost", str(report["orders_lost_total"])),
    ]
    rows += [(f"  {cause}", str(n)) for cause, n in report["orders_lost"].items() if n]
    rows += [
        ("revenue", f"{report['revenue']:,.2f}"),
        ("refunds", f"{report['refunds']:,.2f}"),
    ]
    rows += [(f"  {cause}", f"{v:,.2f}") for cause, v in report["costs"].items() if v]
    rows += [("profit", f"{report['profit']:,.2f}")]
    per_1000 = report["cost_per_1000_on_time"]
    rows += [("cost / 1000 on time", "n/a" if per_1000 is None else f"{per_1000:,.0f}")]
    rows += [("score", str(report["score"]))]
    if "won" in report:
        rows += [("result", f"{'won' if report['won'] else 'lost'}, {report['stars']} star(s)")]
    rows += [(f"refused at {r['clock']}", f"{r['kind']}: {r['reason']}") for r in report["refused"]]
    for way, figures in report.get("baseline", {}).items():
        rows += [(f"{way} instead", _baseline_row(figures))]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _baseline_row(figures: dict[str, Any]) -> str:
    """The same day played another way, in a line: the report's own figures."""
    text = (
        f"goodput {figures['goodput']:.1%}, lost {figures['orders_lost_total']}, "
        f"p95 {figures['latency_p95']:.1f} min, profit {figures['profit']:,.2f}"
    )
    return text + (f", {'won' if figures['won'] else 'lost'}" if "won" in figures else "")


def action_schema() -> dict[str, Any]:
    """The JSON schema of one action file entry: every kind a player may use, told apart by
    `kind`. The game day's disruptions are left out: only a room injects them, and an action
    file that holds one is refused."""
    models = [
        model
        for model in get_args(get_args(Action)[0])
        if model.model_fields["kind"].default in ACTION_KINDS
    ]
    entry: Any = Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007
    schema = TypeAdapter(entry).json_schema()
    for model in models:  # `kind` has a default in Python, but an entry is told apart by it
        definition = schema["$defs"][model.__name__]
        definition["required"] = ["kind", *definition.get("required", [])]
    schema["title"] = "pizzashop action"
    schema["description"] = (
        "One entry of an action file ([[actions]] in TOML, a list in JSON). The game day's "
        f"disruptions ({', '.join(DISRUPTION_KINDS)}) are a room's and refused here."
    )
    return schema


def _validate(path: Path) -> str:
    data = read_data(path)
    if "actions" in data:
        return one_line(f"{path}: ok, {len(parse_actions(data, str(path)))} action(s)")
    if is_room_data(data):
        room = parse_room(data, str(path), path.parent)
        gate = ", behind a gate" if room.gate else ""
        return one_line(f"{path}: ok, room on {room.scenario.name!r} seed {room.seed}{gate}")
    scenario = parse_scenario(data, str(path))
    return one_line(f"{path}: ok, scenario {scenario.name!r}")


def _grade(args: argparse.Namespace) -> dict[str, Any]:
    """Grade over the level's seeds; each run goes on the leaderboard under the entry's name."""
    from pizzashop.workshop.grading import describe_entry, grade
    from pizzashop.workshop.leaderboard import Leaderboard, board_name

    scenario = load_scenario(args.scenario)
    strategy_allowed(scenario, args.strategy)
    actions = load_actions(args.actions) if args.actions is not None else []
    with routing(args.strategy) as strategy:
        summary = grade(scenario, actions, strategy)
    summary["leaderboard"] = level = board_name(scenario)
    board = Leaderboard()
    try:
        name = args.name or describe_entry(args.actions, strategy)
        for run in summary["runs"]:
            entry = board.add(
                level, run["seed"], name, run["score"], run["goodput"],
                int(run["stars"] or 0), "grade",
            )  # fmt: skip
        summary["name"] = entry.name
    finally:
        board.close()
    return summary


def _scores(args: argparse.Namespace) -> str:
    from pizzashop.workshop.leaderboard import board_name, use_store

    level = board_name(load_scenario(args.scenario))
    board = use_store(args.leaderboard)
    try:
        entries = board.top(level, args.seed)
    finally:
        board.close()
    return _format_scores(args, level, entries)


def _live_scores(args: argparse.Namespace) -> int:
    from pizzashop.hosting.live import follow
    from pizzashop.workshop.leaderboard import board_name, use_store

    level = board_name(load_scenario(args.scenario))
    board = use_store(args.leaderboard)

    def render() -> str:
        return _format_scores(args, level, board.top(level, args.seed))

    try:
        return follow(f"{level} on {board.where}", render, sys.stdout)
    finally:
        board.close()


def _format_scores(args: argparse.Namespace, level: str, entries: list[Entry]) -> str:
    if args.json:
        return json.dumps({"level": level, "seed": args.seed, "scores": [
            {"name": e.name, "seed": e.seed, "score": e.score, "goodput": e.goodput,
             "stars": e.stars, "kind": e.kind} for e in entries
        ]})  # fmt: skip
    if not entries:
        return f"no scores yet for {level}" + ("" if args.seed is None else f" seed {args.seed}")
    lines = [f"{'#':>2}  {'name':<24} {'seed':>6} {'score':>6} {'goodput':>8}  stars"]
    for rank, entry in enumerate(entries, 1):
        lines.append(
            f"{rank:>2}  {entry.name:<24} {entry.seed:>6} {entry.score:>6} "
            f"{entry.goodput:>8.1%}  {'★' * entry.stars}"
        )
    return "\n".join(lines)


def _check_levels(args: argparse.Namespace) -> int:
    """`levels check`: the table or JSON, and exit status 1 when a level fails the check."""
    ids = [level.id for level in levels()]
    if args.level is not None and args.level not in ids:
        raise InputError(args.level, "", f"no such level (levels: {', '.join(ids)})")
    chosen = ids if args.level is None else [args.level]
    jobs = args.jobs or os.cpu_count() or 1
    results = check_levels(chosen, args.seeds, jobs, args.deep)
    if args.json:
        sys.stdout.write(json.dumps(results) + "\n")
    else:
        sys.stdout.write("\n\n".join(format_check(result) for result in results) + "\n")
    return 0 if all(passed(result) for result in results) else 1


def format_check(result: dict[str, Any]) -> str:
    """One level's check as a few lines of text."""
    goal = result["goal"]
    bound = f"≥ {goal['min']:g}" if "min" in goal else f"≤ {goal['max']:g}"
    best, seeds = result["best_without"], len(result["seeds"])
    verdict = "forced" if result["forced"] else "HOLLOW: won without its concept"
    lines = [
        f"{result['id']} ({result['concept']}): {verdict}",
        f"  best without the concept: {best['label']}",
        f"    wins {best['wins']} of {seeds} seeds, mean {goal['metric']} {best['mean']:g} "
        f"(goal {bound})" + (f", {best['refused']} action(s) refused" if best["refused"] else ""),
        f"  win proof's worst seed {_signed(result['win_margin'])} past the goal, "
        f"naive proof's best {_signed(result['naive_margin'])}",
    ]
    for extra in result.get("also", []):
        lines.append(
            f"  and {extra['goal']['metric']}: win proof {_signed(extra['win_margin'])}, "
            f"naive proof {_signed(extra['naive_margin'])}"
        )
    stars = ", ".join(
        f"{tier} {star['seeds_earned']}/{seeds}{'' if star['reachable'] else ' UNREACHABLE'} "
        f"({star['by']})"
        for tier, star in result["stars"].items()
    )
    lines.append(f"  stars with the concept: {stars}")
    return "\n".join(lines)


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+g}"


def _command(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.command == "run":
        report = run_shift(load_scenario(args.scenario), args.seed, args.actions, args.strategy)
        out.write((json.dumps(report) if args.json else format_table(report)) + "\n")
    elif args.command == "grade":
        out.write(json.dumps(_grade(args)) + "\n")
    elif args.command == "scores" and args.live:
        return _live_scores(args)
    elif args.command == "scores":
        out.write(_scores(args) + "\n")
    elif args.command == "serve":
        return serve(args)
    elif args.command == "room" and args.room_command == "watch":
        from pizzashop.ui.roomwatch import watch

        return watch()
    elif args.command == "room":
        out.write(room_command(args) + "\n")
    elif args.command == "levels" and args.levels_command == "check":
        return _check_levels(args)
    elif args.command == "levels":
        found = levels()
        if args.json:
            out.write(json.dumps([level.as_json() for level in found]) + "\n")
        for level in [] if args.json else found:
            out.write(f"{level.number:>2}  {level.id:<22} {level.title}  ({level.concept})\n")
    elif args.command == "scenarios":
        for name, path in bundled_scenarios().items():
            scenario = parse_scenario(read_data(path), str(path))
            out.write(f"{name:<16} {scenario.title}\n")
    elif args.command == "strategies":
        for level, strategies in describe_strategies().items():
            for name, summary in strategies.items():
                out.write(f"{level:<8} {name:<13} {summary}\n")
    elif args.command == "validate":
        out.write(_validate(args.file) + "\n")
    elif args.command == "schema":
        schema = action_schema() if args.actions else Scenario.model_json_schema()
        out.write(json.dumps(schema, indent=2) + "\n")
    else:
        from pizzashop.ui.launch import launch

        scenario = getattr(args, "scenario", None)
        return launch(
            scenario,
            getattr(args, "seed", None),
            title=args.command is None,
            load=getattr(args, "load", None),
            versus=getattr(args, "versus", None),
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _command(args)
    except InputError as error:
        sys.stderr.write(f"pizzashop: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
