"""The resident's usual self (RESTORE2 baseline): what is normal for them, so that a change
(a soft sign) is noticed. Seniors write it; everyone sees it beside the soft signs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.observations import Baseline
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared import observations as obs_rules
from shared.errors import WcnError

NO_BASELINE = (
    "No baseline recorded: compare with what you know of them, and ask a senior to record it."
)
HINT = (
    "Describe them on a good day, in plain words: what would make you think they are not "
    "themselves? Review it when they change."
)


def baseline_text(baseline: Baseline | None) -> str:
    """The resident's usual self in one paragraph, beside the soft signs."""
    if baseline is None or baseline.empty:
        return NO_BASELINE
    parts = [
        f"{obs_rules.BASELINE_FIELDS[key].split(' (')[0]}: {text}"
        for key, text in baseline.usual.items()
        if text
    ]
    return "Usually: " + "; ".join(parts) + "."


class BaselineForm(QWidget):
    saved = Signal(object)  # Baseline
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.errors = FieldErrors()
        title = QLabel("Their usual self (baseline)")
        set_role(title, "heading")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        set_role(hint, "hint")
        self.reviewed_label = QLabel()
        set_role(self.reviewed_label, "muted")
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        self.edits: dict[str, QLineEdit] = {}
        for key, label in obs_rules.BASELINE_FIELDS.items():
            edit = QLineEdit()
            edit.setAccessibleName(label)
            name = QLabel(label)
            name.setWordWrap(True)
            name.setBuddy(edit)
            body.addWidget(name)
            body.addWidget(edit)
            body.addWidget(self.errors.add(key, edit))
            self.edits[key] = edit
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        enable_touch_scrolling(scroll)
        self.save_button = QPushButton("Save baseline")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(cancel, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (title, hint, self.reviewed_label):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def start(self, resident_id: str) -> None:
        self.resident_id = resident_id
        self.errors.clear()
        for edit in self.edits.values():
            edit.clear()
        self.reviewed_label.setText("Loading…")
        service = self._ui.services.observations
        self._ui.runner.run(lambda: service.baseline(resident_id), self.show_baseline)
        self.edits["usual_alertness"].setFocus()

    def show_baseline(self, baseline: Baseline) -> None:
        if baseline.resident_id != self.resident_id:
            return
        for key, text in baseline.usual.items():
            if not self.edits[key].text():
                self.edits[key].setText(text)
        self.reviewed_label.setText(
            f"Last reviewed {baseline.reviewed_on}."
            if baseline.reviewed_on
            else "Not recorded yet."
        )

    def is_dirty(self) -> bool:
        return (
            bool(self.resident_id)
            and self.isVisible()
            and any(e.isModified() for e in self.edits.values())
        )

    def save(self) -> None:
        if not self.save_button.isEnabled() or not self.resident_id:
            return
        self.errors.clear()
        usual = {key: edit.text() for key, edit in self.edits.items()}
        service, resident = self._ui.services.observations, self.resident_id
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: service.save_baseline(resident, usual),
            self._stored,
            on_failure=self._failed,
            changes=("notes",),
        )

    def _stored(self, baseline: Baseline) -> None:
        self.save_button.setEnabled(True)
        for edit in self.edits.values():
            edit.setModified(False)
        self.saved.emit(baseline)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    def cancel(self) -> None:
        self.errors.clear()
        for edit in self.edits.values():
            edit.setModified(False)
        self.cancelled.emit()
