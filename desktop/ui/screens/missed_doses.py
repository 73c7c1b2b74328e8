"""Missed and refused doses over a period, for the nurse in charge and the GP or pharmacist:
every scheduled dose refused, omitted or not recorded, with any medicine not given three days
running flagged at the top; saved as a PDF to print or send."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.reports import MissedReport
from desktop.services.residents import ResidentSummary
from desktop.ui.context import UiContext
from desktop.ui.models.medication_panels import MissedDoseModel
from desktop.ui.screens.medication_widgets import table
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH
from shared.errors import WcnError
from shared.medication.scheduling import UK

NONE_MISSED = "No doses were refused, omitted or left unrecorded in this period."
DEFAULT_DAYS = 7


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class MissedDosesPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.report: MissedReport | None = None
        self.model = MissedDoseModel(self)
        today = dt.datetime.now(dt.UTC).astimezone(UK).date()
        self.start_edit = QDateEdit(_qdate(today - dt.timedelta(days=DEFAULT_DAYS - 1)))
        self.end_edit = QDateEdit(_qdate(today))
        for edit, name in ((self.start_edit, "From"), (self.end_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setMinimumSize(TOUCH_WIDTH + 40, TOUCH_HEIGHT)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setAccessibleName(name)
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.unit_combo.addItem("All units", "")
        self.show_button = QPushButton("Show")
        set_role(self.show_button, "primary")
        self.show_button.clicked.connect(self.load)
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.flags_label = QLabel()
        self.flags_label.setWordWrap(True)
        set_role(self.flags_label, "warning")
        self.table = table(self.model, "Missed and refused doses", stretch=2)
        self.empty_label = QLabel(NONE_MISSED)
        set_role(self.empty_label, "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.start_edit)
        top.addWidget(QLabel("to"))
        top.addWidget(self.end_edit)
        top.addWidget(self.unit_combo)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.errors.add("end", self.end_edit))
        layout.addWidget(self.flags_label)
        layout.addWidget(self.stack, 1)

    def refresh(self) -> None:
        residents = self._ui.services.residents
        self._ui.runner.run(residents.list_residents, self._units)

    def _units(self, residents: list[ResidentSummary]) -> None:
        units = sorted({(r.unit_name, r.unit_id) for r in residents if r.unit_id})
        if self.unit_combo.count() - 1 != len(units):
            self.unit_combo.blockSignals(True)
            for name, unit_id in units:
                self.unit_combo.addItem(name, unit_id)
            self.unit_combo.blockSignals(False)
        self.load()

    def period(self) -> tuple[dt.date, dt.date, str | None]:
        unit = str(self.unit_combo.currentData() or "") or None
        return _date(self.start_edit.date()), _date(self.end_edit.date()), unit

    def load(self) -> None:
        self.errors.clear()
        start, end, unit = self.period()
        reports = self._ui.services.medication.reports
        self._ui.runner.run(
            lambda: reports.missed_doses(start, end, unit_id=unit),
            self._show,
            on_failure=self._failed,
        )

    def _show(self, report: MissedReport) -> None:
        self.report = report
        self.model.set_rows(report.lines)
        self.stack.setCurrentWidget(self.table if report.lines else self.empty_label)
        self.flags_label.setVisible(bool(report.flagged))
        self.flags_label.setText("\n".join(report.flagged))

    @staticmethod
    def ask_path(parent: QWidget, suggested: str) -> str:
        """Where to save the PDF; tests replace this."""
        path, _filter = QFileDialog.getSaveFileName(
            parent, "Save missed doses report", suggested, "PDF (*.pdf)"
        )
        return path

    def save_pdf(self) -> None:
        self.errors.clear()
        start, end, unit = self.period()
        path = self.ask_path(self, f"missed-doses-{start.isoformat()}-to-{end.isoformat()}.pdf")
        if not path:
            return
        reports = self._ui.services.medication.reports

        def save() -> str:
            Path(path).write_bytes(reports.missed_doses_pdf(start, end, unit_id=unit))
            return path

        self._ui.runner.run(
            save,
            lambda saved: self._ui.notify(f"Missed doses report saved: {saved}"),
            on_failure=self._failed,
        )

    def _failed(self, error: WcnError) -> None:
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
