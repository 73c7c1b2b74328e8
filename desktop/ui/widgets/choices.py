"""Big tappable choices (a position, a mood, what was eaten): one or several at a time."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QPushButton, QWidget


class ChoiceButtons(QWidget):
    changed = Signal()

    def __init__(
        self,
        options: tuple[str, ...],
        *,
        multiple: bool = False,
        columns: int = 3,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        self._multiple = multiple
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.buttons: list[QPushButton] = []
        for index, option in enumerate(options):
            button = QPushButton(option)
            button.setCheckable(True)
            button.setAccessibleName(option)
            self._group.addButton(button, index)
            grid.addWidget(button, index // columns, index % columns)
            self.buttons.append(button)
        self._group.idToggled.connect(self._toggled)

    def _toggled(self, button_id: int, checked: bool) -> None:
        if checked and not self._multiple:
            for index, button in enumerate(self.buttons):
                if index != button_id and button.isChecked():
                    button.blockSignals(True)
                    button.setChecked(False)
                    button.blockSignals(False)
        self.changed.emit()

    def selected(self) -> list[str]:
        return [b.text() for b in self.buttons if b.isChecked()]

    def select(self, option: str) -> None:
        for button in self.buttons:
            if button.text() == option:
                button.setChecked(True)

    def clear(self) -> None:
        for button in self.buttons:
            button.blockSignals(True)
            button.setChecked(False)
            button.blockSignals(False)
        self.changed.emit()
