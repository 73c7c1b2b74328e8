"""Moving a resident: admitting a prospective resident (into a unit and room), moving to
another unit or room, and discharge. Managers and seniors only. A room already someone else's
asks first; discharge says what it does before it is done, as it is not undone here."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import NeedsConfirmation
from desktop.services.residents import ResidentProfile, UnitOption
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.entities.core import DISCHARGE_REASONS
from shared.errors import WcnError

TITLES = {
    "admit": "Admit {name}",
    "transfer": "Move {name} to another room",
    "discharge": "Discharge {name}",
}
BUTTONS = {"admit": "Admit", "transfer": "Move", "discharge": "Discharge"}
EXPLAIN = {
    "admit": "They join the residents list, the medicines round and the handover.",
    "transfer": "Their records stay as they are; the list shows the new unit and room.",
    "discharge": (
        "They leave every list on every PC once synced. Their records are kept. Anything "
        "recorded for them afterwards on another PC is flagged for a senior to check. Only "
        "the home manager can undo this."
    ),
}
AFTER_DEATH = (
    "Also record the death as an incident: that drafts the regulator's notification of a "
    "death, which is due without delay."
)


class ResidentMoveForm(QWidget):
    done = Signal(object)  # ResidentProfile
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.mode = "transfer"
        self.profile: ResidentProfile | None = None
        self.confirmed = False
        self.errors = FieldErrors()
        self.title = QLabel()
        set_role(self.title, "heading")
        self.title.setWordWrap(True)
        self.explain_label = QLabel()
        self.explain_label.setWordWrap(True)
        set_role(self.explain_label, "hint")
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.room_edit = QLineEdit()
        self.room_edit.setAccessibleName("Room")
        self.room_edit.returnPressed.connect(self.submit)
        self.confirm_button = QPushButton("Yes, share the room")
        self.confirm_button.setVisible(False)
        self.confirm_button.clicked.connect(self._confirm)
        self.discharge_fields = self._discharge_fields()
        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.setContentsMargins(0, 0, 0, 0)
        unit_box = QVBoxLayout()
        unit_box.addWidget(self.unit_combo)
        unit_box.addWidget(self.errors.add("unit_id", self.unit_combo))
        form.addRow("Unit", unit_box)
        room_box = QVBoxLayout()
        room_box.addWidget(self.room_edit)
        room_box.addWidget(self.errors.add("room", self.room_edit))
        room_box.addWidget(self.confirm_button)
        form.addRow("Room", room_box)
        self.submit_button = QPushButton()
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.status_error = QLabel()
        self.status_error.setWordWrap(True)
        set_role(self.status_error, "field-error")
        self.status_error.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.fields)
        layout.addWidget(self.discharge_fields)
        layout.addWidget(self.status_error)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _discharge_fields(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.left_on_edit = QDateEdit()
        self.left_on_edit.setCalendarPopup(True)
        self.left_on_edit.setDisplayFormat("d MMM yyyy")
        self.left_on_edit.setAccessibleName("Left on")
        self.reason_combo = QComboBox()
        self.reason_combo.setAccessibleName("Why they left")
        self.reason_combo.addItem("Choose…", "")
        for code, label in DISCHARGE_REASONS.items():
            self.reason_combo.addItem(label, code)
        self.reason_combo.currentIndexChanged.connect(self._reason_chosen)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Where they went, or a note")
        self.note_edit.setPlaceholderText("e.g. Royal Infirmary, ward 4")
        self.note_edit.returnPressed.connect(self.submit)
        self.death_hint = QLabel(AFTER_DEATH)
        self.death_hint.setWordWrap(True)
        set_role(self.death_hint, "warning")
        self.death_hint.setVisible(False)
        for label, edit, name in (
            ("Left on", self.left_on_edit, "discharged_on"),
            ("Why", self.reason_combo, "discharge_reason"),
            ("Where / note", self.note_edit, "discharge_note"),
        ):
            column = QVBoxLayout()
            column.addWidget(edit)
            column.addWidget(self.errors.add(name, edit))
            form.addRow(label, column)
        form.addRow(self.death_hint)
        return box

    def _reason_chosen(self, _index: int) -> None:
        self.death_hint.setVisible(self.reason_combo.currentData() == "died")

    def start(self, mode: str, profile: ResidentProfile) -> None:
        self.mode, self.profile = mode, profile
        self.confirmed = False
        self.errors.clear()
        self.status_error.setVisible(False)
        self.confirm_button.setVisible(False)
        self.title.setText(TITLES[mode].format(name=profile.display_name))
        self.explain_label.setText(EXPLAIN[mode])
        self.submit_button.setText(BUTTONS[mode])
        set_role(self.submit_button, "danger" if mode == "discharge" else "primary")
        self.submit_button.setEnabled(True)
        self.fields.setVisible(mode != "discharge")
        self.discharge_fields.setVisible(mode == "discharge")
        today = QDate.currentDate()
        self.left_on_edit.setMaximumDate(today)
        self.left_on_edit.setDate(today)
        self.reason_combo.setCurrentIndex(0)
        self.note_edit.clear()
        self.room_edit.setText("" if mode == "transfer" else str(profile.fields.get("room") or ""))
        if mode != "discharge":
            residents = self._ui.services.residents
            self._ui.runner.run(residents.units, self._show_units)
            self.room_edit.setFocus()
        else:
            self.reason_combo.setFocus()

    def _show_units(self, units: list[UnitOption]) -> None:
        self.unit_combo.clear()
        for unit in units:
            self.unit_combo.addItem(unit.name, unit.unit_id)
        current = self.profile.fields.get("unit_id") if self.profile else None
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(current)))

    def is_dirty(self) -> bool:
        if self.mode == "discharge":
            return bool(self.reason_combo.currentData() or self.note_edit.text().strip())
        return self.mode == "transfer" and bool(self.room_edit.text().strip())

    def cancel(self) -> None:
        self.room_edit.clear()
        self.cancelled.emit()

    def _confirm(self) -> None:
        self.confirmed = True
        self.confirm_button.setVisible(False)
        self.submit()

    def submit(self) -> None:
        if self.profile is None or not self.submit_button.isEnabled():
            return
        self.errors.clear()
        self.status_error.setVisible(False)
        residents, resident_id = self._ui.services.residents, self.profile.resident_id
        unit_id, room = str(self.unit_combo.currentData() or ""), self.room_edit.text()
        confirmed = self.confirmed
        if self.mode == "transfer" and not room.strip():  # at the field, before sending
            self.errors.show("room", "Write the room they are moving to.")
            return
        reason, note = str(self.reason_combo.currentData() or ""), self.note_edit.text()
        left_on = self.left_on_edit.date().toPython()
        if self.mode == "discharge" and not reason:
            self.errors.show("discharge_reason", "Choose why they left.")
            return
        mode = self.mode

        def call() -> ResidentProfile:
            if mode == "admit":
                return residents.admit_prospective(
                    resident_id, unit_id=unit_id, room=room, confirmed=confirmed
                )
            if mode == "transfer":
                return residents.transfer(resident_id, unit_id, room, confirmed=confirmed)
            day = left_on if isinstance(left_on, dt.date) else None
            return residents.discharge(resident_id, reason, on=day, note=note)

        self.submit_button.setEnabled(False)
        self._ui.runner.run(call, self._done, on_failure=self._failed, changes=("residents",))

    def _done(self, profile: ResidentProfile) -> None:
        self.submit_button.setEnabled(True)
        mode = self.mode
        self.room_edit.clear()
        name = profile.display_name
        self._ui.notify(
            {
                "admit": f"Admitted: {name}, room {profile.fields.get('room') or '—'}.",
                "transfer": f"Moved: {name} is now in room {profile.fields.get('room')}, "
                f"{profile.unit_name}.",
                "discharge": f"Discharged: {name}."
                + (f" {AFTER_DEATH}" if profile.fields.get("discharge_reason") == "died" else ""),
            }[mode]
        )
        self.done.emit(profile)

    def _failed(self, error: WcnError) -> None:
        self.submit_button.setEnabled(True)
        if isinstance(error, NeedsConfirmation):
            self.errors.show("room", error.message)
            self.confirm_button.setVisible(True)
            return
        field = getattr(error, "field", None)
        if not self.errors.show(field if isinstance(field, str) else None, error.message):
            self.status_error.setText(error.message)
            self.status_error.setVisible(True)
