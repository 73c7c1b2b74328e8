"""A best-interests decision, made for a person assessed as lacking capacity for that one
decision: who was consulted, the options considered (and that the less restrictive ones
were), what the person themselves wants, and what was decided."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError

HINT = (
    "Only for a decision the person lacks capacity to make. Involve them as far as possible "
    "and consult those who know them: family, an attorney or deputy, an IMCA if there is no one."
)
FIELDS = {
    "people_consulted": (
        "Who was consulted",
        "Names and who they are: daughter (LPA health and welfare), GP, key worker…",
    ),
    "options_considered": (
        "Options considered",
        "Each option, with its benefits and burdens for the person.",
    ),
    "resident_wishes": (
        "The person's wishes",
        "What they said or showed, their beliefs and values, what they would have wanted.",
    ),
    "outcome": ("Decision made", "What was decided, and why it is in their best interests."),
}


class BestInterestsForm(QWidget):
    saved = Signal(str)  # the record id
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.mca_id = ""
        self.errors = FieldErrors()
        self.title = QLabel("Best-interests decision")
        set_role(self.title, "heading")
        self.decision_label = QLabel()
        self.decision_label.setWordWrap(True)
        self.decision_label.setAccessibleName("The decision")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        set_role(hint, "hint")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.edits: dict[str, QPlainTextEdit] = {}
        for name, (label, placeholder) in FIELDS.items():
            edit = QPlainTextEdit()
            edit.setAccessibleName(label)
            edit.setPlaceholderText(placeholder)
            edit.setTabChangesFocus(True)
            edit.setStyleSheet("min-height: 56px;")
            edit.setMaximumHeight(96)
            self.edits[name] = edit
            box = QVBoxLayout()
            box.addWidget(edit)
            box.addWidget(self.errors.add(name, edit))
            form.addRow(label, box)
            if name == "options_considered":
                self.less_restrictive = QCheckBox("Less restrictive options were considered")
                self.less_restrictive.setToolTip(
                    "And, if one was not chosen, why it will not do: write it in the options"
                )
                form.addRow(self.less_restrictive)
                form.addRow(self.errors.add("less_restrictive_considered", self.less_restrictive))
        self.save_button = QPushButton("Save best-interests decision")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.decision_label)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def start(self, mca_id: str, decision: str) -> None:
        if mca_id != self.mca_id:
            self.reset()
        self.mca_id = mca_id
        self.decision_label.setText(f"Decision: {decision}")
        self.edits["people_consulted"].setFocus()

    def is_dirty(self) -> bool:
        return any(e.toPlainText().strip() for e in self.edits.values())

    def reset(self) -> None:
        for edit in self.edits.values():
            edit.clear()
        self.less_restrictive.setChecked(False)
        self.errors.clear()

    def cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def save(self) -> None:
        if not self.mca_id or not self.save_button.isEnabled():
            return
        self.errors.clear()
        text = {name: edit.toPlainText() for name, edit in self.edits.items()}
        less_restrictive = self.less_restrictive.isChecked()
        capacity, mca_id = self._ui.services.capacity, self.mca_id
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: capacity.record_best_interests(
                mca_id,
                options_considered=text["options_considered"],
                less_restrictive_considered=less_restrictive,
                people_consulted=text["people_consulted"],
                outcome=text["outcome"],
                resident_wishes=text["resident_wishes"],
            ),
            self._stored,
            on_failure=self._failed,
            changes=("capacity",),
        )

    def _stored(self, record_id: str) -> None:
        self.save_button.setEnabled(True)
        self.reset()
        self._ui.notify("Saved: the best-interests decision.")
        self.saved.emit(record_id)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
