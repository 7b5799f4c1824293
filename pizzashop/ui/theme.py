"""The game's own themes. Every colour on screen comes from a theme variable, so switching theme
and NO_COLOR (Textual turns the screen monochrome) work everywhere."""

from __future__ import annotations

from textual.theme import Theme

THEMES = (
    Theme(
        name="pizzashop",
        primary="#E8833A",
        secondary="#7FB24A",
        accent="#F4C542",
        foreground="#F2E8DA",
        background="#1C1714",
        surface="#26201B",
        panel="#352B23",
        success="#7FB24A",
        warning="#F4C542",
        error="#E5483A",
        dark=True,
    ),
    Theme(
        name="pizzashop-light",
        primary="#B8541E",
        secondary="#4E7F22",
        accent="#9A6A00",
        foreground="#2A2019",
        background="#FBF5EC",
        surface="#F3EADD",
        panel="#E6D8C5",
        success="#3F7A1C",
        warning="#A86A00",
        error="#C2321F",
        dark=False,
    ),
)
DEFAULT_THEME = "pizzashop"
LIGHT_THEME = "pizzashop-light"
