"""Under the resident's short profile: where they stand (prospective, discharged) and the
changes a person may make: edit the profile (anyone on the floor: care details only),
admit a prospective resident, move room, discharge (managers and seniors)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.residents import ResidentProfile
from desktop.ui.theme import set_role

STATUS_NOTES = {
    "prospective": "Not admitted yet: a prospective resident, here for the pre-admission "
    "assessment. Not on the floor lists or the medicines round until admitted.",
    "discharged": "Discharged: no longer on the residents list.",
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
        self.status_label.setText(STATUS_NOTES.get(status, ""))
        self.status_label.setVisible(status in STATUS_NOTES)
        self.edit_button.setVisible(may_edit and status != "discharged")
        self.admit_button.setVisible(senior and status == "prospective")
        self.move_button.setVisible(senior and status == "admitted")
        self.discharge_button.setVisible(senior and status == "admitted")
