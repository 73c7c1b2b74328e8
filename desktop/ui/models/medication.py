"""Table models of the medication screens: the round, a resident's medicines, and a page of
the controlled-drug register. Each holds the plain rows the services return."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services.medication.controlled import CdLine
from desktop.services.medication.prescriptions import MedicineLine
from desktop.services.medication.round import RoundItem
from desktop.ui.formatting import when
from desktop.ui.models.rows import RowsModel
from desktop.ui.widgets.avatar import avatar_pixmap

STATUS_LABELS = {
    "overdue": "Overdue",
    "due": "Due now",
    "coming_up": "Coming up",
    "done": "Recorded",
}
DANGER = QColor("#b00020")


def status_text(item: RoundItem) -> str:
    return item.recorded if item.status == "done" else STATUS_LABELS[item.status]


class RoundModel(RowsModel[RoundItem]):
    headers = ("Due", "Resident", "Medicine and dose", "Status")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda i: i.slot_id, parent)

    def cell(self, row: RoundItem, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            due = row.due_local
            resident = f"{row.resident.name} · room {row.resident.room}"
            medicine = f"{row.medicine} · {row.dose}"
            if row.controlled_drug:
                medicine += " · CD"
            if role == Qt.ItemDataRole.AccessibleTextRole and column == 1:
                resident += f". {row.resident.allergies}"
            status = status_text(row)
            if row.time_critical and row.status != "done":
                status += " · time-critical"
            return (due, resident, medicine, status)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return avatar_pixmap(row.resident.initials, row.resident.resident_id, 32)
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = [row.resident.allergies, row.instructions]
            if row.time_critical:
                tips.append("Time-critical: give within 30 minutes of the time.")
            return "\n".join(t for t in tips if t)
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "overdue":
            return QBrush(DANGER)
        if role == Qt.ItemDataRole.FontRole and row.status in ("overdue", "due"):
            font = QFont()
            font.setBold(True)
            return font
        return None


class MedicineListModel(RowsModel[MedicineLine]):
    headers = ("Medicine", "Dose", "When", "Allergies", "Notes")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda line: line.prescription_id, parent)

    def cell(self, row: MedicineLine, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            notes = [row.instructions]
            if row.controlled_drug:
                notes.append("Controlled drug")
            if row.covert:
                notes.append("Covert (authorised)")
            if row.self_administered:
                notes.append("Self-administered")
            if row.stock is not None:
                notes.append(f"Stock {row.stock:g}")
            if row.status != "active":
                notes.append(f"{row.status.capitalize()}: {row.change_reason}")
            values = (
                f"{row.medicine} {row.form} ({row.route})",
                row.dose,
                row.schedule,
                row.allergies,
                " · ".join(n for n in notes if n),
            )
            return values[column]
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == 3
            and row.allergies.startswith("Allergy")
        ):
            return QBrush(DANGER)
        return None


class CdRegisterModel(RowsModel[CdLine]):
    headers = ("When", "Entry", "Quantity", "Balance", "By", "Witness", "Notes")

    def __init__(self, name_of: Callable[[str | None], str], parent: QObject | None = None) -> None:
        super().__init__(lambda line: line.record_id, parent)
        self._name_of = name_of

    def cell(self, row: CdLine, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            balance = f"{row.balance:g}"
            if row.mismatch:
                balance += f" (written {row.recorded_balance:g})"
            values = (
                when(row.occurred_at),
                row.kind.capitalize(),
                f"{row.quantity:g}",
                balance,
                self._name_of(row.user_id),
                self._name_of(row.witness_id),
                " ".join(x for x in (row.counterparty, row.note) if x),
            )
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and row.mismatch:
            return QBrush(DANGER)
        return None
