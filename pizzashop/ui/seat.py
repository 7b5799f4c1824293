"""A seat in an instructor's room: the game's side of `serve ssh --room`.

The server starts the game with the room's socket and a token of its own in its environment.
The seat says hello with the token and is told the room: the level and seed everyone plays, the
speeds, whether the player may pause, the levels it opens, and the phase. It waits in the lobby
while the gate is closed and starts the shift at sim minute 0 when the instructor opens it;
the room's pause holds the game; a game-day disruption is scheduled at the room's minute and
announced at once; the end finishes the shift at once (no more actions) and shows the report.

A few times a second the seat reports its clock, speed and figures, and every action its
simulation applied, so the server can give the seat back, exactly, to a player who drops and
reconnects, and finish it at the end if they do not. Messages from the server are checked as
they arrive; a lost connection leaves the game playable, only no longer in the room.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from textual.app import App

from pizzashop.player.saves import SaveFile, restore
from pizzashop.sim import Action, Scenario, build_report
from pizzashop.sim.actions import DISRUPTION_KINDS
from pizzashop.ui.game import Game
from pizzashop.ui.host import host
from pizzashop.ui.screens.lobby import LobbyScreen, waiting_text
from pizzashop.ui.screens.shift import ShiftScreen
from pizzashop.workshop.room import TITLE_LIMIT, clean_line
from pizzashop.workshop.roomwire import (
    SERVER_LINE_LIMIT,
    SOCKET_VARIABLE,
    TOKEN_VARIABLE,
    ProtocolError,
    encode,
    final_of,
    parse_action,
    read_message,
    routing_text,
)

REPORT_SECONDS = 0.25
SEND_BACKLOG = 256 * 1024
"""Bytes waiting for a server that does not read: past this the seat stops reporting state."""


def seat_from_environment() -> RoomSeat | None:
    """The seat the server gave this game, if it was started for a room."""
    path, token = os.environ.get(SOCKET_VARIABLE), os.environ.get(TOKEN_VARIABLE)
    return RoomSeat(Path(path), token) if path and token else None


class RoomSeat:
    """The game's link to the room: what the room said, and what the seat reports."""

    def __init__(self, path: Path, token: str) -> None:
        self.path, self.token = path, token
        self.name = ""
        self.phase = "connecting"
        self.players = 0
        self.title = ""
        self.scenario: Scenario | None = None
        self.seed = 0
        self.speeds: tuple[int, ...] = (1,)
        self.self_pause = True
        self.game: Game | None = None
        self._app: App[Any] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: list[tuple[int, Action]] = []
        """Disruptions scheduled in the game and not yet applied, with their injection ids."""
        self._sent = 0
        """Entries of the game's action log reported so far."""
        self._done = False
        self._started = False

    # ------------------------------------------------------------ connection

    async def run(self, app: App[Any]) -> None:
        """Take the seat and follow the room until the connection ends (or the game does)."""
        self._app = app
        writer = None
        try:
            reader, writer = await asyncio.open_unix_connection(
                str(self.path), limit=SERVER_LINE_LIMIT
            )
            self._writer = writer
            writer.write(encode({"type": "hello", "role": "seat", "token": self.token}))
            while (message := await read_message(reader)) is not None:
                self._handle(message)
            why = "the room server closed the connection"
        except (OSError, ProtocolError, KeyError, TypeError, ValueError) as error:
            # ValueError covers a message that does not validate (pydantic's errors are ones).
            why = f"lost contact with the room ({getattr(error, 'strerror', None) or error})"
        finally:
            self._writer = None
            if writer is not None:
                writer.close()
        self._lost(clean_line(why))

    def _send(self, message: dict[str, Any]) -> None:
        writer = self._writer
        if writer is not None and not writer.is_closing():
            writer.write(encode(message))

    def _lost(self, why: str) -> None:
        """No more room: a game under way plays on; a seat still waiting goes to the title."""
        app = self._app
        if app is None or self.phase == "gone":
            return
        waiting = self.game is None or self.phase in ("connecting", "lobby")
        self.phase = "gone"
        app.notify(why, title="Room", severity="error", timeout=15, markup=False)
        if waiting:
            host(app).show_title()

    # ---------------------------------------------------------------- the room

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            self._welcome(message)
        elif kind == "lobby":
            self.players = int(message.get("players", 0))
            if self.phase == "lobby":
                self._lobby().status(waiting_text(self.players))
        elif kind == "start":
            self.phase = "playing"
            self._play(brief=False)
        elif kind in ("pause", "resume") and self.game is not None:
            self.phase = "paused" if kind == "pause" else "playing"
            self.game.held = kind == "pause"
            self._refresh()
        elif kind == "inject":
            action = parse_action(message["action"])
            self._schedule(int(message["id"]), action)
            self._notify(clean_line(str(message.get("text", ""))), "Game day", "warning")
        elif kind == "announce":
            self._notify(clean_line(str(message.get("text", ""))), "Instructor", "information")
        elif kind == "end":
            self._end()

    def _welcome(self, message: dict[str, Any]) -> None:
        room = message["room"]
        self.name = clean_line(str(message.get("seat", "")))
        self.title = clean_line(str(room["title"]), TITLE_LIMIT)
        self.scenario = Scenario.model_validate(room["scenario"])
        self.seed = int(room["seed"])
        self.speeds = tuple(int(speed) for speed in room["speeds"]) or (1,)
        self.self_pause = bool(room["self_pause"])
        self.players = int(message.get("players", 0))
        self.phase = str(message["phase"])
        assert self._app is not None
        host(self._app).career.open_levels(str(level) for level in room["unlocked"])
        saved = message.get("restore")
        self.game = self._restored(saved) if saved else self._fresh()
        for injection in message.get("injections", []):
            self._schedule(int(injection["id"]), parse_action(injection["action"]))
        if message.get("notice"):
            self._notify(clean_line(str(message["notice"])), "Instructor", "information")
        if self.phase == "lobby":
            lobby = self._lobby()
            lobby.show(
                self.title, self.scenario, self.seed, self.speeds, self.self_pause,
                waiting_text(self.players),
            )  # fmt: skip
        elif self.phase == "ended" and not self.game.sim.finished:
            self._notify("The round is over.", "Room", "information")
            host(self._app).show_title()
        else:
            self.game.held = self.phase == "paused"
            if saved:
                back = f"Your seat is back, at {self.game.sim.clock()}."
                self._notify(back, "Room", "information")
            self._play(brief=not saved)

    def _fresh(self) -> Game:
        assert self.scenario is not None
        game = Game.start(self.scenario, self.seed, room=True)
        return self._seated(game)

    def _restored(self, saved: dict[str, Any]) -> Game:
        """The seat as the server kept it: its actions replayed to its minute, exactly."""
        assert self.scenario is not None
        actions = [parse_action(action) for action in saved["actions"]]
        save = SaveFile(
            scenario=self.scenario, seed=self.seed, time=float(saved["minute"]), actions=actions,
            room=True,
        )  # fmt: skip
        game = self._seated(Game(restore(save)))
        self._sent = len(game.sim.action_log)
        if saved.get("finished"):
            game.sim.run()
            self._done = True
        return game

    def _seated(self, game: Game) -> Game:
        game.speeds, game.self_pause = self.speeds, self.self_pause
        game.speed = self.speeds[0]
        return game

    def _lobby(self) -> LobbyScreen:
        assert self._app is not None
        screens = [s for s in self._app.screen_stack if isinstance(s, LobbyScreen)]
        if screens:
            return screens[-1]
        lobby = LobbyScreen()
        self._app.push_screen(lobby)
        return lobby

    def _play(self, brief: bool) -> None:
        """The room's shift on screen, in place of the lobby (and whatever is over it)."""
        app, game = self._app, self.game
        if app is None or game is None:
            return
        if any(isinstance(s, ShiftScreen) and s.game is game for s in app.screen_stack):
            self._refresh()
            return
        while len(app.screen_stack) > 1 and not isinstance(app.screen, LobbyScreen):
            app.pop_screen()
        game.paused = False
        self._started = True
        host(app).start_shift(game, brief=brief and bool(game.sim.scenario.briefing))

    def _refresh(self) -> None:
        """Repaint the room's shift now (it may be paused, so its timer would not)."""
        if self._app is None:
            return
        for screen in self._app.screen_stack:
            if isinstance(screen, ShiftScreen) and screen.game is self.game:
                screen.update_panels()

    def _schedule(self, number: int, action: Action) -> None:
        """A game-day disruption at its sim minute (at once if the game is past it already)."""
        game = self.game
        if game is None or game.sim.finished or action.kind not in DISRUPTION_KINDS:
            return
        game.sim.schedule([action])
        self._pending.append((number, action))

    def _notify(self, text: str, title: str, severity: Any) -> None:
        if self._app is not None and text:
            self._app.notify(text, title=title, severity=severity, timeout=12, markup=False)

    def _end(self) -> None:
        """The round is over: the rest of the shift is played out at once, without actions."""
        self.phase = "ended"
        game = self.game
        if game is None or self._app is None or game.sim.finished:
            return
        if not self._started:
            self._notify("The round ended before your shift started.", "Room", "information")
            host(self._app).show_title()
            return
        game.held = False
        game.sim.run()
        self.report()
        self._refresh()

    # ---------------------------------------------------------------- reports

    def report(self) -> None:
        """What the seat tells the room: new actions, then its state, or its final figures."""
        game, writer = self.game, self._writer
        if game is None or writer is None or self.phase in ("connecting", "lobby", "gone"):
            return
        sim = game.sim
        for action, outcome in sim.action_log[self._sent :]:
            message: dict[str, Any] = {
                "type": "action", "action": action.model_dump(mode="json"), "ok": outcome.ok,
            }  # fmt: skip
            if action.kind in DISRUPTION_KINDS:
                message["injection"] = self._injection_of(action)
            self._send(message)
        self._sent = len(sim.action_log)
        if sim.finished:
            if not self._done:
                self._done = True
                report = final_of(build_report(sim), sim.failover, len(sim.branches))
                self._send({"type": "done", "report": report})
            return
        if writer.transport.get_write_buffer_size() > SEND_BACKLOG:
            return
        metrics = sim.metrics
        kitchens = ",".join(sorted({branch.strategy for branch in sim.branches}))
        routing = routing_text(kitchens, sim.branch_strategy, sim.failover, len(sim.branches))
        self._send(
            {
                "type": "state",
                "minute": sim.now,
                "speed": game.speed,
                "paused": game.paused or game.held,
                "placed": metrics.placed,
                "delivered": metrics.delivered,
                "on_time": metrics.on_time,
                "lost": {cause.value: count for cause, count in metrics.losses.items()},
                "money": round(sim.ledger.balance, 2),
                "routing": routing,
            }
        )

    def _injection_of(self, applied: Action) -> int | None:
        """The injection a disruption in the log came from (its time aside, they are equal)."""
        for index, (number, action) in enumerate(self._pending):
            if action.model_copy(update={"at": applied.at}) == applied:
                del self._pending[index]
                return number
        return None
