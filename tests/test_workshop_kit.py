"""The workshop kit (docs/workshop.md): the action schema, the room files, the example routers,
the action reference and the answer key, each checked against the game itself.

The answer key is played row by row: a figure in the doc that the game no longer gives fails
here, with the figures the game gives now in the message.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any, get_args

import pytest
from helpers import invoke, rejected

from pizzashop.sim import InputError, load_scenario
from pizzashop.sim.actions import ACTION_ADAPTER, ACTION_KINDS, DISRUPTION_KINDS, Action
from pizzashop.sim.files import parse_actions
from pizzashop.sim.hashing import Ring
from pizzashop.workshop.room import load_room
from pizzashop.workshop.strategies import ChefView, ItemView

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "workshop.md"
EXAMPLES = ROOT / "examples"
MODELS = {model.model_fields["kind"].default: model for model in get_args(get_args(Action)[0])}
"""Every action kind the engine's union accepts, from the code (players' and the room's)."""
PLAYER_KINDS = {kind for kind in MODELS if kind not in DISRUPTION_KINDS}


@pytest.fixture(autouse=True)
def _at_the_top(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The kit's commands are written to run from the repository's top folder; grades go on a
    leaderboard of this test's own (conftest.py keeps an earlier test's store out)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PIZZASHOP_HOME", str(tmp_path / "home"))


def doc_section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every markdown table in `text`, cells stripped."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [row for row in rows if row[0] not in ("kind", "row", "time")]


def code(cell: str) -> str:
    found = re.fullmatch(r"`([^`]+)`", cell)
    assert found, f"expected one `command` in {cell!r}"
    return found.group(1)


def run_json(command: str) -> dict[str, Any]:
    argv = shlex.split(command)
    assert argv[0] == "pizzashop", command
    extra = ["--json"] if argv[1] == "run" else []
    result = invoke(*argv[1:], *extra)
    assert (result.code, result.err) == (0, ""), (command, result)
    return json.loads(result.out)


# ---------------------------------------------------------------- schema --actions


def action_schema() -> dict[str, Any]:
    result = invoke("schema", "--actions")
    assert (result.code, result.err) == (0, ""), result
    return json.loads(result.out)


def test_the_action_schema_names_every_kind_a_player_may_use_and_no_disruption() -> None:
    schema = action_schema()
    mapping = schema["discriminator"]["mapping"]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(mapping) == PLAYER_KINDS == set(ACTION_KINDS)
    assert len(schema["oneOf"]) == len(PLAYER_KINDS)
    assert not set(mapping) & set(DISRUPTION_KINDS)


def test_each_kind_in_the_schema_has_its_model_s_fields_and_required_fields() -> None:
    schema = action_schema()
    for kind, ref in schema["discriminator"]["mapping"].items():
        definition = schema["$defs"][ref.rsplit("/", 1)[1]]
        model = MODELS[kind]
        assert set(definition["properties"]) == set(model.model_fields), kind
        required = {name for name, field in model.model_fields.items() if field.is_required()}
        assert set(definition["required"]) == required | {"kind"}, kind
        assert definition["properties"]["kind"]["const"] == kind
        assert definition["additionalProperties"] is False


def sample(prop: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value of the type a schema property asks for, within its bounds."""
    if "$ref" in prop:
        return entry_from(defs[prop["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in prop:
        return sample(next(p for p in prop["anyOf"] if p.get("type") != "null"), defs)
    if prop.get("type") == "array":
        return [sample(prop["items"], defs)]
    low = prop.get("minimum", prop.get("exclusiveMinimum", 0))
    return {
        "string": "x",
        "number": max(float(low), 0.0) + 1,
        "integer": int(low) + 1,
        "boolean": True,
    }[prop["type"]]


def entry_from(definition: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """An object with every property of `definition`, each filled from its own schema."""
    entry = {}
    for name, prop in definition["properties"].items():
        entry[name] = prop["const"] if "const" in prop else sample(prop, defs)
    return entry


def test_an_action_file_built_from_the_schema_loads_with_the_real_loader(tmp_path: Path) -> None:
    schema = action_schema()
    defs = schema["$defs"]
    entries = [entry_from(defs[ref.rsplit("/", 1)[1]], defs) for ref in
               schema["discriminator"]["mapping"].values()]  # fmt: skip
    path = tmp_path / "every_kind.json"
    path.write_text(json.dumps(entries))
    result = invoke("validate", str(path))
    assert (result.code, result.err) == (0, ""), result
    assert result.out == f"{path}: ok, {len(PLAYER_KINDS)} action(s)\n"
    loaded = parse_actions({"actions": entries}, str(path))
    assert {action.kind for action in loaded} == PLAYER_KINDS


def test_an_entry_the_schema_forbids_is_refused_by_the_loader_too() -> None:
    schema = action_schema()
    fire = schema["$defs"]["Fire"]
    assert "chef" in fire["required"] and fire["additionalProperties"] is False
    with pytest.raises(InputError, match="chef"):
        parse_actions({"actions": [{"kind": "fire", "at": 3}]}, "a.json")
    with pytest.raises(InputError, match="colour"):
        parse_actions({"actions": [{"kind": "fire", "chef": "c1", "colour": "red"}]}, "a.json")


@pytest.mark.parametrize("bad", ["extra", "--action-kinds"])
def test_schema_s_bad_arguments_are_one_line_and_status_2(bad: str) -> None:
    rejected(invoke("schema", "--actions", bad), bad)


def test_schema_without_the_flag_is_still_the_scenario_schema() -> None:
    result = invoke("schema")
    assert json.loads(result.out)["title"] == "Scenario"


# ---------------------------------------------------------------- room files and the agenda


ROOMS = sorted((EXAMPLES / "rooms").glob("*.toml"))


def test_the_agenda_names_every_room_file_and_each_exists() -> None:
    named = set(re.findall(r"examples/rooms/[\w.]+\.toml", doc_section("The agenda (90 minutes)")))
    assert named == {str(path.relative_to(ROOT)) for path in ROOMS}
    assert len(ROOMS) >= 5


@pytest.mark.parametrize("path", ROOMS, ids=[path.name for path in ROOMS])
def test_every_room_file_loads_with_the_room_loader(path: Path) -> None:
    room = load_room(path)
    assert room.seed == room.scenario.seed or room.scenario.name == "garlic_bread_router"
    assert invoke("validate", str(path.relative_to(ROOT))).code == 0


def test_the_garlic_bread_exercise_is_the_level_but_for_who_chooses_the_routing() -> None:
    level = tomllib.loads((ROOT / "assets/levels/06_garlic_bread.toml").read_text())
    variant = tomllib.loads((EXAMPLES / "scenarios/garlic_bread_router.toml").read_text())
    assert "route_kitchen" not in level["allowed_actions"]
    assert variant["allowed_actions"] == [*level["allowed_actions"], "route_kitchen"]
    assert variant["routing"] == {"kitchen": "random"}
    words = {"name", "title", "briefing", "allowed_actions", "routing"}
    assert {k: v for k, v in variant.items() if k not in words} == {
        k: v for k, v in level.items() if k not in words
    }
    assert load_scenario(EXAMPLES / "scenarios/garlic_bread_router.toml").name == variant["name"]


# ---------------------------------------------------------------- example routers


def routers() -> list[tuple[Path, str]]:
    """Every router class in examples/: a class with a `choose` method."""
    found = []
    for path in sorted(EXAMPLES.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == "choose" for item in node.body
            ):
                found.append((path.relative_to(ROOT), node.name))
    return found


LEVEL_OF = {
    "examples/starter_router.py": "smart_routing",
    "examples/least_loaded_router.py": "smart_routing",
    "examples/answers/least_loaded.py": "smart_routing",
    "examples/specialty_router.py": "examples/scenarios/garlic_bread_router.toml",
    "examples/answers/specialists.py": "examples/scenarios/garlic_bread_router.toml",
    "examples/ring_router.py": "regulars",
}


def test_every_example_router_has_a_level_to_grade_on() -> None:
    assert {str(path) for path, _ in routers()} == set(LEVEL_OF)


@pytest.mark.parametrize(("path", "name"), routers(), ids=[f"{p.name}:{n}" for p, n in routers()])
def test_every_example_router_grades_through_the_sandboxed_grader(path: Path, name: str) -> None:
    result = invoke("grade", LEVEL_OF[str(path)], "--strategy", f"{path}:{name}", "--name", name)
    assert (result.code, result.err) == (0, ""), result
    summary = json.loads(result.out)
    assert len(summary["runs"]) == 5
    assert all(run["orders_placed"] > 0 and not run["refused"] for run in summary["runs"])


def test_the_starter_router_s_docstring_documents_what_the_interface_leaves_out() -> None:
    doc = " ".join((EXAMPLES / "starter_router.py").read_text().split())
    for field in ItemView._fields + ChefView._fields:
        assert f"`{field}`" in doc, field
    assert "`busy` is true only while the chef cooks" in doc
    assert "each branch has its own router instance" in doc
    assert "go back through `choose`" in doc
    assert "`hash()`" in doc


# ---------------------------------------------------------------- the ring example and `ring`


def ring_example() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile((EXAMPLES / "ring_router.py").read_text(), "ring_router.py", "exec"), namespace)
    return namespace


def test_the_ring_example_uses_the_level_s_vnodes_and_no_builtin_hash() -> None:
    example = ring_example()
    vnodes = load_scenario("regulars").regulars.ring_vnodes
    assert example["POINTS_PER_CHEF"] == vnodes
    assert f"places each chef at {vnodes} points" in " ".join(DOC.read_text().split())
    tree = ast.parse((EXAMPLES / "ring_router.py").read_text())
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and
             isinstance(n.func, ast.Name)}  # fmt: skip
    assert "hash" not in calls


def test_the_ring_example_picks_the_chef_the_built_in_ring_picks() -> None:
    router = ring_example()["RingRouter"]()
    vnodes = load_scenario("regulars").regulars.ring_vnodes
    for members in (["c1", "c2", "c3"], ["c1", "c2", "c3", "c4", "c5"], ["c2", "c5"]):
        chefs = tuple(ChefView(m, m, "pizza", 1, 1.0, 0, False) for m in members)
        ring = Ring(members, vnodes)
        for customer in range(300):
            item = ItemView(customer, customer, "pizza", "pizza", "centre", 0.0)
            assert router.choose(item, chefs) == ring.pick(customer), (members, customer)


def test_the_ring_example_and_ring_grade_alike_on_regulars() -> None:
    ours = run_json("pizzashop grade regulars --strategy examples/ring_router.py:RingRouter")
    theirs = run_json("pizzashop grade regulars --strategy ring")
    assert ours["seeds"] == theirs["seeds"]
    assert ours["runs"] == theirs["runs"]
    assert ours["wins"] == 5


# ---------------------------------------------------------------- the action reference


def reference() -> dict[str, tuple[str, dict[str, Any]]]:
    """kind -> (fields cell, example) from the doc's action tables."""
    found = {}
    for row in table_rows(doc_section("Every action kind")):
        found[code(row[0])] = (row[1], json.loads(code(row[2])))
    return found


def test_the_reference_names_every_action_kind_the_code_has() -> None:
    assert set(reference()) == set(MODELS)


def test_the_reference_lists_each_kind_s_fields() -> None:
    for kind, (fields, _) in reference().items():
        named = set(re.findall(r"`(\w+)`", fields))
        assert named >= set(MODELS[kind].model_fields) - {"at", "kind"}, kind


def test_each_player_example_loads_and_each_room_only_example_is_refused() -> None:
    for kind, (_, example) in reference().items():
        assert example["kind"] == kind
        ACTION_ADAPTER.validate_python(example)  # a valid action either way
        if kind in PLAYER_KINDS:
            assert parse_actions({"actions": [example]}, "doc")[0].kind == kind
        else:
            with pytest.raises(InputError, match="instructor's room"):
                parse_actions({"actions": [example]}, "doc")


# ---------------------------------------------------------------- the answer key


def key_rows() -> list[list[str]]:
    return table_rows(doc_section("Answer key"))


def figures(command: str) -> list[str]:
    """What the doc's columns would say for this command, as the game plays it now."""
    data = run_json(command)
    if command.split()[1] == "grade":
        return [f"{data['mean_goodput']:.1%}", str(data["wins"]), str(data["min_stars"])]
    result = f"won {'★' * data['stars']}" if data.get("won") else "lost"
    return [
        f"{data['goodput']:.1%}",
        f"{data['latency_p95']:.1f}",
        str(data["orders_lost_total"]),
        f"{data['profit']:,.0f}",
        result,
    ]


@pytest.mark.parametrize("row", key_rows(), ids=[row[0] for row in key_rows()])
def test_the_answer_key_is_what_the_game_plays(row: list[str]) -> None:
    command = code(row[2])
    assert figures(command) == row[3:], f"row {row[0]}: {command}"


def test_the_answer_key_covers_every_exercise_and_both_sides_of_exercise_3() -> None:
    rows = {row[0]: row for row in key_rows()}
    assert {row[0] for row in rows.values()} >= {"1a", "2c", "3b", "3d", "4d", "5b"}
    assert rows["3b"][-1] == "lost" and "--actions" not in rows["3b"][2]
    assert rows["3d"][-1].startswith("won") and "--actions" in rows["3d"][2]
    assert "--strategy" in rows["3b"][2] and "--strategy" in rows["3d"][2]


def test_every_percentage_the_blocks_quote_is_one_the_answer_key_holds() -> None:
    quoted = set(re.findall(r"\d+(?:\.\d)?%", doc_section("The blocks")))
    held = {cell for row in key_rows() for cell in row[3:] if cell.endswith("%")}
    held |= {cell.removesuffix(".0%") + "%" for cell in held}  # "100%" for "100.0%"
    assert quoted, "the blocks quote no figures"
    assert quoted <= held, sorted(quoted - held)
