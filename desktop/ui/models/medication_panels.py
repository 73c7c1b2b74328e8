"""Table models of the PRN, homely remedy, stock, pharmacy import and missed-doses panels of the
Medicines page. Each holds the plain rows the services return."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush

from desktop.services.medication.controlled import LowStock
from desktop.services.medication.pharmacy_import import ImportLine, Rejection
from desktop.services.medication.prn import PrnGiven, PrnOption
from desktop.services.medication.reports import MissedDose
from desktop.store.records import StoredRecord
from desktop.ui.formatting import when
from desktop.ui.models.medication import DANGER
from desktop.ui.models.rows import RowsModel
from shared.medication.scheduling import describe_schedule

SHOWN = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


class PrnOptionModel(RowsModel[PrnOption]):
    headers = ("Medicine", "Dose", "Last given", "Last 24 h", "Next allowed")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda o: o.prescription_id, parent)

    def cell(self, row: PrnOption, column: int, role: int) -> object:
        if role in SHOWN:
            medicine = row.medicine + (" · CD" if row.controlled_drug else "")
            values = (
                medicine,
                row.dose,
                when(row.last_given) or "Not given yet",
                f"{row.given_24h:g}",
                when(row.next_allowed) or "Now",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.limits
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.next_allowed:
            return QBrush(DANGER)
        return None


class FollowUpModel(RowsModel[PrnGiven]):
    headers = ("Given", "Medicine", "Why")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda g: g.administration_id, parent)

    def cell(self, row: PrnGiven, column: int, role: int) -> object:
        if role in SHOWN:
            reason = row.reason + (" (given over the limit)" if row.overridden else "")
            return (when(row.given_at), f"{row.medicine} × {row.quantity:g}", reason)[column]
        return None


class RemedyModel(RowsModel[StoredRecord]):
    headers = ("Homely remedy", "Dose", "Limits", "GP sign-off")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.record_id, parent)

    def cell(self, row: StoredRecord, column: int, role: int) -> object:
        if role in SHOWN:
            f = row.fields
            limits = [f"{f.get('max_days')} days running at most"]
            if f.get("min_interval_minutes"):
                limits.append(f"{int(f['min_interval_minutes']) / 60:g} h apart")
            if f.get("max_per_24h"):
                limits.append(f"{float(f['max_per_24h']):g} in 24 h")
            signed = f.get("gp_signed_off_on")
            values = (
                f"{f.get('medicine', '')} {f.get('strength') or ''}".strip(),
                str(f.get("dose", "")),
                ", ".join(limits),
                f"{f.get('gp_name', '')}, {signed}" if signed else "Not signed off",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"For: {row.fields.get('indication', '')}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return None if row.fields.get("gp_signed_off_on") else QBrush(DANGER)
        return None


class LowStockModel(RowsModel[LowStock]):
    headers = ("Resident", "Medicine", "In stock", "Days left")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda s: s.prescription_id, parent)

    def cell(self, row: LowStock, column: int, role: int) -> object:
        if role in SHOWN:
            days = "-" if row.days_left is None else f"{row.days_left:.1f}"
            values = (
                f"{row.resident.name} · room {row.resident.room}",
                row.medicine,
                f"{row.level:g}",
                days,
            )
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and row.level <= 0:
            return QBrush(DANGER)
        return None


class ImportLineModel(RowsModel[ImportLine]):
    headers = ("Line", "Resident", "Medicine", "Dose", "When", "Received")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda line: str(line.line_no), parent)

    def cell(self, row: ImportLine, column: int, role: int) -> object:
        if role in SHOWN:
            spec = row.spec
            fields = spec.fields(row.resident_id)
            medicine = f"{spec.medicine} {spec.strength}".strip()
            if spec.controlled_drug:
                medicine += " · CD"
            received = "" if row.quantity_received is None else f"{row.quantity_received:g}"
            values = (
                str(row.line_no),
                row.resident_name,
                medicine,
                f"{spec.dose} ({spec.form}, {spec.route})",
                describe_schedule(fields),
                received,
            )
            return values[column]
        return None


class RejectionModel(RowsModel[Rejection]):
    headers = ("Line", "Why it was rejected")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: f"{r.line_no}|{r.reason}", parent)

    def cell(self, row: Rejection, column: int, role: int) -> object:
        if role in SHOWN:
            return (str(row.line_no), row.reason)[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(DANGER)
        return None


class MissedDoseModel(RowsModel[MissedDose]):
    headers = ("Due", "Resident", "Medicine", "What happened")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda m: f"{m.prescription_id}|{m.due_at}", parent)

    def cell(self, row: MissedDose, column: int, role: int) -> object:
        if role in SHOWN:
            values = (
                when(row.due_at),
                f"{row.resident.name} · room {row.resident.room}",
                row.medicine,
                row.what,
            )
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and row.what == "Not recorded":
            return QBrush(DANGER)
        return None
