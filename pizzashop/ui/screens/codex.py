"""The codex: every concept the game teaches, in a few lines, and the scaling comparison table."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pizzashop.ui.codex import Codex, Comparison, Concept
from pizzashop.ui.widgets.footer import Footer

COMPARISON = "comparison"
TABLE_WIDTH = 64
"""Narrower than this, the comparison reads better as a list than as a squeezed table."""


class ComparisonView:
    """The vertical-vs-horizontal table, or the same rows as a list when space is short."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        comparison = self.comparison
        if options.max_width >= TABLE_WIDTH:
            table = Table(title=comparison.title, caption=comparison.note, expand=True)
            for index, column in enumerate(comparison.columns):
                table.add_column(column, ratio=1 if index else None, no_wrap=not index)
            for row in comparison.rows:
                table.add_row(*row)
            yield table
            return
        text = Text(comparison.title + "\n", "bold")
        for row in comparison.rows:
            text.append(f"\n{row[0]}\n", "bold")
            for column, cell in zip(comparison.columns[1:], row[1:], strict=False):
                text.append(f"  {column}: ", "italic")
                text.append(f"{cell}\n")
        if comparison.note:
            text.append(f"\n{comparison.note}", "italic")
        yield text


class CodexScreen(ModalScreen[None]):
    """Opened from play at the latest hint; the shop keeps running behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,c,q", "dismiss", "close"),
    ]

    def __init__(self, codex: Codex, concept: str | None = None) -> None:
        super().__init__()
        self.codex = codex
        self.start = concept

    def compose(self) -> ComposeResult:
        options = [Option(concept.title, id=concept.id) for concept in self.codex.concepts]
        if self.codex.comparison is not None:
            options.append(Option(self.codex.comparison.title, id=COMPARISON))
        with Horizontal(classes="codex") as box:
            box.border_title = "Codex"
            yield OptionList(*options, id="concepts")
            with VerticalScroll(id="entry"):
                yield Static(id="body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        concepts = self.query_one("#concepts", OptionList)
        ids = [concept.id for concept in self.codex.concepts]
        concepts.highlighted = ids.index(self.start) if self.start in ids else 0
        concepts.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        body = self.query_one("#body", Static)
        if event.option_id == COMPARISON:
            body.update(self._comparison())
            return
        concept = self.codex.concept(event.option_id or "")
        if concept is not None:
            body.update(self._concept(concept))

    @staticmethod
    def _concept(concept: Concept) -> Text:
        text = Text()
        text.append(concept.title + "\n\n", "bold")
        text.append(concept.summary + "\n\n", "italic")
        text.append(concept.body)
        if concept.moments:
            text.append(
                "\n\nComes up when: " + ", ".join(m.replace("_", " ") for m in concept.moments),
                "dim",
            )
        return text

    def _comparison(self) -> ComparisonView:
        assert self.codex.comparison is not None
        return ComparisonView(self.codex.comparison)
