"""Pieces the medicines tabs share: a read-only table set up the same way everywhere, and the
box shown when a when-required dose or homely remedy is over its limit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.permissions import SENIOR_ROLES


def table(model: object, name: str, stretch: int | None = None) -> QTableView:
    """A read-only, row-selecting, touch-scrolling table, as every medicines panel uses:
    columns as wide as their contents, column ``stretch`` (default the last) taking the rest."""
    view = QTableView()
    view.setAccessibleName(name)
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(48)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(True)
    enable_touch_scrolling(view)
    return view


class OverrideBox(QFrame):
    """Shown when a dose is over its limit: the problems, and (for seniors) a reason field and
    "Give anyway"."""

    def __init__(self, errors: FieldErrors, give_anyway: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("Card")
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        set_role(self.problems_label, "warning")
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why it is given anyway")
        self.reason_edit.setPlaceholderText("Why, e.g. 'GP Dr Shah agreed by phone at 14:10'")
        self.give_button = QPushButton("Give anyway (senior)")
        set_role(self.give_button, "danger")
        self.give_button.clicked.connect(give_anyway)
        self.senior_only = QLabel("Only a senior carer, nurse or manager can give it anyway.")
        self.senior_only.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(errors.add("override_reason", self.reason_edit))
        layout.addWidget(self.give_button)
        layout.addWidget(self.senior_only)
        self.setVisible(False)

    def show_problems(self, messages: list[str], role: str) -> None:
        senior = role in SENIOR_ROLES
        self.problems_label.setText("\n".join(messages))
        for widget in (self.reason_edit, self.give_button):
            widget.setVisible(senior)
        self.senior_only.setVisible(not senior)
        self.setVisible(True)
        if senior:
            self.reason_edit.setFocus()

    def close_box(self) -> None:
        self.reason_edit.clear()
        self.setVisible(False)
