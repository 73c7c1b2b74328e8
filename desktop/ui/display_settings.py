"""Remembered display settings: text size and high contrast, kept for each member of staff
who uses this PC (the ward PC is shared: one carer wants big text, the next does not), and
the last ones used, for the sign-in screen at the next start. Kept with QSettings in an INI
file beside the PC's store; it holds staff ids and two numbers, nothing about residents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop.ui.theme import DEFAULT_FONT_INDEX, FONT_SIZES

FILE_NAME = "display.ini"
LAST = "last"


@dataclass(frozen=True)
class Display:
    font_index: int = DEFAULT_FONT_INDEX
    high_contrast: bool = False


class DisplaySettings:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def load(self, user_id: str | None = None) -> Display | None:
        """The user's settings (the last used on this PC when no user), None if never set."""
        group = _group(user_id)
        font = self._settings.value(f"{group}/font_index")
        if font is None:
            return None
        try:
            index = int(str(font))
        except ValueError:
            return None
        contrast = str(self._settings.value(f"{group}/high_contrast", "false")).lower()
        return Display(max(0, min(len(FONT_SIZES) - 1, index)), contrast in ("true", "1"))

    def save(self, user_id: str | None, display: Display) -> None:
        for group in {_group(user_id), LAST}:
            self._settings.setValue(f"{group}/font_index", display.font_index)
            self._settings.setValue(f"{group}/high_contrast", display.high_contrast)
        self._settings.sync()


def _group(user_id: str | None) -> str:
    return f"user-{user_id}" if user_id else LAST
