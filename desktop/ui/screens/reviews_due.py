"""The reviews-due dashboard for seniors and managers: what needs doing across the home, overdue
first (in red), with a filter by kind. Opening a row goes to that resident's care planning."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.reviews_due import KIND_LABELS, DueItem
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.models.rows import ROW_ROLE, Index, RowsModel
from desktop.ui.screens.incident_trends import IncidentTrendsView
from desktop.ui.theme import set_role
from desktop.ui.widgets.touch import enable_touch_scrolling

EMPTY = "Nothing is due. Care plan reviews, assessments, DoLS dates and notifications appear here."
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
# Where each kind of item is dealt with in the resident's care planning.
TAB_FOR = {
    "care_plan": "care_plan",
    "proposed": "care_plan",
    "rescore": "assessments",
    "falls": "assessments",
    "dols": "capacity",
    "observations": "incidents",
    "incident_review": "incidents",
    "notification": "incidents",
    "respect": "care_plan",
}


def due_text(item: DueItem, now: dt.datetime | None = None) -> str:
    if item.due is None:
        return "Now"
    text = when(item.due.isoformat(), now=now)
    if item.kind in ("care_plan", "rescore", "respect", "dols", "incident_review"):
        text = text.rsplit(" ", 1)[0] if text.count(" ") >= 1 else text  # a date, not a time
    return ("Overdue · " if item.overdue else "") + text


class DueModel(RowsModel[DueItem]):
    headers = ("Due", "Resident", "Room", "What", "Kind")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda i: f"{i.kind}:{i.subject_id}:{i.resident_id}:{i.what}", parent)

    def cell(self, row: DueItem, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                due_text(row),
                row.resident_name,
                row.room,
                row.what,
                row.kind_label,
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and column == 0:
            return QColor("#b71c1c")
        if role == Qt.ItemDataRole.FontRole and row.overdue and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == KIND_ROLE:
            return row.kind
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return row.what
        return None


class KindFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = ""

    def set_kind(self, kind: str) -> None:
        self.beginFilterChange()
        self.kind = kind
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.kind:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return bool(index.data(KIND_ROLE) == self.kind)


class ReviewsDueScreen(QWidget):
    item_opened = Signal(str, str, str)  # resident id, tab, the item's kind and subject

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.model = DueModel(self)
        self.proxy = KindFilter(self)
        self.proxy.setSourceModel(self.model)
        title = QLabel("Reviews due")
        set_role(title, "title")
        self.count_label = QLabel()
        set_role(self.count_label, "muted")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Show")
        self.kind_combo.addItem("Everything", "")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(
            lambda _i: self.proxy.set_kind(str(self.kind_combo.currentData()))
        )
        self.table = QTableView()
        self.table.setAccessibleName("Reviews due, overdue first")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._opened)
        self.table.doubleClicked.connect(self._opened)
        enable_touch_scrolling(self.table)
        self.empty_label = QLabel(EMPTY)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.trends = IncidentTrendsView(ui)  # the home's incident trends, in place of the list
        self.trends.back_button.setText("Back to reviews due")
        self.trends.closed.connect(self._show_list)
        self.stack.addWidget(self.trends)
        self.trends_button = QPushButton("Home incident trends…")
        self.trends_button.clicked.connect(self.show_trends)
        hint = QLabel("Double-tap a row (or press Enter) to open it.")
        set_role(hint, "hint")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.kind_combo)
        top.addWidget(self.trends_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(hint)

    def refresh(self) -> None:
        due = self._ui.services.reviews_due
        self._ui.runner.run(due.dashboard, self._show)

    def _show(self, items: list[DueItem]) -> None:
        self.model.set_rows(items)
        overdue = sum(1 for i in items if i.overdue)
        self.count_label.setText(f"{len(items)} item(s), {overdue} overdue")
        if self.stack.currentWidget() is not self.trends:
            self._show_list()

    def show_trends(self) -> None:
        self.stack.setCurrentWidget(self.trends)
        self.trends.show_home()

    def _show_list(self) -> None:
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty_label)

    def reset(self) -> None:
        self.kind_combo.setCurrentIndex(0)
        self.table.clearSelection()
        self._show_list()

    def _opened(self, index: QModelIndex) -> None:
        item = index.data(ROW_ROLE)
        if isinstance(item, DueItem):
            self.item_opened.emit(
                item.resident_id, TAB_FOR[item.kind], f"{item.kind}:{item.subject_id}"
            )
