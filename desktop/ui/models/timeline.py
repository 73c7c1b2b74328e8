"""A resident's timeline, newest first, loaded a page at a time (``canFetchMore``), and a proxy
that shows one kind of record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from desktop.services.notes import TimelineEntry
from desktop.ui.formatting import when
from desktop.ui.models.rows import ROW_ROLE, RowsModel

ALL_KINDS = ""


def status_text(entry: TimelineEntry) -> str:
    if entry.status == "entered_in_error":
        return "Entered in error"
    if entry.history:
        return "Amended"
    return ""


def spoken(entry: TimelineEntry, author: str) -> str:
    parts = [entry.kind_label, when(entry.occurred_at)]
    if author:
        parts.append(f"by {author}")
    text = ", ".join(parts) + f": {entry.summary}"
    status = status_text(entry)
    return f"{text}. {status}." if status else text


class TimelineModel(RowsModel[TimelineEntry]):
    """``more_wanted`` asks the screen for the page after ``oldest`` (the view scrolled down)."""

    more_wanted = Signal(str)
    headers = ("Record",)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda e: e.record_id, parent)
        self._has_more = False
        self._loading_more = False
        self._author: Callable[[str | None], str] = lambda _user_id: ""

    def set_author_names(self, author: Callable[[str | None], str]) -> None:
        self._author = author

    def author_of(self, entry: TimelineEntry) -> str:
        return self._author(entry.author_id)

    def set_page(self, entries: Sequence[TimelineEntry], *, has_more: bool) -> None:
        self._has_more = has_more
        self._loading_more = False
        self.set_rows(entries)

    def add_page(self, entries: Sequence[TimelineEntry], *, has_more: bool) -> None:
        self._has_more = has_more
        self._loading_more = False
        self.append_rows(entries)

    @property
    def oldest(self) -> str:
        return self._rows[-1].occurred_at if self._rows else ""

    def cell(self, row: TimelineEntry, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.summary
        if role == Qt.ItemDataRole.ToolTipRole and row.history:
            return "Earlier versions:\n" + "\n".join(row.history)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return spoken(row, self.author_of(row))
        return None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self._has_more and not self._loading_more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if self.canFetchMore(parent) and self._rows:
            self._loading_more = True
            self.more_wanted.emit(self.oldest)


class TimelineFilterModel(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kind = ALL_KINDS

    def set_kind(self, kind_label: str) -> None:
        self.beginFilterChange()
        self._kind = kind_label
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._kind:
            return True
        model = self.sourceModel()
        entry = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        return isinstance(entry, TimelineEntry) and entry.kind_label == self._kind
