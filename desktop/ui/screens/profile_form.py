"""The resident's profile form: admitting a new resident (or recording a prospective one for a
pre-admission assessment), and editing the profile. Every field is checked before anything is
saved: names and date of birth required, the date of birth a real date and not in the future,
the NHS number's modulus-11 check digit; each problem is shown at its field. A room already
someone else's asks first (rooms can be shared). Care assistants may change the care details
(allergies, diet, GP…) but not identity, unit or room."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import InvalidInput, NeedsConfirmation
from desktop.services.residents import ResidentProfile, UnitOption, check_profile
from desktop.ui.context import UiContext
from desktop.ui.screens.form_changes import changed_fields
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared import nhs_number
from shared.errors import WcnError
from shared.permissions import SENIOR_ROLES

IDENTITY = ("first_name", "last_name", "date_of_birth", "nhs_number", "unit_id", "room")
LINES = {
    "first_name": ("First name", ""),
    "last_name": ("Surname", ""),
    "preferred_name": ("Known as", "What they like to be called"),
    "date_of_birth": ("Date of birth", "DD/MM/YYYY"),
    "nhs_number": ("NHS number", "10 digits, e.g. 943 476 5919"),
    "room": ("Room", ""),
    "gp": ("GP", "Name and surgery"),
    "next_of_kin": ("Next of kin", "Name, relationship, phone"),
    "allergies": ("Allergies", "e.g. Penicillin (rash); or None known"),
    "diet": ("Diet", "e.g. Normal; Soft and bite-sized (IDDSI 6)"),
    "communication": ("Communication", "Hearing aids, glasses, language, how best to explain"),
    "religion": ("Religion or belief", ""),
}
REQUIRED = ("first_name", "last_name", "date_of_birth")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d")
TITLES = {"admit": "Admit a resident", "edit": "Edit profile"}
PROSPECTIVE = "Prospective: coming for a pre-admission assessment, not admitted yet"


def parse_birth_date(text: str) -> str | None:
    """An ISO date from what was typed (DD/MM/YYYY and the like), or the text itself for the
    check to refuse with a sentence; None when empty."""
    text = text.strip()
    if not text:
        return None
    for form in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return text


def shown_birth_date(iso: object) -> str:
    try:
        return dt.date.fromisoformat(str(iso)).strftime("%d/%m/%Y")
    except ValueError:
        return ""


class ProfileForm(QWidget):
    saved = Signal(object)  # ResidentProfile
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.mode = "admit"
        self.current: ResidentProfile | None = None
        self.confirmed = False
        self.errors = FieldErrors()
        self.title = QLabel(TITLES["admit"])
        set_role(self.title, "heading")
        self.edits: dict[str, QLineEdit] = {}
        for name, (label, placeholder) in LINES.items():
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.setPlaceholderText(placeholder)
            self.edits[name] = edit
        self.edits["nhs_number"].editingFinished.connect(self._check_nhs_number)
        self.edits["date_of_birth"].editingFinished.connect(self._check_birth_date)
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.fluid_spin = QSpinBox()
        self.fluid_spin.setAccessibleName("Fluid target")
        self.fluid_spin.setRange(0, 5000)
        self.fluid_spin.setSingleStep(100)
        self.fluid_spin.setSuffix(" ml a day")
        self.fluid_spin.setSpecialValueText("No target")
        self.about_edit = QPlainTextEdit()
        self.about_edit.setAccessibleName("About me")
        self.about_edit.setPlaceholderText("Life history, what matters to them, likes and dislikes")
        self.about_edit.setTabChangesFocus(True)
        self.about_edit.setStyleSheet("min-height: 64px;")
        self.about_edit.setMaximumHeight(110)
        self.prospective_box = QCheckBox(PROSPECTIVE)
        self.falls_box = QCheckBox("At risk of falls")

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._unit_row: list[QWidget] = []
        for name in ("first_name", "last_name", "preferred_name", "date_of_birth", "nhs_number"):
            form.addRow(self._label(name), self._with_error(name, self.edits[name]))
        unit_label = QLabel("Unit *")
        form.addRow(unit_label, self._with_error("unit_id", self.unit_combo))
        room_label = QLabel("Room")
        room = self._with_error("room", self.edits["room"])
        self.room_confirm = QPushButton("Yes, share the room")
        self.room_confirm.setVisible(False)
        self.room_confirm.clicked.connect(self._confirm_room)
        room.addWidget(self.room_confirm)
        form.addRow(room_label, room)
        self._unit_row = [unit_label, self.unit_combo, room_label, self.edits["room"]]
        form.addRow(self.prospective_box)
        for name in ("gp", "next_of_kin", "allergies", "diet", "communication", "religion"):
            form.addRow(self._label(name), self._with_error(name, self.edits[name]))
        form.addRow("Fluid target", self._with_error("fluid_target_ml", self.fluid_spin))
        form.addRow(self.falls_box)
        form.addRow("About me", self._with_error("about_me", self.about_edit))
        self.save_button = QPushButton("Admit")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.title)
        hint = QLabel("* must be filled in. Nothing is saved until every field is right.")
        hint.setWordWrap(True)
        set_role(hint, "hint")
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.prospective_box.toggled.connect(self._prospective_toggled)

    def _label(self, name: str) -> QLabel:
        text = LINES[name][0] + (" *" if name in REQUIRED else "")
        label = QLabel(text)
        label.setBuddy(self.edits[name])
        return label

    def _with_error(self, name: str, widget: QWidget) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self.errors.add(name, widget))
        return box

    # --- starting --------------------------------------------------------------------------

    def start_admit(self) -> None:
        self.mode, self.current = "admit", None
        self.reset()
        self.title.setText(TITLES["admit"])
        self.prospective_box.setVisible(True)
        for widget in self._unit_row:
            widget.setVisible(True)
        self._set_identity_enabled(True)
        self._prospective_toggled(False)
        self._load_units()
        self.edits["first_name"].setFocus()

    def start_edit(self, profile: ResidentProfile) -> None:
        self.mode, self.current = "edit", profile
        self.reset()
        self.title.setText(f"{TITLES['edit']}: {profile.display_name}")
        self.save_button.setText("Save profile")
        self.prospective_box.setVisible(False)
        for widget in self._unit_row:  # unit and room change by "Move room"
            widget.setVisible(False)
        f = profile.fields
        for name, edit in self.edits.items():
            value = f.get(name)
            if name == "date_of_birth":
                edit.setText(shown_birth_date(value))
            elif name == "nhs_number":
                edit.setText(nhs_number.formatted(str(value)) if value else "")
            else:
                edit.setText(str(value or ""))
        target = f.get("fluid_target_ml")
        self.fluid_spin.setValue(target if isinstance(target, int) else 0)
        self.falls_box.setChecked(bool(f.get("falls_risk")))
        self.about_edit.setPlainText(str(f.get("about_me") or ""))
        user = self._ui.user
        self._set_identity_enabled(user is not None and user.role in SENIOR_ROLES)
        self.edits["preferred_name"].setFocus()

    def _set_identity_enabled(self, on: bool) -> None:
        for name in IDENTITY:
            if name in self.edits:
                self.edits[name].setEnabled(on)
                if not on:
                    self.edits[name].setToolTip(
                        "Only a senior carer, nurse or manager can change this"
                    )
        self.unit_combo.setEnabled(on)

    def _load_units(self) -> None:
        residents = self._ui.services.residents
        self._ui.runner.run(residents.units, self._show_units)

    def _show_units(self, units: list[UnitOption]) -> None:
        chosen = self.unit_combo.currentData()
        self.unit_combo.clear()
        self.unit_combo.addItem("Choose…", "")
        for unit in units:
            self.unit_combo.addItem(unit.name, unit.unit_id)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(chosen)))

    def _prospective_toggled(self, on: bool) -> None:
        self.save_button.setText("Save prospective resident" if on else "Admit")

    # --- checking --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: edit.text().strip() for name, edit in self.edits.items()}
        values["date_of_birth"] = parse_birth_date(values["date_of_birth"])
        values["nhs_number"] = values["nhs_number"] or None
        values["fluid_target_ml"] = self.fluid_spin.value() or None
        values["falls_risk"] = self.falls_box.isChecked()
        values["about_me"] = self.about_edit.toPlainText().strip()
        if self.mode == "admit":
            values["unit_id"] = self.unit_combo.currentData() or ""
        else:
            for name in ("room",):
                values.pop(name)
        return values

    def changes(self) -> dict[str, Any]:
        values = self.values()
        if self.current is None:
            return {k: v for k, v in values.items() if v not in (None, "", False)} | {
                k: values[k] for k in ("first_name", "last_name", "date_of_birth", "unit_id")
            }
        changed = changed_fields(values, self.current.fields)
        if changed.get("nhs_number"):
            typed = nhs_number.normalise(str(changed["nhs_number"]))
            if typed == self.current.fields.get("nhs_number"):
                del changed["nhs_number"]
        return changed

    def _check_nhs_number(self) -> None:
        text = self.edits["nhs_number"].text().strip()
        problem = nhs_number.validation_error(text) if text else None
        if problem:
            self.errors.show("nhs_number", problem)

    def _check_birth_date(self) -> None:
        try:
            check_profile(
                {"date_of_birth": parse_birth_date(self.edits["date_of_birth"].text())},
                creating=False,
            )
        except InvalidInput as exc:
            if self.edits["date_of_birth"].text().strip():
                self.errors.show(exc.field, exc.message)

    def check(self) -> dict[str, Any] | None:
        """The changes, or None after showing the first problem at its field."""
        self.errors.clear()
        changes = self.changes()
        try:
            check_profile(changes, creating=self.current is None)
        except InvalidInput as exc:
            self.errors.show(exc.field, exc.message)
            return None
        return changes

    # --- saving ----------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        if self.current is None:
            return any(e.text().strip() for e in self.edits.values())
        return bool(self.changes())

    def reset(self) -> None:
        for edit in self.edits.values():
            edit.clear()
            edit.setToolTip("")
        self.fluid_spin.setValue(0)
        self.falls_box.setChecked(False)
        self.about_edit.clear()
        self.prospective_box.setChecked(False)
        self.unit_combo.setCurrentIndex(0)
        self.room_confirm.setVisible(False)
        self.confirmed = False
        self.save_button.setEnabled(True)
        self.errors.clear()

    def cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        changes = self.check()
        if changes is None:
            return
        if not changes:
            self._ui.notify("Nothing has changed.")
            return
        residents, confirmed = self._ui.services.residents, self.confirmed
        self.save_button.setEnabled(False)
        if self.current is None:
            prospective = self.prospective_box.isChecked()
            self._ui.runner.run(
                lambda: residents.admit(changes, prospective=prospective, confirmed=confirmed),
                self._stored,
                on_failure=self._failed,
                changes=("residents",),
            )
        else:
            resident_id = self.current.resident_id
            self._ui.runner.run(
                lambda: residents.update_profile(resident_id, changes),
                self._stored,
                on_failure=self._failed,
                changes=("residents",),
            )

    def _confirm_room(self) -> None:
        self.confirmed = True
        self.room_confirm.setVisible(False)
        self.save()

    def _stored(self, profile: ResidentProfile) -> None:
        self.save_button.setEnabled(True)
        admitted = self.current is None
        self.reset()
        status = profile.fields.get("status")
        if not admitted:
            self._ui.notify(f"Saved: {profile.display_name}'s profile.")
        elif status == "prospective":
            self._ui.notify(f"Saved: {profile.display_name}, prospective resident.")
        else:
            self._ui.notify(f"Admitted: {profile.display_name}.")
        self.saved.emit(profile)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, NeedsConfirmation):
            self.errors.show("room", error.message)
            self.room_confirm.setVisible(True)
            return
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
