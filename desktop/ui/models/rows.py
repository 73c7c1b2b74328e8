"""A list of plain frozen row objects (what the services return) as a Qt model, replaced as a
whole after each load. When the same rows come back in the same order only their data is
announced as changed, so selection and scroll position survive a background refresh."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's record id


class RowsModel(QAbstractTableModel, Generic[Row]):
    """Subclasses say how many columns there are and what each cell shows."""

    headers: tuple[str, ...] = ("",)

    def __init__(self, key: Callable[[Row], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._rows: list[Row] = []

    # --- ours ------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: str) -> int:
        for index, row in enumerate(self._rows):
            if self._key(row) == key:
                return index
        return -1

    def set_rows(self, rows: Sequence[Row]) -> None:
        new = list(rows)
        if [self._key(r) for r in new] == [self._key(r) for r in self._rows]:
            self._rows = new
            if new:
                last = self.index(len(new) - 1, self.columnCount() - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def append_rows(self, rows: Sequence[Row]) -> None:
        known = {self._key(r) for r in self._rows}
        fresh = [r for r in rows if self._key(r) not in known]
        if not fresh:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def cell(self, row: Row, column: int, role: int) -> object:
        """What ``data`` returns for ``role`` in ``column``; None for nothing."""
        raise NotImplementedError

    # --- Qt overrides ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self._key(row)
        return self.cell(row, index.column(), role)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
