"""`pizzashop serve web`: the game in a browser, for participants without an SSH client.

A player gives a name on the first page (or in `?name=`) and plays under it, with a folder of
their own, as over SSH. Each page's game is a process of its own that textual-serve speaks to
(hosting/web_game.py), forked from a game template as SSH games are (hosting/piped.py), under
the same limits as `serve ssh`: a cap on games, an idle timeout, new games per address per
minute, and below all of it a cap on open connections per address and in all
(hosting/web_connections.py). A browser holds one seat per name (hosting/seats.py), so a
reload gets its game back even in a full room. Everything a page loads comes from this host —
textual-serve's terminal bundle with its font, and our pages (hosting/web_pages.py) — and the
pages forbid any other source, so a room behind a firewall loads as fast as any other.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode, urlsplit

import textual_serve
from aiohttp import web

from pizzashop.crashes import CRASHED, find_report
from pizzashop.hosting.environment import game_environment, shared_environment
from pizzashop.hosting.forks import GameTemplate
from pizzashop.hosting.games import Games
from pizzashop.hosting.limits import LISTEN_BACKLOG, RateLimiter, network_of, raise_fd_limit
from pizzashop.hosting.listening import ServerSettings, listen_error, log_caps, until_stopped
from pizzashop.hosting.logs import log_loop_errors, shown
from pizzashop.hosting.messages import (
    CANNOT_START,
    FULL,
    IDLE,
    REPLACED,
    STOPPING,
    TOO_MANY,
    duration,
)
from pizzashop.hosting.room import RoomHost
from pizzashop.hosting.seats import Seats, Ticket
from pizzashop.hosting.server import Seating
from pizzashop.hosting.web_connections import guarded
from pizzashop.hosting.web_game import WebGame, driver_environment
from pizzashop.hosting.web_pages import asset, full_page, game_page, name_page
from pizzashop.workshop.leaderboard import clean_name
from pizzashop.workshop.room import Room

TRY_AGAIN_LATER = 1013
"""The WebSocket close code for a server that is overloaded for now (RFC 6455 registry)."""
NORMAL, GOING_AWAY, POLICY, FAILED = 1000, 1001, 1008, 1011
CLOSE_REASON_BYTES = 123
BROWSER_COOKIE = "pizzashop_browser"
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{22}")
NAME_INPUT_LIMIT = 200
"""Characters of a typed name looked at; a clean name has at most 24."""
GAME_GRACE = 2.0
"""Seconds a game has to quit when asked before it is killed."""
STAND_UP_WITHIN = GAME_GRACE + 8.0
"""Seconds a reloaded page waits for its old game to end and hand over its seat."""
MESSAGE_LIMIT = 64 * 1024
"""Bytes in one message from a page (a long paste); a larger one closes its connection."""
HEARTBEAT = 15.0
"""Seconds between pings: a page that has gone without closing is noticed within two."""
FONT_SIZES = range(8, 41)
NO_NAME = "anonymous"
"""What `clean_name` makes of a name with nothing left in it."""
ASSETS = ("page.css", "page.js")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""On every answer: a page may load nothing from anywhere but this host, nor be framed."""


@dataclass(frozen=True)
class WebSettings(ServerSettings):
    port: int = 8000
    connections_per_place: ClassVar[int] = 16
    per_address_per_place: ClassVar[int] = 8
    """A browser opens several connections for one page (its files in parallel, then the
    game's), and keeps them open a while after."""
    public_url: str | None = None
    """The address browsers use, behind a proxy: its pages may open games too."""

    @property
    def url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def name_problem(typed: str) -> str:
    """What is wrong with a name typed into the form, or "" when it will do."""
    if not typed.strip():
        return "Please type a name."
    cleaned = clean_name(typed[:NAME_INPUT_LIMIT])
    if (cleaned == NO_NAME and NO_NAME not in typed.casefold()) or not any(
        char.isalnum() for char in cleaned
    ):
        return "A name needs at least one letter or digit."
    return ""


def _whole(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class BrowserGame:
    """One page's game, from its start to its end: relayed, watched for idleness, ended once
    (quit, page left, idle, replaced by a reload, server stopping), its seat handed on."""

    def __init__(
        self, server: WebServer, request: web.Request, socket: web.WebSocketResponse,
        ticket: Ticket, player: str,
    ) -> None:  # fmt: skip
        self.server, self.socket, self.ticket = server, socket, ticket
        self.transport, self.peer, self.player = request.transport, _peer(request), player
        self.game = WebGame(
            server.environment(player), socket, on_exit=self._quit, games=server.starter
        )
        self.reason = ""
        self._message, self._code = "", NORMAL
        self._over = asyncio.Event()

    async def _quit(self) -> None:
        self.end("quit")

    def end(self, reason: str, message: str = "", code: int = NORMAL) -> None:
        """End the game once, telling the page `message` if it is still there."""
        if not self.reason:
            self.reason, self._message, self._code = reason, message, code
            self._over.set()

    async def play(self, columns: int, rows: int) -> None:
        log, seats = self.server.log, self.server.seats
        started = time.time()
        try:
            await self.game.begin(columns, rows)
        except OSError as error:
            seats.leave(self.ticket)
            log.error("cannot start a game for %s: %s", self.peer, error)
            await self._close(FAILED, CANNOT_START)
            return
        seats.on_stand_up(self.ticket, lambda: self.end("replaced", REPLACED))
        self.server.games.add(self)
        log.info(
            "start %s player %r %dx%d pid %d, %s (%d/%d playing)", self.peer, self.player,
            columns, rows, self.game.pid, self.game.how, seats.in_use, seats.capacity,
        )  # fmt: skip
        tasks = [
            asyncio.create_task(self.game.relay()),
            asyncio.create_task(self.game.exited()),
            asyncio.create_task(self._watch_idle()),
            asyncio.create_task(self._over.wait()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            self.end("quit" if tasks[1].done() else "left")
            status = await self.game.end(self._drop, GAME_GRACE)
        finally:
            for task in tasks:
                task.cancel()
            self.server.games.discard(self)
            seats.leave(self.ticket)
        if self.reason == "quit" and status != 0:
            report = find_report(self.game.pid, started - 1)
            self.reason = f"crashed{f' (report {report})' if report else ''}"
            self._message, self._code = CRASHED, FAILED
        log.info(
            "end %s player %r pid %d: %s, status %d (%d/%d playing)", self.peer, self.player,
            self.game.pid, self.reason, status, seats.in_use, seats.capacity,
        )  # fmt: skip
        if self.game.refused:
            log.warning(
                "ignored %d message(s) from %s that are not the page's", self.game.refused,
                self.peer,
            )  # fmt: skip
        await self._close(self._code, self._message)

    def _drop(self) -> None:
        """Drop the connection of a page that stopped reading."""
        self.server.log.warning("dropped %s: the page stopped reading", self.peer)
        if self.transport is not None:
            self.transport.abort()

    async def _watch_idle(self) -> None:
        timeout = self.server.settings.idle_timeout
        loop = asyncio.get_running_loop()
        while (remaining := self.game.last_input + timeout - loop.time()) > 0:
            await asyncio.sleep(remaining)
        self.end("idle", IDLE.format(duration=duration(timeout)))

    async def _close(self, code: int, message: str) -> None:
        await close(self.socket, code, message)


async def close(socket: web.WebSocketResponse, code: int, message: str) -> None:
    """Close a game's connection with `message` as its reason, cut to what a close frame holds."""
    reason = message.encode()[:CLOSE_REASON_BYTES].decode("utf-8", "ignore").encode()
    if not socket.closed:
        await socket.close(code=code, message=reason)


class WebServer:
    """The pages, the game connections and the limits every game shares."""

    def __init__(
        self,
        settings: WebSettings,
        log: logging.Logger,
        room: Seating | None = None,
        starter: Games | None = None,
    ) -> None:
        self.settings = settings
        self.log = log
        self.room = room
        self.starter = starter
        """Forks games from the template (None: textual-serve spawns each)."""
        self.seats = Seats(settings.max_sessions)
        self.limiter = RateLimiter(settings.rate_limit)
        self.games: set[BrowserGame] = set()
        origins = {urlsplit(settings.url).netloc}
        self._origins = {origin for origin in origins if origin}

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_secure])
        terminal = Path(textual_serve.__file__).parent / "static"
        app.add_routes(
            [
                web.get("/", self.index),
                web.get("/ws/{name}", self.play),
                web.get("/assets/{name}", self.asset),
                web.get("/favicon.svg", self.favicon),
                web.get("/favicon.ico", self.favicon),
                web.static("/static", terminal),
            ]
        )
        return app

    async def index(self, request: web.Request) -> web.StreamResponse:
        """The name form, or with `?name=` the game; "full" when there is no place for it."""
        browser, new = _browser(request)
        typed = request.query.get("name")
        if typed is None:
            if self.seats.full:
                return _full(self.seats.capacity)
            response = _html(name_page())
        elif problem := name_problem(typed):
            response = _html(name_page(problem))
        elif (player := clean_name(typed[:NAME_INPUT_LIMIT])) != typed:
            query = {**request.query, "name": player}
            raise web.HTTPSeeOther(f"?{urlencode(query)}")
        elif not self.seats.has_room_for((browser, player)):
            return _full(self.seats.capacity)
        else:
            size = _whole(request.query.get("fontsize"), 16)
            response = _html(game_page(player, size if size in FONT_SIZES else 16))
        if new:
            response.set_cookie(
                BROWSER_COOKIE, browser, httponly=True, samesite="Strict",
                secure=self.settings.url.startswith("https:") or None,
            )  # fmt: skip
        return response

    async def play(self, request: web.Request) -> web.StreamResponse:
        """A game connection: checked, counted, seated, then played until it ends."""
        peer = _peer(request)
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc not in {request.host, *self._origins}:
            self.log.warning("refused %s: a page from %s", peer, shown(origin))
            raise web.HTTPForbidden(text="pizzashop plays only on its own pages")
        socket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MESSAGE_LIMIT)
        await socket.prepare(request)
        network = network_of(peer.rsplit(":", 1)[0])
        if not self.limiter.allow(network):
            limit = self.settings.rate_limit
            self.log.warning(
                "refused %s: more than %d games a minute from %s", peer, limit, network
            )
            await close(socket, POLICY, TOO_MANY)
            return socket
        player = clean_name(request.match_info["name"][:NAME_INPUT_LIMIT])
        browser, new = _browser(request)
        key = (browser if not new else secrets.token_urlsafe(16), player)
        ticket = await self.seats.take(key, STAND_UP_WITHIN)
        if ticket is None:
            self.log.warning("refused %s player %r: server full", peer, player)
            await close(socket, TRY_AGAIN_LATER, FULL.format(places=self.seats.capacity))
            return socket
        columns = _whole(request.query.get("width"), 80)
        rows = _whole(request.query.get("height"), 24)
        await BrowserGame(self, request, socket, ticket, player).play(columns, rows)
        return socket

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.FileResponse(asset(name))

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        response = web.FileResponse(asset("favicon.svg"))
        response.content_type = "image/svg+xml"
        return response

    def environment(self, player: str) -> dict[str, str]:
        """What a game for `player` inherits: as over SSH, and in a room the seat it takes."""
        env = game_environment(player)
        if self.room is not None:
            env.update(self.room.seat_environment(player))
        return env

    async def close(self) -> None:
        """End every game (the server is stopping) and wait until all have ended."""
        for game in list(self.games):
            game.end("server stopping", STOPPING, GOING_AWAY)
        while self.games:
            await asyncio.sleep(0.05)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _secure(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(SECURITY_HEADERS)
        raise
    if not response.prepared:
        response.headers.update(SECURITY_HEADERS)
    return response


def _browser(request: web.Request) -> tuple[str, bool]:
    """The browser's id from its cookie, or a new one (True) to set."""
    known = request.cookies.get(BROWSER_COOKIE, "")
    if _BROWSER_ID.fullmatch(known):
        return known, False
    return secrets.token_urlsafe(16), True


def _peer(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    host, port = (peer or ("?", 0))[:2]
    return f"{host}:{port}"


def _html(page: str, status: int = 200) -> web.Response:
    return web.Response(text=page, content_type="text/html", status=status)


def _full(places: int) -> web.Response:
    return _html(full_page(places), status=503)


async def serve_web(
    settings: WebSettings,
    log: logging.Logger,
    about: str,
    notices: Sequence[str] = (),
    room: Room | None = None,
) -> None:
    """Listen until SIGINT, SIGTERM or SIGHUP, then end every game before returning. `about` (the
    leaderboard, the log file) goes on the line that says it listens, `notices` after it. With a
    `room`, every game takes a seat in it, as over SSH (see room.py)."""
    host = RoomHost(room, log, settings.max_sessions) if room is not None else None
    games = Games(log, GameTemplate(template_environment(), log))
    server = WebServer(settings, log, host, games)
    fd_limit = raise_fd_limit()
    caps = settings.connections(fd_limit)
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    assert runner.server is not None
    if host is not None:
        await host.start()
    try:
        listener = await asyncio.get_running_loop().create_server(
            guarded(runner.server, caps, log), settings.host, settings.port,
            backlog=LISTEN_BACKLOG,
        )  # fmt: skip
    except OSError as error:
        await runner.cleanup()
        if host is not None:
            await host.close()
        raise listen_error(settings.host, settings.port, error) from None
    log_loop_errors(log)
    log.info(
        "listening on %s, at most %d players, %d connections (%d per address), %d open files, "
        "idle timeout %gs, %d new games a minute per address, %s", settings.url,
        settings.max_sessions, caps.total, caps.per_network, fd_limit, settings.idle_timeout,
        settings.rate_limit, about,
    )  # fmt: skip
    log_caps(log, settings, caps, fd_limit)
    games.open()
    await until_stopped(log, notices, lambda: len(server.games))
    listener.close()
    await server.close()
    await runner.cleanup()
    if host is not None:
        await host.close()
    await games.close()


def template_environment() -> dict[str, str]:
    """The browser games' template's environment: every game's, less who plays, with
    textual-serve's driver (its variables are read once, when Textual starts)."""
    return {**shared_environment(), **driver_environment()}
