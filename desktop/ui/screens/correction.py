"""Correcting a note: amend it (the old words stay in its history) or mark it entered in error
(it stays, struck through). Either way a reason is required and nothing is deleted."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.notes import TimelineEntry
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError

AMEND, IN_ERROR = "amend", "entered_in_error"
AMOUNT_HINT = (
    "Amending changes the words only. If an amount is wrong, mark this note as entered in "
    "error and record it again."
)


class CorrectionForm(QWidget):
    corrected = Signal(str)  # the note's id
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.entry: TimelineEntry | None = None
        self.mode = AMEND
        self.errors = FieldErrors()
        self.title = QLabel()
        set_role(self.title, "heading")
        self.original_label = QLabel()
        self.original_label.setWordWrap(True)
        self.hint_label = QLabel(AMOUNT_HINT)
        self.hint_label.setWordWrap(True)
        set_role(self.hint_label, "hint")
        self.text_label = QLabel("&Corrected note")
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setAccessibleName("Corrected note")
        self.text_label.setBuddy(self.text_edit)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setPlaceholderText("e.g. wrong resident, typing error, wrong time")
        reason_label = QLabel("&Why? (required)")
        reason_label.setBuddy(self.reason_edit)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(cancel, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.original_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.text_label)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.errors.add("text", self.text_edit))
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.errors.add("reason", self.reason_edit))
        layout.addLayout(buttons)
        layout.addStretch(1)

    def start(self, entry: TimelineEntry, mode: str) -> None:
        self.entry, self.mode = entry, mode
        self.errors.clear()
        self.reason_edit.clear()
        self.text_edit.clear()
        amending = mode == AMEND
        self.title.setText("Correct this note" if amending else "Mark as entered in error")
        if entry.entity == "observation":
            self.title.setText("Mark these observations as entered in error")
        self.original_label.setText(
            f"{entry.kind_label}, {when(entry.occurred_at)}. Now reads: “{entry.summary}”"
        )
        self.hint_label.setVisible(amending and entry.kind_label == "Food and fluid")
        self.text_label.setVisible(amending)
        self.text_edit.setVisible(amending)
        self.save_button.setText("Save correction" if amending else "Mark as entered in error")
        set_role(self.save_button, "primary" if amending else "danger")
        if amending:
            notes = self._ui.services.notes
            self.text_edit.setPlaceholderText("Loading the note…")
            self._ui.runner.run(lambda: notes.current_text(entry.record_id), self._prefill)
            self.text_edit.setFocus()
        else:
            self.reason_edit.setFocus()

    def _prefill(self, text: str) -> None:
        if not self.text_edit.toPlainText():
            self.text_edit.setPlainText(text)
        self.text_edit.setPlaceholderText("")

    def is_dirty(self) -> bool:
        return self.entry is not None and bool(self.reason_edit.text())

    def save(self) -> None:
        entry = self.entry
        if entry is None or not self.save_button.isEnabled():
            return
        self.errors.clear()
        notes, reason, text = (
            self._ui.services.notes,
            self.reason_edit.text(),
            self.text_edit.toPlainText(),
        )
        observations = self._ui.services.observations
        if self.mode == AMEND:
            call = lambda: notes.amend(entry.record_id, text, reason)  # noqa: E731
        elif entry.entity == "observation":
            call = lambda: observations.mark_entered_in_error(entry.record_id, reason)  # noqa: E731
        else:
            call = lambda: notes.mark_entered_in_error(entry.record_id, reason)  # noqa: E731
        self.save_button.setEnabled(False)
        self._ui.runner.run(call, self._stored, on_failure=self._failed, changes=("notes",))

    def _stored(self, _record_id: str) -> None:
        self.save_button.setEnabled(True)
        note_id = self.entry.record_id if self.entry else ""
        self.entry = None
        self.corrected.emit(note_id)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    def cancel(self) -> None:
        self.entry = None
        self.errors.clear()
        self.cancelled.emit()
