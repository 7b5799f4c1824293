"""The title screen: continue a saved game, play the campaign (levels unlock in order and show
their stars and best score), a bundled scenario, the queueing lab, or watch a replay. Any level
or scenario also runs as a sandbox, or against a routing algorithm on the same orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pizzashop.player.library import REPLAYS, SAVES, Listed, listing
from pizzashop.sim import InputError, Scenario, bundled_levels, bundled_scenarios, load_scenario
from pizzashop.sim.files import one_line
from pizzashop.ui.game import Game, Mode, is_sandbox
from pizzashop.ui.screens.briefing import describe
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.dialogs.versus import VersusDialog
from pizzashop.ui.screens.help import HelpScreen
from pizzashop.ui.screens.lab import LabScreen
from pizzashop.ui.standing import stars
from pizzashop.ui.widgets.cells import clock_hours

if TYPE_CHECKING:
    from pizzashop.ui.app import PizzaShopApp

TAGLINE = "Run a pizza shop. Learn system design by feeling it in the numbers."
LAB_TEXT = (
    "Queueing lab\n\nA plain M/M/c kitchen: orders arrive at random (rate λ), c identical chefs "
    "cook each order in a random time (rate μ per chef), one shared line. Set λ, c and the "
    "chefs' speed, run it, and watch the measured wait, P(wait), utilisation and Little's law "
    "L = λW converge on Erlang C's exact figures — or watch the line grow without end when "
    "ρ = λ/(cμ) reaches 1."
)


SEED_LIMIT = 2**63
LAB_LABEL = Text.assemble("Queueing lab", ("  M/M/c beside Erlang C", "dim"))


def catalogue() -> list[tuple[str, str, Scenario | str]]:
    """(group, id, scenario or the reason it could not be loaded), levels first."""
    entries: list[tuple[str, str, Scenario | str]] = []
    for group, files in (("level", bundled_levels()), ("scenario", bundled_scenarios())):
        for name, path in files.items():
            try:
                entries.append((group, name, load_scenario(Path(path))))
            except InputError as error:
                entries.append((group, name, str(error)))
    return entries


@dataclass(frozen=True)
class Entry:
    """One line of the list: a level, a scenario, a save or replay file, or the lab."""

    kind: str
    name: str
    scenario: Scenario | None = None
    problem: str | None = None
    file: Listed | None = None


Row = tuple[str, Entry, Text]


class TitleScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "play", priority=True),
        Binding("s", "sandbox", "sandbox", tooltip="every action, no goals, no stars"),
        Binding("v", "versus", "versus", tooltip="play against a routing algorithm"),
        Binding("l", "lab", "lab", tooltip="the queueing lab"),
        Binding("c", "codex", "codex"),
        Binding("question_mark", "help", "help"),
    ]

    app: PizzaShopApp

    def __init__(self) -> None:
        super().__init__()
        self.scenarios = catalogue()
        self.entries: dict[str, Entry] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="title"):
            yield Label("pizzashop", id="logo")
            yield Label(TAGLINE, id="tagline")
            with Horizontal():
                yield OptionList(id="scenarios")
                with VerticalScroll(id="details"):
                    yield Static(id="about")
            with Horizontal(classes="row"):
                yield Label("seed ")
                yield Input(
                    placeholder="the scenario's own", type="integer", compact=True, id="seed"
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#scenarios", OptionList).focus()

    def on_screen_resume(self) -> None:
        """On show, and back from a shift: new stars, a new save or replay."""
        self.fill()

    # ----------------------------------------------------------------- list

    def fill(self) -> None:
        """Build the list from the bundled files, the player's progress and their saves."""
        career = self.app.career
        earned, most = career.stars()
        unsaved = " · progress not saved" if career.problem is not None else ""
        groups = (
            ("CONTINUE", "", self._files("save", listing(SAVES))),
            ("CAMPAIGN", f"  ★ {earned}/{most}{unsaved}", self._levels()),
            ("SCENARIOS", "", self._scenarios("scenario")),
            ("LAB", "", [("lab", Entry("lab", "lab"), LAB_LABEL)]),
            ("REPLAYS", "", self._files("replay", listing(REPLAYS))),
        )
        self.entries = {}
        options: list[Option | None] = []
        for title, note, rows in groups:
            if not rows:
                continue
            if options:
                options.append(None)
            options.append(Option(Text.assemble((title, "bold"), (note, "dim")), disabled=True))
            for key, entry, label in rows:
                self.entries[key] = entry
                unusable = entry.problem is not None and entry.file is None
                options.append(Option(label, id=key, disabled=unusable))
        self._show(options)

    def _files(self, kind: str, files: list[Listed]) -> list[Row]:
        return [
            (f"{kind}:{index}", Entry(kind, listed.path.name, file=listed), file_label(listed))
            for index, listed in enumerate(files)
        ]

    def _scenarios(self, kind: str) -> list[Row]:
        rows: list[Row] = []
        for entry_kind, name, scenario in self.scenarios:
            if entry_kind != kind:
                continue
            if isinstance(scenario, str):
                entry = Entry(kind, name, problem=scenario)
                label = Text.assemble("(cannot be loaded)", ("  " + name, "dim"))
            else:
                entry = Entry(kind, name, scenario)
                label = Text.assemble(scenario.title or name, ("  " + name, "dim"))
            rows.append((f"{kind}:{name}", entry, label))
        return rows

    def _levels(self) -> list[Row]:
        """Levels numbered in play order: stars and best score, or locked."""
        career = self.app.career
        unlocked = career.unlocked()
        rows: list[Row] = []
        for number, (key, entry, _) in enumerate(self._scenarios("level"), start=1):
            title = entry.scenario.title if entry.scenario else "(cannot be loaded)"
            label = Text(f"{number:>2} ", "dim")
            record = career.record_of(entry.name)
            if entry.name not in unlocked:
                label.append(f"··· {title}  locked", "dim")
            else:
                label.append(stars(record.stars if record else 0) + " ", "bold")
                label.append(title)
                if record is not None and record.best_score is not None:
                    label.append(f"  best {record.best_score:,}", "dim")
            rows.append((key, entry, label))
        return rows

    def _show(self, options: list[Option | None]) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        before = scenarios.highlighted_option
        scenarios.set_options(options)
        keep = before.id if before is not None and before.id in self.entries else None
        if keep is None:
            unlocked = self.app.career.unlocked()
            current = [f"level:{name}" for name in self.app.career.order if name in unlocked]
            keep = current[-1] if current else None
        if keep is not None:
            scenarios.highlighted = scenarios.get_option_index(keep)
        else:
            scenarios.action_first()
        self._describe()

    def chosen(self) -> Entry | None:
        option = self.query_one("#scenarios", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return self.entries.get(option.id)

    def on_option_list_option_highlighted(self) -> None:
        self._describe()

    def _describe(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self.query_one("#about", Static).update(self.about(entry))
        self.refresh_bindings()

    def about(self, entry: Entry) -> Text:
        """The details pane: what the entry is, and for a level the player's record on it."""
        if entry.kind == "lab":
            return Text(LAB_TEXT)
        if entry.file is not None:
            return file_details(entry.kind, entry.file)
        if entry.scenario is None:
            return Text(entry.problem or "")
        text = Text()
        if entry.kind == "level":
            text.append_text(self.level_status(entry.name))
        text.append_text(describe(entry.scenario))
        return text

    def level_status(self, level: str) -> Text:
        career = self.app.career
        if level not in career.unlocked():
            needed = career.needed_for(level)
            return Text(
                f"Locked: win {self._title(needed)} to unlock it. "
                "You can try it in the sandbox (s).\n\n",
                "bold",
            )
        record = career.record_of(level)
        if record is None or not record.plays:
            return Text("Not played yet.\n\n", "italic")
        status = Text(stars(record.stars) + "  ", "bold")
        status.append(
            f"best score {record.best_score:,} · " if record.best_score is not None else ""
        )
        status.append(f"played {record.plays} time{'s' if record.plays != 1 else ''}")
        status.append(" · won\n\n" if record.won else "\n\n")
        return status

    def _title(self, level: str | None) -> str:
        for kind, name, scenario in self.scenarios:
            if kind == "level" and name == level and isinstance(scenario, Scenario):
                return scenario.title or name
        return level or ""

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sandbox", "versus"):
            entry = self.chosen()
            playable = entry is not None and entry.scenario is not None
            return True if playable else None
        return True

    def _seed(self) -> tuple[bool, int | None]:
        """(whether the seed box holds a usable seed, that seed: None for the scenario's own).

        The range is the command line's, so a seed typed here is one the room can share.
        """
        text = self.query_one("#seed", Input).value.strip()
        if not text:
            return True, None
        try:
            seed = int(text)
        except ValueError:
            seed = -1
        if 0 <= seed < SEED_LIMIT:
            return True, seed
        self.notify("A seed is a whole number from 0 to 2^63-1.", title="Seed", severity="error")
        return False, None

    def action_play(self) -> None:
        entry = self.chosen()
        if entry is None:
            return
        if entry.kind == "lab":
            self.action_lab()
        elif entry.file is not None:
            self._open(entry)
        elif entry.scenario is not None and self._allowed(entry):
            usable, seed = self._seed()
            if usable:
                self.app.start_shift(Game.start(entry.scenario, seed))

    def _allowed(self, entry: Entry) -> bool:
        """A locked level is refused, with what unlocks it."""
        career = self.app.career
        if entry.kind != "level" or entry.name in career.unlocked():
            return True
        needed = self._title(career.needed_for(entry.name))
        self.notify(
            f"Win {needed} to unlock it, or press s to try it in the sandbox.",
            title="Locked",
            severity="warning",
            markup=False,
        )
        return False

    def _open(self, entry: Entry) -> None:
        listed = entry.file
        assert listed is not None
        if listed.save is None:
            self.notify(listed.problem or "", title="Cannot open", severity="error", markup=False)
        elif entry.kind == "replay":
            self.app.start_shift(Game.replay(listed.save), brief=False)
        else:
            self.app.start_shift(Game.resume(listed.save), brief=False)

    def action_sandbox(self) -> None:
        entry = self.chosen()
        if entry is not None and entry.scenario is not None:
            usable, seed = self._seed()
            if usable:
                self.app.start_shift(Game.start(entry.scenario, seed, mode=Mode.SANDBOX))

    def action_versus(self) -> None:
        entry = self.chosen()
        if entry is None or entry.scenario is None or not self._allowed(entry):
            return
        usable, seed = self._seed()
        if not usable:
            return
        scenario = entry.scenario

        def start(strategy: str | None) -> None:
            if strategy is not None:
                self.app.start_shift(Game.start(scenario, seed, versus=strategy))

        self.app.push_screen(VersusDialog(scenario), start)

    def action_lab(self) -> None:
        self.app.push_screen(LabScreen(live=self.app.live))

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.app.codex))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())


def file_label(listed: Listed) -> Text:
    """Title, when it was saved, the shift's clock (a save) and seed; a sandbox says so."""
    written = datetime.fromtimestamp(listed.modified).strftime("%d %b %H:%M")
    save = listed.save
    if save is None:
        return Text.assemble((listed.path.name, "dim"), (f"  {written} · cannot be opened", "dim"))
    scenario = save.scenario
    note = f"  {written}"
    if save.kind == "save":
        note += f" · at {clock_hours(scenario.open_hour + save.time / 60)}"
    note += f" · seed {save.seed}" + (" · sandbox" if is_sandbox(scenario) else "")
    return Text.assemble(one_line(scenario.title or scenario.name), (note, "dim"))


def file_details(kind: str, listed: Listed) -> Text:
    save = listed.save
    if save is None:
        return Text.assemble(("This file cannot be opened.\n\n", "bold"), listed.problem or "")
    scenario = save.scenario
    text = Text()
    if kind == "replay":
        text.append("Replay of a finished shift\n\n", "bold")
        text.append("⏎ watches it from the start: space plays, 1–4 set the speed, . steps. ")
        text.append("The actions are the file's; you cannot act.\n\n")
    else:
        text.append("Saved game\n\n", "bold")
        text.append(f"⏎ continues it at {clock_hours(scenario.open_hour + save.time / 60)}, ")
        text.append("paused.\n\n")
    text.append(one_line(scenario.title or scenario.name) + "\n", "bold")
    text.append(f"seed {save.seed} · {len(save.actions)} action(s)")
    if save.kitchen_strategy is not None:
        text.append(f" · kitchen routing {save.kitchen_strategy}")
    text.append(f"\n{one_line(str(listed.path))}\n", "dim")
    return text
