"""The title screen: continue a saved game, play the campaign (levels unlock in order and show
their stars and best score), a bundled scenario, the queueing lab, or watch a replay. Any level
or scenario also runs as a sandbox, or against a routing algorithm on the same orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pizzashop.player.library import REPLAYS, SAVES, Listed, delete_save, listing, shown_path
from pizzashop.sim import InputError, Scenario, bundled_levels, bundled_scenarios, load_scenario
from pizzashop.sim.files import one_line
from pizzashop.ui.game import Game, Mode, is_sandbox
from pizzashop.ui.host import host
from pizzashop.ui.screens.briefing import describe
from pizzashop.ui.screens.codex import CodexScreen
from pizzashop.ui.screens.dialogs.choose import Choice, ChooseDialog
from pizzashop.ui.screens.dialogs.confirm import ConfirmDialog
from pizzashop.ui.screens.help import HelpScreen, screen_keys
from pizzashop.ui.screens.lab import LabScreen
from pizzashop.ui.standing import stars
from pizzashop.ui.widgets.cells import shop_clock
from pizzashop.ui.widgets.footer import Footer

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


CatalogueEntry = tuple[str, str, Scenario | str]
FileStamp = tuple[str, str, str, int, int]


def catalogue() -> list[CatalogueEntry]:
    """(group, id, scenario or the reason it could not be loaded), levels first.

    Parsed once per set of files as they are (names, sizes, modification times), so a title
    screen costs a few `stat` calls, not 16 files parsed and validated: on a hosted game the
    game template has parsed them already.
    """
    stamps: list[FileStamp] = []
    for group, files in (("level", bundled_levels()), ("scenario", bundled_scenarios())):
        for name, path in files.items():
            try:
                found = path.stat()
                stamps.append((group, name, str(path), found.st_mtime_ns, found.st_size))
            except OSError:
                stamps.append((group, name, str(path), -1, -1))
    return list(_parsed(tuple(stamps)))


@lru_cache(maxsize=1)
def _parsed(stamps: tuple[FileStamp, ...]) -> tuple[CatalogueEntry, ...]:
    entries: list[CatalogueEntry] = []
    for group, name, path, _, _ in stamps:
        try:
            entries.append((group, name, load_scenario(Path(path))))
        except InputError as error:
            entries.append((group, name, str(error)))
    return tuple(entries)


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
        Binding("s", "sandbox", "sandbox", tooltip="choose a scenario: every action, no goals"),
        Binding("v", "versus", "versus", tooltip="choose a scenario and a routing algorithm"),
        Binding("l", "lab", "lab", tooltip="the queueing lab: M/M/c beside Erlang C"),
        Binding("d", "delete", "delete", tooltip="delete the highlighted save or replay"),
        Binding("c", "codex", "codex", tooltip="the concepts behind the game"),
        Binding("question_mark", "help", "help", tooltip="this screen's keys, symbols, scoring"),
    ]

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
        career = host(self).career
        earned, most = career.stars()
        unsaved = " · progress not saved" if career.problem is not None else ""
        saves, replays = [], listing(REPLAYS)
        for listed in listing(SAVES):  # a finished game in the saves is a replay, not a save
            finished = listed.save is not None and listed.save.kind == "replay"
            (replays if finished else saves).append(listed)
        groups = (
            ("CONTINUE", "", self._files("save", saves)),
            ("CAMPAIGN", f"  ★ {earned}/{most}{unsaved}", self._levels()),
            ("SCENARIOS", "", self._scenarios("scenario")),
            ("LAB", "", [("lab", Entry("lab", "lab"), LAB_LABEL)]),
            ("REPLAYS", "", self._files("replay", replays)),
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
        career = host(self).career
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
            unlocked = host(self).career.unlocked()
            current = [f"level:{name}" for name in host(self).career.order if name in unlocked]
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
        career = host(self).career
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
        if action == "delete":
            entry = self.chosen()
            return entry is not None and entry.file is not None
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
                host(self).start_shift(Game.start(entry.scenario, seed))

    def _allowed(self, entry: Entry) -> bool:
        """A locked level is refused, with what unlocks it."""
        career = host(self).career
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
        elif entry.kind == "replay" or listed.save.kind == "replay":
            host(self).start_shift(Game.replay(listed.save), brief=False)
        else:
            host(self).start_shift(Game.resume(listed.save), brief=False, source=listed.path)

    def _choices(self, unlocked_only: bool) -> list[tuple[str, Scenario, Text]]:
        """Levels (numbered) and scenarios that can be played, for the sandbox and versus."""
        unlocked = host(self).career.unlocked()
        choices: list[tuple[str, Scenario, Text]] = []
        for number, (key, entry, _) in enumerate(self._scenarios("level"), start=1):
            if entry.scenario is not None and (entry.name in unlocked or not unlocked_only):
                title = entry.scenario.title or entry.name
                label = Text.assemble((f"{number:>2} ", "dim"), title)
                choices.append((key, entry.scenario, label))
        for key, entry, label in self._scenarios("scenario"):
            if entry.scenario is not None:
                choices.append((key, entry.scenario, label))
        return choices

    def _choose(self, versus: bool) -> None:
        """The sandbox or versus chooser, starting at the highlighted scenario."""
        usable, seed = self._seed()
        if not usable:
            return
        option = self.query_one("#scenarios", OptionList).highlighted_option
        current = option.id if option is not None else None

        def start(choice: Choice | None) -> None:
            if choice is not None:
                scenario, strategy = choice
                mode = Mode.PLAY if versus else Mode.SANDBOX
                host(self).start_shift(Game.start(scenario, seed, mode=mode, versus=strategy))

        self.app.push_screen(ChooseDialog(self._choices(versus), current, versus), start)

    def action_sandbox(self) -> None:
        self._choose(versus=False)

    def action_versus(self) -> None:
        self._choose(versus=True)

    def action_delete(self) -> None:
        """Delete the highlighted save or replay, once the player confirms."""
        entry = self.chosen()
        if entry is None or entry.file is None:
            return
        path = entry.file.path

        def delete(yes: bool | None) -> None:
            if yes and not delete_save(path):
                self.notify(f"Could not delete {path.name}.", severity="error", markup=False)
            self.fill()

        what = "replay" if entry.kind == "replay" else "save"
        question = f"Delete the {what} {one_line(path.name)}? It cannot be undone."
        self.app.push_screen(ConfirmDialog(f"Delete this {what}?", question, "Delete"), delete)

    def action_lab(self) -> None:
        self.app.push_screen(LabScreen(live=host(self).live))

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(host(self).codex))

    def action_help(self) -> None:
        keys = screen_keys(self.BINDINGS)
        self.app.push_screen(HelpScreen([*keys, ("q", "quit pizzashop")]))


def file_label(listed: Listed) -> Text:
    """Title, when it was saved, the shift's clock (a save) and seed; a sandbox says so."""
    written = datetime.fromtimestamp(listed.modified).strftime("%d %b %H:%M")
    save = listed.save
    if save is None:
        return Text.assemble((listed.path.name, "dim"), (f"  {written} · cannot be opened", "dim"))
    scenario = save.scenario
    note = f"  {written}"
    if save.kind == "save":
        note += f" · at {shop_clock(scenario.open_hour, save.time)}"
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
        text.append(f"⏎ continues it at {shop_clock(scenario.open_hour, save.time)}, ")
        text.append("paused. Once that shift is over, the save is used up.\n\n")
    text.append(one_line(scenario.title or scenario.name) + "\n", "bold")
    text.append(f"seed {save.seed} · {len(save.actions)} action(s)")
    if save.kitchen_strategy is not None:
        text.append(f" · kitchen routing {save.kitchen_strategy}")
    text.append(f"\n{one_line(shown_path(listed.path))}\n", "dim")
    text.append("\nd deletes it.\n", "dim")
    return text
