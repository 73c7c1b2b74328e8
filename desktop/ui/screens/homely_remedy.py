"""Giving a homely remedy: the home's list (with each one's GP sign-off and limits), the
resident, why it is needed and how much. A remedy without a GP sign-off, or given on its
most days running, is refused (the GP reviews first); one too soon or over its daily maximum
is given only by a senior with a reason."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.store.records import StoredRecord
from desktop.ui.context import UiContext
from desktop.ui.models.medication_panels import RemedyModel
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.screens.medication_widgets import OverrideBox, table
from desktop.ui.screens.resident_picker import ResidentPicker
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH
from shared.errors import WcnError

EMPTY = (
    "The home has no homely remedies yet. A senior adds them with the GP's sign-off "
    "(see the user guide)."
)


class HomelyRemedyPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.model = RemedyModel(self)
        self._resident = ""
        self.picker = ResidentPicker(ui, self._resident_chosen)
        self.table = table(self.model, "Homely remedies", stretch=2)
        self.table.selectionModel().currentRowChanged.connect(lambda c, _p: self._chosen(c))
        self.empty_label = QLabel(EMPTY)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "empty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        self.remedy_label = QLabel("Choose a homely remedy")
        self.remedy_label.setWordWrap(True)
        set_role(self.remedy_label, "heading")
        self.indication_label = QLabel()
        self.indication_label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why it is needed")
        self.reason_edit.setPlaceholderText("Why it is needed, e.g. 'headache since lunch'")
        self.quantity_spin = QDoubleSpinBox()
        self.quantity_spin.setAccessibleName("Amount given")
        self.quantity_spin.setDecimals(1)
        self.quantity_spin.setMinimumSize(TOUCH_WIDTH, TOUCH_HEIGHT)
        self.quantity_spin.setRange(0, 1000)
        self.quantity_spin.setValue(1)
        self.give_button = QPushButton("Give ✓")
        set_role(self.give_button, "primary")
        self.give_button.clicked.connect(lambda: self.give(""))
        self.override = OverrideBox(self.errors, self._give_anyway)
        self.refused_label = QLabel()
        self.refused_label.setWordWrap(True)
        set_role(self.refused_label, "warning")
        self.refused_label.setVisible(False)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(380)
        card.setMaximumWidth(520)
        side = QVBoxLayout(card)
        side.addWidget(self.remedy_label)
        side.addWidget(self.indication_label)
        side.addWidget(QLabel("Why it is needed"))
        side.addWidget(self.reason_edit)
        side.addWidget(self.errors.add("prn_reason", self.reason_edit))
        side.addWidget(QLabel("Amount given (tablets, ml, sachets)"))
        side.addWidget(self.quantity_spin)
        side.addWidget(self.errors.add("quantity", self.quantity_spin))
        side.addWidget(self.give_button)
        side.addWidget(self.refused_label)
        side.addWidget(self.override)
        side.addStretch(1)
        hint = QLabel(
            "Homely remedies are for short-term minor ailments. Tell the senior on duty; "
            "after the most days shown, the GP reviews the resident."
        )
        hint.setWordWrap(True)
        set_role(hint, "hint")
        left = QVBoxLayout()
        left.addWidget(self.picker)
        left.addWidget(self.list_stack, 1)
        left.addWidget(hint)
        body = QHBoxLayout(self)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(left, 3)
        body.addWidget(card, 2)
        self._chosen(QModelIndex())

    def refresh(self) -> None:
        self.picker.refresh()
        controlled = self._ui.services.medication.controlled
        self._ui.runner.run(controlled.homely_remedies, self._show)

    def _show(self, remedies: list[StoredRecord]) -> None:
        chosen = self.selected()
        self.model.set_rows(remedies)
        self.list_stack.setCurrentWidget(self.table if remedies else self.empty_label)
        row = self.model.row_of(chosen.record_id) if chosen else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def _resident_chosen(self, resident_id: str) -> None:
        if resident_id != self._resident:  # a refresh of the same resident keeps the form
            self._resident = resident_id
            self._chosen(self.table.currentIndex())

    def selected(self) -> StoredRecord | None:
        remedy = self.table.currentIndex().data(ROW_ROLE)
        return remedy if isinstance(remedy, StoredRecord) else None

    def choose(self, medicine: str) -> None:
        for row, remedy in enumerate(self.model.rows):
            if str(remedy.fields.get("medicine")) == medicine:
                self.table.setCurrentIndex(self.model.index(row, 0))
                return

    def _chosen(self, current: QModelIndex) -> None:
        remedy = current.data(ROW_ROLE) if current.isValid() else None
        self.errors.clear()
        self.override.close_box()
        self.refused_label.setVisible(False)
        ready = isinstance(remedy, StoredRecord) and bool(self.picker.resident_id())
        for widget in (self.reason_edit, self.quantity_spin, self.give_button):
            widget.setEnabled(ready)
        if not isinstance(remedy, StoredRecord):
            self.remedy_label.setText("Choose a homely remedy")
            self.indication_label.clear()
            return
        f = remedy.fields
        self.remedy_label.setText(
            f"{f.get('medicine', '')} {f.get('strength') or ''}: {f.get('dose', '')} "
            f"for {self.picker.name}".replace("  ", " ")
        )
        self.indication_label.setText(f"For {str(f.get('indication', '')).lower()}.")

    def _give_anyway(self) -> None:
        if not self.override.reason_edit.text().strip():
            self.errors.show("override_reason", "Say why it is given anyway, and who agreed to it.")
            return
        self.give(self.override.reason_edit.text())

    def give(self, override_reason: str) -> None:
        remedy, resident_id = self.selected(), self.picker.resident_id()
        if remedy is None or not resident_id or not self.give_button.isEnabled():
            return
        prn, reason, amount = (
            self._ui.services.medication.prn,
            self.reason_edit.text(),
            self.quantity_spin.value(),
        )
        self.errors.clear()
        self.refused_label.setVisible(False)
        self.give_button.setEnabled(False)
        name = f"{remedy.fields.get('medicine', '')}"
        self._ui.runner.run(
            lambda: prn.give_homely_remedy(
                remedy.record_id,
                resident_id,
                reason,
                quantity=amount,
                override_reason=override_reason,
            ),
            lambda _id: self._given(name, amount),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _given(self, name: str, amount: float) -> None:
        self.give_button.setEnabled(True)
        self.reason_edit.clear()
        self.override.close_box()
        self._ui.notify(f"Homely remedy given: {name} × {amount:g} for {self.picker.name}.")

    def _failed(self, error: WcnError) -> None:
        self.give_button.setEnabled(True)
        if error.code == "prn_limit":
            messages = list(getattr(error, "messages", [error.message]))
            self.override.show_problems(messages, self._ui.user.role if self._ui.user else "")
            return
        field = getattr(error, "field", None)
        if not self.errors.show(field if isinstance(field, str) else None, error.message):
            self.refused_label.setText(error.message)
            self.refused_label.setVisible(True)

    def reset(self) -> None:
        self.reason_edit.clear()
        self.override.close_box()
        self.refused_label.setVisible(False)
