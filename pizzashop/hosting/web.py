"""`pizzashop serve web`: the game in a browser through textual-serve, for participants without an
SSH client. Each browser tab is a game process of its own, under the same cap as over SSH."""

from __future__ import annotations

import logging
import os
import shlex
import socket
import sys
from collections.abc import Sequence

from pizzashop.hosting.limits import Slots
from pizzashop.hosting.listening import listen_error

WEB_PLAYER = "guest"
"""Browsers bring no user name: web players share this one on the leaderboard."""
FULL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>pizzashop</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>The pizza shop is full</h1>
<p>{places} players at most. Please try again in a few minutes.</p></body></html>"""
TRY_AGAIN_LATER = 1013
"""The WebSocket close code for a server that is overloaded for now (RFC 6455 registry)."""


def serve_web(
    host: str,
    port: int,
    max_sessions: int,
    public_url: str | None,
    log: logging.Logger,
    about: str,
    notices: Sequence[str] = (),
) -> None:
    """Serve until Ctrl+C. textual-serve is an optional extra, imported only here. `about` (the
    leaderboard, the log file) goes on the line that says it listens, `notices` after it."""
    from aiohttp import web
    from textual_serve.server import Server

    class CappedServer(Server):
        """textual-serve with a cap on games, a polite page when full, and our log."""

        def __init__(self) -> None:
            command = shlex.join([sys.executable, "-m", "pizzashop"])
            super().__init__(command, host, port, title="pizzashop", public_url=public_url)
            self.slots = Slots(max_sessions)

        def initialize_logging(self) -> None:
            """Ours is set up already (file and stderr)."""

        async def on_startup(self, app: web.Application) -> None:
            log.info(
                "listening on %s, at most %d players, %s", self.public_url, max_sessions, about
            )
            for notice in notices:
                log.warning("%s", notice)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            if self.slots.in_use >= self.slots.capacity:
                page = FULL_PAGE.format(places=self.slots.capacity)
                return web.Response(text=page, content_type="text/html", status=503)
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if not self.slots.acquire():
                log.warning("refused %s: server full", request.remote)
                socket = web.WebSocketResponse()
                await socket.prepare(request)
                await socket.close(code=TRY_AGAIN_LATER, message=b"the pizza shop is full")
                return socket
            log.info("start %s (%d/%d playing)", request.remote, self.slots.in_use, max_sessions)
            try:
                return await super().handle_websocket(request)
            finally:
                self.slots.release()
                log.info("end %s (%d/%d playing)", request.remote, self.slots.in_use, max_sessions)

    _check_port(host, port)
    os.environ.update(PIZZASHOP_HOSTED="1", PIZZASHOP_PLAYER=WEB_PLAYER)
    CappedServer().serve()


def _check_port(host: str, port: int) -> None:
    """Fail in one line before anything is logged: aiohttp binds only after its startup hooks."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise listen_error(host, port, error) from None
