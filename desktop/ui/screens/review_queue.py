"""The review queue: two changes made at once, records made after a discharge. A senior
resolves each with an outcome; care assistants see the list but cannot resolve."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.reviews import ReviewItem
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.models.reviews import ReviewListModel, rule_label
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError

READ_ONLY = "Only a senior carer, nurse or manager can resolve these. Tell the senior on duty."
EMPTY = "Nothing to review. Conflicts and safety flags from syncing will appear here."


def describe_values(values: list[dict[str, Any]]) -> str:
    lines = []
    for value in values:
        shown = "shown now" if value.get("shown") else "not shown"
        lines.append(f"• {value.get('value')!r} ({shown})")
    return "\n".join(lines)


class ReviewQueueScreen(QWidget):
    count_changed = Signal(int)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.errors = FieldErrors()
        self.model = ReviewListModel(self)
        title = QLabel("Reviews")
        set_role(title, "title")
        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        self.table = QTableView()
        self.table.setAccessibleName("Items to review")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        enable_touch_scrolling(self.table)
        self.empty_label = QLabel(EMPTY)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "empty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        self.detail_title = QLabel("Choose an item to see what to check.")
        set_role(self.detail_title, "heading")
        self.detail_title.setWordWrap(True)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.outcome_edit = QPlainTextEdit()
        self.outcome_edit.setAccessibleName("Outcome")
        self.outcome_edit.setTabChangesFocus(True)
        self.outcome_edit.setPlaceholderText(
            "What did you check, and what is right? e.g. 'Diet confirmed with the kitchen: "
            "soft and bite-sized. Care plan updated.'"
        )
        self.resolve_button = QPushButton("&Resolve")
        set_role(self.resolve_button, "primary")
        self.resolve_button.clicked.connect(self.resolve)
        self.read_only_label = QLabel(READ_ONLY)
        self.read_only_label.setWordWrap(True)
        set_role(self.read_only_label, "hint")
        detail = QFrame()
        detail.setObjectName("Card")
        detail.setMinimumWidth(380)
        detail.setMaximumWidth(520)
        side = QVBoxLayout(detail)
        side.addWidget(self.detail_title)
        side.addWidget(self.detail_label)
        self.outcome_label = QLabel("&Outcome")
        self.outcome_label.setBuddy(self.outcome_edit)
        side.addWidget(self.outcome_label)
        side.addWidget(self.outcome_edit, 1)
        side.addWidget(self.errors.add("outcome", self.outcome_edit))
        side.addWidget(self.resolve_button)
        side.addWidget(self.read_only_label)
        side.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.show_resolved)
        body = QHBoxLayout()
        body.addWidget(self.list_stack, 3)
        body.addWidget(detail, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self._chosen(QModelIndex(), QModelIndex())

    @property
    def can_resolve(self) -> bool:
        return self._ui.may_write("review_resolution", ["outcome"])

    def refresh(self) -> None:
        reviews, everything = self._ui.services.reviews, self.show_resolved.isChecked()
        self._ui.runner.run(lambda: reviews.items(include_resolved=everything), self._show)

    def reset(self) -> None:
        """Another person signed in: nothing chosen, nothing half-typed."""
        self.table.setCurrentIndex(QModelIndex())
        self.table.clearSelection()
        self.outcome_edit.clear()
        self._chosen(QModelIndex(), QModelIndex())

    def _show(self, items: list[ReviewItem]) -> None:
        self.model.set_rows(items)
        self.list_stack.setCurrentWidget(self.table if items else self.empty_label)
        self.count_changed.emit(sum(1 for i in items if not i.resolved))
        self._chosen(self.table.currentIndex(), QModelIndex())

    def selected(self) -> ReviewItem | None:
        item = self.table.currentIndex().data(ROW_ROLE)
        return item if isinstance(item, ReviewItem) else None

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ROW_ROLE) if current.isValid() else None
        self.errors.clear()
        senior = self.can_resolve
        self.read_only_label.setVisible(not senior)
        open_item = isinstance(item, ReviewItem) and not item.resolved
        for widget in (self.outcome_label, self.outcome_edit, self.resolve_button):
            widget.setVisible(senior and open_item)
        if not isinstance(item, ReviewItem):
            self.detail_title.setText("Choose an item to see what to check.")
            self.detail_label.clear()
            return
        resident = item.resident_name or "No resident"
        self.detail_title.setText(f"{rule_label(item.rule)} · {resident}")
        text = f"{item.message}\n\nRaised {when(item.raised_at)}."
        if item.values:
            text += "\n\nThe values:\n" + describe_values(item.values)
        if item.resolved:
            text += f"\n\nResolved: {item.outcome}"
        self.detail_label.setText(text)

    def resolve(self) -> None:
        item = self.selected()
        if item is None or not self.resolve_button.isEnabled():
            return
        self.errors.clear()
        reviews, outcome = self._ui.services.reviews, self.outcome_edit.toPlainText()
        self.resolve_button.setEnabled(False)
        self._ui.runner.run(
            lambda: reviews.resolve(item.review_id, outcome),
            self._resolved,
            on_failure=self._failed,
            changes=("reviews",),
        )

    def _resolved(self, _record_id: str) -> None:
        self.resolve_button.setEnabled(True)
        self.outcome_edit.clear()
        self._ui.notify("Resolved. The outcome is recorded and will be sent at the next sync.")

    def _failed(self, error: WcnError) -> None:
        self.resolve_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
