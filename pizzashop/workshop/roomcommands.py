"""`pizzashop room …`: the instructor's commands to the room a `serve ssh --room` server runs.

Each command is one request on the room's socket and prints one line (or, for `status`, a table
or `--json`); no room, a refused command or a bad argument is one line on stderr and status 2.
`room watch` (the projector's console) is the UI's (`pizzashop.ui.roomwatch`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from pizzashop.sim import InputError
from pizzashop.sim.actions import MAX_DISRUPTION_MINUTES, MAX_RUSH_FACTOR
from pizzashop.workshop.room import NOTICE_LIMIT
from pizzashop.workshop.roomclient import RoomError, ask_once

LOSS_SHORT = {
    "queue_full": "full",
    "gave_up": "gave up",
    "branch_dark": "dark",
    "no_route": "no route",
    "no_chef": "no chef",
    "stale_recipe": "stale",
    "unserved_at_close": "unserved",
}


def _number(low: float, high: float, low_open: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (low < value if low_open else low <= value) or not value <= high:
            bound = f"more than {low:g}" if low_open else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({bound}, at most {high:g})")
        return value

    return parse


def add_room_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    room = commands.add_parser(
        "room", help="run the round of a `serve ssh --room` server: status, start, game day …"
    )
    kinds = room.add_subparsers(
        dest="room_command", metavar="COMMAND", required=True, parser_class=type(room)
    )
    status = kinds.add_parser("status", help="every seat: clock, speed, goodput, losses, money")
    status.add_argument("--json", action="store_true", help="print the seats as a JSON list")
    kinds.add_parser("watch", help="the projector's console: every seat live, and the controls")
    kinds.add_parser("start", help="open the gate: every seat's shift starts at once")
    kinds.add_parser("pause", help="pause every seat")
    kinds.add_parser("resume", help="resume every seat")
    kinds.add_parser("end", help="end the round: every shift is finished, ranked and recorded")
    minutes = _number(0, MAX_DISRUPTION_MINUTES, low_open=True)
    outage = kinds.add_parser("outage", help="game day: cut the power at a branch or an area")
    outage.add_argument("target", metavar="BRANCH|AREA")
    outage.add_argument("--minutes", type=minutes, required=True)
    rush = kinds.add_parser("rush", help="game day: orders × FACTOR for a while")
    rush.add_argument("--factor", type=_number(1, MAX_RUSH_FACTOR), required=True)
    rush.add_argument("--minutes", type=minutes, required=True)
    leave = kinds.add_parser("leave", help="game day: a chef is called away")
    leave.add_argument("target", metavar="CHEF")
    leave.add_argument("--minutes", type=minutes, required=True)
    announce = kinds.add_parser("announce", help="a one-line notice on every screen")
    announce.add_argument("text", nargs="+")


def room_command(args: argparse.Namespace) -> str:
    """Run one room command; the line (or table) to print. A refusal is an InputError."""
    command = args.room_command
    fields: dict[str, Any] = {
        "target": getattr(args, "target", None),
        "minutes": getattr(args, "minutes", None),
        "factor": getattr(args, "factor", None),
    }
    if command == "announce":
        fields["text"] = " ".join(args.text)[: 4 * NOTICE_LIMIT]
    try:
        reply = asyncio.run(ask_once(command, **fields))
    except RoomError as error:
        raise InputError(f"room {command}", "", str(error)) from None
    if command == "status":
        return json.dumps(reply["seats"]) if args.json else format_status(reply)
    players = reply.get("players", 0)
    seats = f"{players} seat{'s' if players != 1 else ''}"
    if command in ("outage", "rush", "leave"):
        return f"{reply['text']} (sim minute {reply['at']:g}), sent to {seats}"
    done = {
        "start": "the round has started",
        "pause": "every seat is paused",
        "resume": "every seat plays on",
        "end": "the round is over: every shift is being finished and ranked",
        "announce": f"announced: {reply.get('text', '')}",
    }
    return f"{done[command]} ({seats})"


def format_status(reply: dict[str, Any]) -> str:
    """The round as a table: a header line, one line per seat, the game day, the ranking."""
    lines = [
        f"{reply['title']} — {reply['level']}, seed {reply['seed']} — {reply['phase']} — "
        f"round {reply['round']}"
    ]
    seats = reply["seats"]
    if not seats:
        lines.append("no seats yet: participants connect with ssh -p PORT NAME@host")
    else:
        lines.append(
            f"{'player':<24} {'state':<12} {'clock':>5} {'speed':>5} {'goodput':>7} "
            f"{'placed':>6} {'lost':>5} {'money':>9}  lost by cause"
        )
    for seat in seats:
        goodput = "—" if seat["goodput"] is None else f"{seat['goodput']:.1%}"
        speed = "‖" if seat["paused"] else f"{seat['speed']}×" if seat["speed"] else ""
        causes = ", ".join(f"{LOSS_SHORT.get(c, c)} {n}" for c, n in seat["lost"].items() if n)
        step = "  out of step" if seat["out_of_step"] else ""
        lines.append(
            f"{seat['player']:<24} {seat['state']:<12} {seat['clock']:>5} {speed:>5} "
            f"{goodput:>7} {seat['orders_placed']:>6} {seat['orders_lost']:>5} "
            f"{seat['money']:>9,.0f}  {causes}{step}"
        )
    for injection in reply["injections"]:
        lines.append(f"{injection['text']} (sim minute {injection['at']:g})")
    if reply.get("notice"):
        lines.append(f"notice: {reply['notice']}")
    if reply["ranking"]:
        lines.append("ranking (goodput, then score):")
        for row in reply["ranking"]:
            lines.append(
                f"{row['rank']:>3}. {row['player']:<24} {row['goodput']:>7.1%} "
                f"{row['score']:>7,}  {'★' * row['stars']:<3} lost {row['orders_lost']}  "
                f"{row['routing']}"
            )
    return "\n".join(lines)
