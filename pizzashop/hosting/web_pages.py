"""The pages `serve web` sends: the name form, the game, and "full". Every value put in a page is
escaped here, so a name typed into the form can only ever be text; the files themselves are in
web_assets/ beside this module, served from this host like the terminal's own bundle."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import quote

ASSETS = Path(__file__).with_name("web_assets")
RETRY_SECONDS = 30
"""How often the "full" page reloads itself."""
FONT = "static/fonts/RobotoMono-VariableFont_wght.ttf"
GAME_HEAD = f"""<link rel="stylesheet" href="static/css/xterm.css">
<link rel="preload" href="{FONT}" as="font" type="font/ttf" crossorigin>
"""


@cache
def _template(name: str) -> Template:
    return Template((ASSETS / name).read_text(encoding="utf-8"))


def _page(kind: str, title: str, body: str, head: str = "") -> str:
    values = {"kind": kind, "title": html.escape(title), "head": head, "body": body}
    return _template("page.html").substitute(values)


def _body(template: str, **values: object) -> str:
    return _template(template).substitute({key: html.escape(str(v)) for key, v in values.items()})


def name_page(problem: str = "") -> str:
    """The first screen: who is playing."""
    return _page("form", "pizzashop", _body("name.html", problem=problem))


def game_page(player: str, font_size: int) -> str:
    """The terminal, connected to a game for `player` (a cleaned name)."""
    body = _body(
        "game.html", name=player, socket=f"ws/{quote(player, safe='')}", font_size=font_size
    )
    return _page("game", f"pizzashop · {player}", body, GAME_HEAD)


def full_page(places: int) -> str:
    """Every place is taken: it says so, and reloads itself to try again."""
    head = f'<meta http-equiv="refresh" content="{RETRY_SECONDS}">\n'
    body = _body("full.html", places=places, retry=RETRY_SECONDS)
    return _page("full", "pizzashop is full", body, head)


def asset(name: str) -> Path:
    return ASSETS / name
