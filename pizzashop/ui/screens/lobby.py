"""The lobby of an instructor's room: the level the class will play and its briefing, who is
here, and the instructor's latest notice, until the instructor opens the gate."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from pizzashop.sim import Scenario
from pizzashop.ui.host import host
from pizzashop.ui.notice import Notice
from pizzashop.ui.screens.briefing import describe
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.help import HelpScreen, screen_keys

CONNECTING = "Connecting to the instructor's room…"


def waiting_text(players: int) -> str:
    here = f"{players} player{'s' if players != 1 else ''} here"
    return f"Waiting for the instructor — {here}. Everyone starts together."


class LobbyScreen(Screen[None]):
    """Filled in by the seat (`ui/seat.py`) as the room's messages arrive."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "codex", "codex", tooltip="the concepts behind the game"),
        Binding("question_mark", "help", "help", tooltip="this screen's keys"),
        Binding("q", "quit", "leave", tooltip="leave the room (come back with the same name)"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="title"):
            yield Label("pizzashop", id="logo")
            yield Label("an instructor's room", id="tagline")
            yield Static(CONNECTING, id="lobby-status")
            yield Static(id="lobby-notice")
            with VerticalScroll(id="lobby-briefing"):
                yield Static(id="lobby-about")
        yield Footer(compact=True)

    def show(
        self,
        title: str,
        scenario: Scenario,
        seed: int,
        speeds: tuple[int, ...],
        self_pause: bool,
        status: str,
    ) -> None:
        self.query_one("#tagline", Label).update(Text(f"an instructor's room: {title}"))
        self.query_one("#lobby-status", Static).update(Text(status, "bold"))
        about = describe(scenario, seed)
        rules = ", ".join(f"{speed}×" for speed in speeds)
        pause = "you may pause" if self_pause else "only the instructor pauses"
        about.append(f"\nIn this room: speeds {rules}; {pause}.\n", "italic")
        self.query_one("#lobby-about", Static).update(about)

    def status(self, text: str) -> None:
        self.query_one("#lobby-status", Static).update(Text(text, "bold"))

    def notice(self, notice: Notice) -> None:
        """Notices (the instructor's announcements among them) show in a line of the lobby,
        as plain text: no markup reaches the screen."""
        self.query_one("#lobby-notice", Static).update(Text(notice.plain(), "bold"))

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(host(self).codex))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(screen_keys(self.BINDINGS)))
