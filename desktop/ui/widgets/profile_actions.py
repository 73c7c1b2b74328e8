"""Under the resident's short profile: where they stand (prospective, discharged) and the
changes a person may make: edit the profile (anyone on the floor: care details only),
admit a prospective resident, move room, discharge (managers and seniors)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.residents import ResidentProfile
from desktop.ui.theme import set_role
from shared.entities.core import DISCHARGE_REASONS

STATUS_NOTES = {
    "prospective": "Not admitted yet: a prospective resident, here for the pre-admission "
    "assessment. Not on the floor lists or the medicines round until admitted.",
}


class ProfileActions(QWidget):
    requested = Signal(str)  # "edit", "admit", "transfer" or "discharge"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        set_role(self.status_label, "warning")
        self.status_label.setVisible(False)
        self.edit_button = QPushButton("Edit &profile…")
        self.admit_button = QPushButton("A&dmit…")
        set_role(self.admit_button, "primary")
        self.move_button = QPushButton("&Move room…")
        self.discharge_button = QPushButton("Disc&harge…")
        set_role(self.discharge_button, "danger")
        row = QHBoxLayout()
        for action, button in (
            ("edit", self.edit_button),
            ("admit", self.admit_button),
            ("transfer", self.move_button),
            ("discharge", self.discharge_button),
        ):
            button.clicked.connect(lambda _c=False, a=action: self.requested.emit(a))
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status_label)
        layout.addLayout(row)

    def show_profile(self, profile: ResidentProfile, *, may_edit: bool, senior: bool) -> None:
        status = str(profile.fields.get("status"))
        note = STATUS_NOTES.get(status, "")
        if status == "discharged":
            note = discharge_note(profile.fields)
        self.status_label.setText(note)
        self.status_label.setVisible(bool(note))
        self.edit_button.setVisible(may_edit and status != "discharged")
        self.admit_button.setVisible(senior and status == "prospective")
        self.move_button.setVisible(senior and status == "admitted")
        self.discharge_button.setVisible(senior and status == "admitted")


def discharge_note(fields: dict[str, object]) -> str:
    """ "Discharged on 3 Nov 2026: Admitted to hospital (Royal Infirmary)." as far as known
    (a resident discharged before these fields existed has none of them)."""
    text = "Discharged"
    try:
        day = dt.date.fromisoformat(str(fields.get("discharged_on") or ""))
        text += f" on {day.day} {day:%b %Y}"
    except ValueError:
        pass
    reason = DISCHARGE_REASONS.get(str(fields.get("discharge_reason") or ""), "")
    note = str(fields.get("discharge_note") or "")
    if reason:
        text += f": {reason.split(' (')[0]}" + (f" ({note})" if note else "")
    return text + ". No longer on the residents list."
