"""The review queue: conflicts and safety flags, newest first."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from desktop.services.reviews import ReviewItem
from desktop.ui.formatting import when
from desktop.ui.models.rows import RowsModel

RULE_LABELS = {
    "same_field_edited_concurrently": "Two changes at once",
    "recorded_after_discharge": "Recorded after discharge",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule.replace("_", " ").capitalize())


class ReviewListModel(RowsModel[ReviewItem]):
    headers = ("Raised", "Resident", "What to check", "Status")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.review_id, parent)

    def cell(self, row: ReviewItem, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            status = f"Resolved: {row.outcome}" if row.resolved else "Waiting"
            return (
                when(row.raised_at),
                row.resident_name or "—",
                f"{rule_label(row.rule)}: {row.message}",
                status,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return row.message
        return None
