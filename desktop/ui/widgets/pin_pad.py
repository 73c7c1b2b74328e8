"""A number pad for PINs: big keys for a gloved finger on a touch screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "⌫")
KEY_PX = 52


class PinPad(QWidget):
    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target = target
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for index, key in enumerate(KEYS):
            button = QPushButton(key)
            button.setMinimumSize(KEY_PX, KEY_PX)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAccessibleName({"⌫": "Delete last digit", "Clear": "Clear PIN"}.get(key, key))
            button.clicked.connect(lambda _checked=False, k=key: self.press(k))
            grid.addWidget(button, index // 3, index % 3)

    def press(self, key: str) -> None:
        text = self._target.text()
        if key == "Clear":
            self._target.clear()
        elif key == "⌫":
            self._target.setText(text[:-1])
        elif len(text) < self._target.maxLength():
            self._target.setText(text + key)
        self._target.setFocus()
