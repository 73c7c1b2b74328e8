"""Recording the resident's ReSPECT or DNACPR form as the clinician completed it: which form,
its CPR recommendation, where it is kept, who completed it and when, and its review date. The
app records the form; it makes no CPR decision (uk-care-standards.md §2.14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.capacity import RespectView
from desktop.ui.theme import set_role

FORMS = {"respect": "ReSPECT form", "dnacpr": "DNACPR form", "none": "No form"}
CPR = {
    "do_not_attempt_cpr": "CPR not to be attempted",
    "attempt_cpr": "CPR to be attempted",
    "not_recorded": "Not recorded on the form",
}
NOTE = (
    "Copy what the clinician wrote on the form. The banner shows DNACPR on every screen when "
    "the form says CPR is not to be attempted."
)


def _qdate(iso: str) -> QDate:
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        day = dt.date.today()
    return QDate(day.year, day.month, day.day)


class RespectDialog(QDialog):
    def __init__(self, current: RespectView | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("ReSPECT / DNACPR form")
        self.form_combo = QComboBox()
        for key, label in FORMS.items():
            self.form_combo.addItem(label, key)
        self.cpr_combo = QComboBox()
        for key, label in CPR.items():
            self.cpr_combo.addItem(label, key)
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("e.g. front of the care file; copy in the red bag")
        self.completed_by_edit = QLineEdit()
        self.completed_by_edit.setPlaceholderText("The clinician's name and role")
        self.completed_on = QDateEdit()
        self.completed_on.setCalendarPopup(True)
        self.completed_on.setDisplayFormat("d MMM yyyy")
        self.completed_on.setMaximumDate(QDate.currentDate())
        self.has_review = QCheckBox("The form has a review date")
        self.review_on = QDateEdit()
        self.review_on.setCalendarPopup(True)
        self.review_on.setDisplayFormat("d MMM yyyy")
        self.review_on.setEnabled(False)
        self.has_review.toggled.connect(self.review_on.setEnabled)
        today = QDate.currentDate()
        self.completed_on.setDate(today)
        self.review_on.setDate(today.addMonths(12))
        if current is not None:
            self.form_combo.setCurrentIndex(self.form_combo.findData(current.form))
            self.cpr_combo.setCurrentIndex(self.cpr_combo.findData(current.cpr))
            self.location_edit.setText(current.form_location)
            self.completed_by_edit.setText(current.completed_by)
            if current.completed_on:
                self.completed_on.setDate(_qdate(current.completed_on))
            if current.review_on:
                self.has_review.setChecked(True)
                self.review_on.setDate(_qdate(current.review_on))
        form = QFormLayout()
        form.addRow("Form", self.form_combo)
        form.addRow("CPR", self.cpr_combo)
        form.addRow("Where it is kept", self.location_edit)
        form.addRow("Completed by", self.completed_by_edit)
        form.addRow("Completed on", self.completed_on)
        form.addRow(self.has_review)
        form.addRow("Review by", self.review_on)
        note = QLabel(NOTE)
        note.setWordWrap(True)
        set_role(note, "hint")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        completed = self.completed_on.date().toPython()
        review = self.review_on.date().toPython() if self.has_review.isChecked() else None
        return {
            "form": self.form_combo.currentData(),
            "cpr": self.cpr_combo.currentData(),
            "form_location": self.location_edit.text(),
            "completed_by": self.completed_by_edit.text(),
            "completed_on": completed,
            "review_on": review,
        }

    @classmethod
    def ask(
        cls, current: RespectView | None, parent: QWidget | None = None
    ) -> dict[str, Any] | None:
        """The form's details, or None if cancelled (tests replace this)."""
        dialog = cls(current, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
