"""A list of a resident's records beside the form that edits the chosen one (DoLS applications,
attorneys): refilled after every save or sync without disturbing the form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QListWidget, QListWidgetItem


def refill(
    widget: QListWidget, rows: Sequence[tuple[str, str]], empty: str, role: int, chosen: str | None
) -> int | None:
    """Show ``rows`` (label, record id), or ``empty`` when there are none, and select the row
    of ``chosen`` again: all without selection signals, so the form is left as it is. Returns
    the row of ``chosen``, if it is still there."""
    widget.blockSignals(True)
    try:
        widget.clear()
        found = None
        for row, (label, record_id) in enumerate(rows):
            item = QListWidgetItem(label)
            item.setData(role, record_id)
            widget.addItem(item)
            if record_id == chosen:
                found = row
        if not rows:
            widget.addItem(empty)
        if found is not None:
            widget.setCurrentRow(found)
        return found
    finally:
        widget.blockSignals(False)
