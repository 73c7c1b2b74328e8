"""The residents of a handover, one row each: room, name, the flags (red for urgent, amber for
the rest) and what was recorded in the shift."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from desktop.services.handover import ResidentHandover
from desktop.ui.models.rows import RowsModel

URGENT_ROLE = Qt.ItemDataRole.UserRole + 4  # whether the row has an urgent flag
RED = QColor("#b00020")
AMBER = QColor("#8a5a00")


def recorded_summary(person: ResidentHandover) -> str:
    """'3 notes, 1 observation set, 1 PRN dose' or 'Nothing recorded'."""
    parts = []
    for count, one, many in (
        (person.note_count, "note", "notes"),
        (len(person.observations), "observation set", "observation sets"),
        (len(person.incidents), "incident", "incidents"),
        (len(person.prn_doses), "PRN dose", "PRN doses"),
        (len(person.refusals), "refusal", "refusals"),
        (len(person.remarks), "remark", "remarks"),
    ):
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts) or "Nothing recorded"


def flags_text(person: ResidentHandover) -> str:
    return "; ".join(f.text for f in person.flags)


class HandoverModel(RowsModel[ResidentHandover]):
    headers = ("Room", "Resident", "Flags", "Recorded this shift")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.resident_id, parent)

    def cell(self, row: ResidentHandover, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (row.room, row.name, flags_text(row), recorded_summary(row))[column]
        urgent = any(f.urgent for f in row.flags)
        if role == URGENT_ROLE:
            return urgent
        if column == 2 and row.flags:
            if role == Qt.ItemDataRole.ForegroundRole:
                return RED if urgent else AMBER
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(f.text for f in row.flags)
        return None
