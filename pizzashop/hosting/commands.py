"""The `serve` subcommand: its arguments and how it starts a server.

The servers and their optional extras load only when one starts, so the rest of the command line
works without the ssh or web extras; a missing extra is a one-line error naming the install.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
from dataclasses import fields
from pathlib import Path

from pizzashop.sim.files import InputError
from pizzashop.workshop.room import load_room

STORE_HELP = "postgresql://user@host/db to share one leaderboard between hosts, or a SQLite file"
OLD_FOLDERS = (
    "players/ in the data directory holds {count} folder(s) from an older pizzashop, where "
    "different names could share a folder: games no longer read or write them (people/ holds "
    "each name's own); see docs/hosting.md to hand them back"
)
MAX_GAMES_PER_PROCESS = 16
"""More would put more players on one core and one crash than a host gains in memory."""


def _port(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (1 … 65535)")
    return value


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text} is out of range (more than 0, at most a week)")
    return value


def _games_per_process(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= MAX_GAMES_PER_PROCESS:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to {MAX_GAMES_PER_PROCESS})")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def add_serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="host the game for a class: over SSH or in a browser")
    kinds = serve.add_subparsers(
        dest="transport", metavar="KIND", required=True, parser_class=type(serve)
    )
    ssh = kinds.add_parser("ssh", help="each `ssh -p PORT NAME@host` gets a game of its own")
    web = kinds.add_parser("web", help="the game in a browser (needs the web extra)")
    for parser, port in ((ssh, 2222), (web, 8000)):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=_port, default=port)
        parser.add_argument("--max-sessions", type=_positive, default=30, help="games at once")
        parser.add_argument("--leaderboard", default=None, help=STORE_HELP)
        parser.add_argument(
            "--idle-timeout", type=_seconds, default=900.0, help="seconds without a key press"
        )
        parser.add_argument(
            "--rate-limit", type=_positive, default=30,
            help="new games per address (IPv6: per /64) per minute",
        )  # fmt: skip
    ssh.add_argument(
        "--authorized-keys",
        type=Path,
        default=None,
        metavar="FILE",
        help="only these keys may play, each under its name in FILE: NAME ssh-ed25519 AAAA…",
    )
    ssh.add_argument(
        "--games-per-process", type=_games_per_process, default=1, metavar="N",
        help="seat up to N games in one process: far less memory a player, but a hard crash "
        f"there ends all N (1 to {MAX_GAMES_PER_PROCESS}; default 1, a process each)",
    )  # fmt: skip
    for parser, all_, one in ((ssh, 4, 2), (web, 16, 8)):
        parser.add_argument(
            "--max-connections", type=_positive, default=None,
            help=f"open connections in all (default: {all_} × --max-sessions)",
        )  # fmt: skip
        parser.add_argument(
            "--max-per-address", type=_positive, default=None,
            help=f"open connections from one address, IPv6 per /64 (default: {one} × "
            "--max-sessions)",
        )  # fmt: skip
    web.add_argument("--public-url", default=None, help="the URL browsers use, behind a proxy")
    for parser in (ssh, web):
        parser.add_argument(
            "--room",
            type=Path,
            default=None,
            metavar="ROOM.toml",
            help="an instructor's room: one level and seed for everyone (see pizzashop room)",
        )


def serve(args: argparse.Namespace) -> int:
    """Check the extra and the leaderboard (a bad one fails now, not in a game), then serve until
    stopped. Nothing is logged before the server listens, so bad input stays one line."""
    from pizzashop.hosting.logs import server_log
    from pizzashop.player.library import old_player_folders
    from pizzashop.workshop.leaderboard import use_store

    module, extra = ("asyncssh", "ssh") if args.transport == "ssh" else ("textual_serve", "web")
    if importlib.util.find_spec(module) is None:
        problem = f"needs the {extra} extra: pip install 'pizzashop[{extra}]'"
        raise InputError(f"serve {args.transport}", "", problem)
    room = load_room(args.room) if getattr(args, "room", None) is not None else None
    board = use_store(args.leaderboard)
    board.close()
    log, log_path = server_log(args.transport)
    about = f"leaderboard {board.where}, log {log_path}"
    notices = [OLD_FOLDERS.format(count=old)] if (old := old_player_folders()) else []
    from pizzashop.hosting.listening import ServerSettings

    shared = {field.name: getattr(args, field.name) for field in fields(ServerSettings)}
    if args.transport == "web":
        from pizzashop.hosting.web import WebSettings, serve_web

        web_settings = WebSettings(**shared, public_url=args.public_url)
        asyncio.run(serve_web(web_settings, log, about, notices, room))
    else:
        from pizzashop.hosting.server import SSHSettings
        from pizzashop.hosting.ssh import serve_ssh

        settings = SSHSettings(
            **shared, authorized_keys=args.authorized_keys,
            games_per_process=args.games_per_process,
        )  # fmt: skip
        asyncio.run(serve_ssh(settings, log, about, notices, room))
    return 0
