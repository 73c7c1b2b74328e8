"""The colours of NEWS2 on screen: each parameter's score as the RCP observation chart colours
it, and each risk band (``shared.news2`` names the colours; this says what they look like)."""

from __future__ import annotations

from PySide6.QtGui import QColor

# shared.news2 colour name -> (background, text)
COLOURS: dict[str, tuple[str, str]] = {
    "white": ("#ffffff", "#1b1f24"),
    "yellow": ("#ffe45c", "#1b1f24"),
    "orange": ("#f28c28", "#1b1f24"),
    "red": ("#c8102e", "#ffffff"),
    "green": ("#1e6b35", "#ffffff"),
    "grey": ("#d6dade", "#1b1f24"),
}


def background(name: str) -> QColor:
    return QColor(COLOURS.get(name, COLOURS["grey"])[0])


def foreground(name: str) -> QColor:
    return QColor(COLOURS.get(name, COLOURS["grey"])[1])


def chip_style(name: str) -> str:
    back, text = COLOURS.get(name, COLOURS["grey"])
    return (
        f"background: {back}; color: {text}; border: 1px solid #515a64; border-radius: 4px; "
        "padding: 2px 6px; font-weight: bold;"
    )
