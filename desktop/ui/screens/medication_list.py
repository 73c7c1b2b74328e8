"""A resident's medicines, with their allergies beside every medicine; seniors discontinue
one with a reason; anyone prints the resident's MAR chart for the current cycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.prescriptions import MedicationList, MedicineLine
from desktop.services.residents import ResidentSummary
from desktop.ui.context import UiContext
from desktop.ui.models.medication import MedicineListModel
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError
from shared.medication.scheduling import UK

CYCLE_DAYS = 28


def residents_combo(combo: QComboBox, residents: list[ResidentSummary]) -> None:
    """Fill a resident chooser, keeping the current choice."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for r in residents:
        combo.addItem(f"{r.display_name} · room {r.room}", r.resident_id)
    index = combo.findData(current)
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)


class MedicinesPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.listing: MedicationList | None = None
        self.model = MedicineListModel(self)
        self.resident_combo = QComboBox()
        self.resident_combo.setAccessibleName("Resident")
        self.resident_combo.currentIndexChanged.connect(lambda _i: self.load())
        self.stopped_check = QCheckBox("Show discontinued")
        self.stopped_check.toggled.connect(lambda _on: self.load())
        self.allergy_label = QLabel()
        set_role(self.allergy_label, "heading")
        self.table = QTableView()
        self.table.setAccessibleName("Medicines")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        enable_touch_scrolling(self.table)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setPlaceholderText(
            "Why it is stopped (e.g. 'Stopped by GP, letter 3 May')"
        )
        self.discontinue_button = QPushButton("Discontinue")
        set_role(self.discontinue_button, "danger")
        self.discontinue_button.clicked.connect(self.discontinue)
        self.print_button = QPushButton("Print MAR chart…")
        self.print_button.clicked.connect(self.print_chart)
        top = QHBoxLayout()
        top.addWidget(self.resident_combo, 1)
        top.addWidget(self.stopped_check)
        top.addWidget(self.print_button)
        actions = QHBoxLayout()
        actions.addWidget(self.reason_edit, 1)
        actions.addWidget(self.discontinue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.allergy_label)
        layout.addWidget(self.table, 1)
        self.senior_box = QWidget()
        box = QVBoxLayout(self.senior_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(actions)
        box.addWidget(self.errors.add("reason", self.reason_edit))
        layout.addWidget(self.senior_box)

    def refresh(self) -> None:
        residents = self._ui.services.residents
        self.senior_box.setVisible(self._ui.may_write("prescription"))
        self._ui.runner.run(residents.list_residents, self._residents)

    def _residents(self, residents: list[ResidentSummary]) -> None:
        residents_combo(self.resident_combo, residents)
        self.load()

    def resident_id(self) -> str:
        return str(self.resident_combo.currentData() or "")

    def load(self) -> None:
        resident_id = self.resident_id()
        if not resident_id:
            return
        meds, everything = self._ui.services.medication, self.stopped_check.isChecked()
        self._ui.runner.run(
            lambda: meds.prescriptions.medication_list(
                resident_id, include_discontinued=everything
            ),
            self._show,
        )

    def _show(self, listing: MedicationList) -> None:
        self.listing = listing
        self.model.set_rows(listing.lines)
        self.allergy_label.setText(listing.resident.allergies)
        self.allergy_label.setStyleSheet(
            "color: #b00020;" if listing.resident.allergies.startswith("Allergy") else ""
        )

    def selected(self) -> MedicineLine | None:
        line = self.table.currentIndex().data(ROW_ROLE)
        return line if isinstance(line, MedicineLine) else None

    def discontinue(self) -> None:
        line = self.selected()
        self.errors.clear()
        if line is None:
            self._ui.notify("Choose the medicine to discontinue.")
            return
        meds, reason = self._ui.services.medication, self.reason_edit.text()
        self._ui.runner.run(
            lambda: meds.prescriptions.discontinue(line.prescription_id, reason),
            lambda _none: self._discontinued(line),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _discontinued(self, line: MedicineLine) -> None:
        self.reason_edit.clear()
        self.table.setCurrentIndex(QModelIndex())
        self._ui.notify(f"Discontinued: {line.medicine}. It no longer appears on the round.")
        self.load()

    def _failed(self, error: WcnError) -> None:
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    @staticmethod
    def ask_path(parent: QWidget, suggested: str) -> str:
        """Where to save the PDF; tests replace this."""
        path, _filter = QFileDialog.getSaveFileName(
            parent, "Save MAR chart", suggested, "PDF (*.pdf)"
        )
        return path

    def print_chart(self) -> None:
        resident_id = self.resident_id()
        if not resident_id or self.listing is None:
            return
        today = dt.datetime.now(dt.UTC).astimezone(UK).date()
        cycle = today - dt.timedelta(days=today.toordinal() % CYCLE_DAYS)
        name = self.listing.resident.name.replace(" ", "-").lower()
        path = self.ask_path(self, f"mar-{name}-{cycle.isoformat()}.pdf")
        if not path:
            return
        reports = self._ui.services.medication.reports

        def save() -> str:
            Path(path).write_bytes(reports.mar_chart_pdf(resident_id, cycle))
            return path

        self._ui.runner.run(save, lambda saved: self._ui.notify(f"MAR chart saved: {saved}"))
