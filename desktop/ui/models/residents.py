"""The residents list: one row per resident, by unit and room, and a filter proxy that finds
a resident by name, room or NHS number (and narrows to one unit)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QPixmap

from desktop.services.residents import ResidentSummary
from desktop.ui.formatting import nhs, when
from desktop.ui.models.rows import ROW_ROLE, RowsModel
from desktop.ui.widgets.avatar import avatar_pixmap

AVATAR_PX = 36
NOT_SEEN = "Not seen today"
FILLER_WORDS = frozenset({"room", "rm", "nhs"})  # "room 4", "NHS 999 123 4567"


class Column(IntEnum):
    NAME = 0
    ROOM = 1
    UNIT = 2
    ALERTS = 3
    TODAY = 4


def seen_text(row: ResidentSummary) -> str:
    if not row.seen_today:
        return NOT_SEEN
    return when(row.last_recorded_at).replace("Today", "Last record")


class ResidentTableModel(RowsModel[ResidentSummary]):
    headers = ("Resident", "Room", "Unit", "Alerts", "Today")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.resident_id, parent)
        self._bold = QFont()
        self._bold.setBold(True)
        self._avatars: dict[tuple[str, str], QPixmap] = {}

    def _avatar(self, row: ResidentSummary) -> QPixmap:
        key = (row.resident_id, row.initials)
        if key not in self._avatars:
            self._avatars[key] = avatar_pixmap(row.initials, row.resident_id, AVATAR_PX, 2.0)
        return self._avatars[key]

    def cell(self, row: ResidentSummary, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.display_name,
                row.room,
                row.unit_name,
                ", ".join(row.alerts),
                seen_text(row),
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            return self._avatar(row)
        if role == Qt.ItemDataRole.FontRole and column == Column.TODAY and not row.seen_today:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return f"{row.full_name}, NHS number {nhs(row.nhs_number)}"
            if column == Column.ALERTS and row.alerts:
                return "\n".join(row.alerts)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(row, column)
        return None

    @staticmethod
    def _spoken(row: ResidentSummary, column: int) -> str:
        if column == Column.NAME:
            return f"{row.display_name}, room {row.room}"
        if column == Column.ALERTS:
            return "Alerts: " + (", ".join(row.alerts) or "none")
        return str(("", f"Room {row.room}", f"Unit {row.unit_name}", "", seen_text(row))[column])


class ResidentFilterModel(QSortFilterProxyModel):
    """Every word typed must match the name, the room, or (digits) the NHS number."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._unit_id = ""

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        words = text.lower().replace(",", " ").split()
        self._words = [w for w in words if w not in FILLER_WORDS]
        if len(self._words) > 1 and "".join(self._words).isdigit():
            self._words = ["".join(self._words)]  # an NHS number typed as 999 123 4567
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_unit(self, unit_id: str) -> None:
        self.beginFilterChange()
        self._unit_id = unit_id
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def searching(self) -> bool:
        return bool(self._words) or bool(self._unit_id)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if not isinstance(row, ResidentSummary):
            return False
        if self._unit_id and row.unit_id != self._unit_id:
            return False
        return all(_matches(row, word) for word in self._words)


def _matches(row: ResidentSummary, word: str) -> bool:
    if word in row.display_name.lower() or word in row.full_name.lower():
        return True
    room = word.removeprefix("room").removeprefix("rm")
    if room and row.room.lower() == room:
        return True
    digits = "".join(ch for ch in word if ch.isdigit())
    if digits and digits == word and len(digits) >= 3:
        return digits in row.nhs_number
    return False
