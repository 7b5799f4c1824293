"""Filter the event log by kind and by branch."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select

from pizzashop.ui.screens.dialogs.base import Dialog

ALL = ""


class LogFilterDialog(Dialog[tuple[str | None, str | None]]):
    def __init__(
        self, kinds: list[str], branches: list[str], kind: str | None, branch: str | None
    ) -> None:
        super().__init__()
        self.kinds, self.branches = kinds, branches
        self.kind, self.branch = kind, branch

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Filter the log"
            yield Label("kind")
            yield Select(
                [("all kinds", ALL), *((kind, kind) for kind in self.kinds)],
                value=self.kind or ALL,
                allow_blank=False,
                compact=True,
                id="kind",
            )
            yield Label("branch")
            yield Select(
                [("all branches", ALL), *((name, name) for name in self.branches)],
                value=self.branch or ALL,
                allow_blank=False,
                compact=True,
                id="branch",
            )
            yield from self.buttons("Show")

    def submit(self) -> None:
        kind = str(self.query_one("#kind", Select).value)
        branch = str(self.query_one("#branch", Select).value)
        self.dismiss((kind or None, branch or None))
