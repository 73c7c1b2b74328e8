"""Incident counts as a table: one row a month (newest first) and a last row of the 12 months'
totals; one column a kind of incident, then the month's total."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.services.incident_trends import IncidentTrends
from shared import incidents as inc

Index = QModelIndex | QPersistentModelIndex
TOTAL_ROW_LABEL = "12 months"
SHORT_LABELS = {
    "skin_damage": "Skin damage",
    "medication_error": "Medication",
    "safeguarding": "Safeguarding",
}


class IncidentTrendsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._trends: IncidentTrends | None = None
        self._kinds = tuple(inc.KINDS)

    @property
    def trends(self) -> IncidentTrends | None:
        return self._trends

    def set_trends(self, trends: IncidentTrends | None) -> None:
        self.beginResetModel()
        self._trends = trends
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self._trends is None:
            return 0
        return len(self._trends.months) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._kinds) + 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        kind = self._kinds[section - 1] if 1 <= section <= len(self._kinds) else ""
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole) and kind:
            return inc.KINDS[kind]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Month"
        if kind:
            return SHORT_LABELS.get(kind, inc.KINDS[kind])
        return "Total" if section == len(self._kinds) + 1 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        trends = self._trends
        if trends is None or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return None
        total_row = row == len(trends.months)
        if role == Qt.ItemDataRole.FontRole and (total_row or column == len(self._kinds) + 1):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        month = trends.months[-1 - row] if not total_row else None
        if column == 0:
            return month.label if month is not None else TOTAL_ROW_LABEL
        months = trends.months if month is None else (month,)
        if column == len(self._kinds) + 1:
            count = sum(m.total for m in months)
        else:
            count = sum(m.counts.get(self._kinds[column - 1], 0) for m in months)
        return str(count)
