"""A date that may not be known yet: a tick box ("Applied for on") and the date beside it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class OptionalDate(QWidget):
    changed = Signal()

    def __init__(
        self, label: str, *, not_after_today: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.known = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setAccessibleName(label)
        self.edit.setDate(QDate.currentDate())
        if not_after_today:
            self.edit.setMaximumDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.known.toggled.connect(self.edit.setEnabled)
        self.known.toggled.connect(lambda _on: self.changed.emit())
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.setFocusProxy(self.known)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def value(self) -> dt.date | None:
        day = self.edit.date().toPython()
        return day if self.known.isChecked() and isinstance(day, dt.date) else None

    def set_value(self, day: dt.date | str | None) -> None:
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        self.known.setChecked(day is not None)
        self.edit.setDate(to_qdate(day) if day is not None else QDate.currentDate())
