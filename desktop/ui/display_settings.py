"""Remembered display settings: text size and high contrast, kept for each member of staff
who uses this PC (the ward PC is shared: one carer wants big text, the next does not), and
the last ones used, for the sign-in screen at the next start. Kept with QSettings in an INI
file beside the PC's store; it holds staff ids and two numbers, nothing about residents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from desktop.ui.context import UiContext
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


class DisplayControl:
    """Bigger and smaller text and high contrast, applied to the theme and remembered for
    whoever is signed in; the top bar's contrast tick follows what is applied."""

    def __init__(self, ui: UiContext, folder: Path, contrast_action: QAction) -> None:
        self._ui = ui
        self._contrast_action = contrast_action
        self.settings = DisplaySettings(folder)
        self.use(self.settings.load())  # as the last person left it

    def bigger_text(self) -> None:
        self._ui.theme.bigger_text()
        self._remember()

    def smaller_text(self) -> None:
        self._ui.theme.smaller_text()
        self._remember()

    def set_high_contrast(self, on: bool) -> None:
        self._ui.theme.set_high_contrast(on)
        self._remember()

    def use_for(self, user_id: str) -> None:
        self.use(self.settings.load(user_id))

    def _remember(self) -> None:
        theme, user = self._ui.theme, self._ui.user
        self.settings.save(
            user.user_id if user else None, Display(theme.font_index, theme.high_contrast)
        )

    def use(self, display: Display | None) -> None:
        if display is None:
            return
        theme = self._ui.theme
        if (theme.font_index, theme.high_contrast) != (display.font_index, display.high_contrast):
            theme.set_display(display.font_index, display.high_contrast)
        action = self._contrast_action
        action.blockSignals(True)
        action.setChecked(display.high_contrast)
        action.blockSignals(False)


def _group(user_id: str | None) -> str:
    return f"user-{user_id}" if user_id else LAST
