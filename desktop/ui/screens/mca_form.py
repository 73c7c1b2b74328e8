"""A Mental Capacity Act assessment for one decision, as the two-stage test: first whether the
person can understand, retain, use or weigh the information and communicate a decision; only
if they cannot, whether there is an impairment of the mind or brain and whether that is why.
The outcome is worked out as the answers are tapped (``shared.capacity``); it is saved only
when complete, so a capacity decision is never half-recorded."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.capacity import McaSaved
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from shared import capacity as cap
from shared.capacity import CapacityOutcome, McaInput
from shared.errors import WcnError

QUESTIONS = {
    "can_understand": "Can they understand the information relevant to the decision?",
    "can_retain": "Can they retain that information long enough to decide?",
    "can_use_or_weigh": "Can they use or weigh that information?",
    "can_communicate": "Can they communicate their decision (by any means)?",
    "impairment": "Is there an impairment of, or disturbance in, the mind or brain?",
    "because_of_impairment": "Are they unable to decide because of that impairment?",
}
STAGE_ONE = "Stage 1: can the person make this decision?"
STAGE_TWO = "Stage 2: only when they cannot do one of the four"
NOT_NEEDED = "Not needed: the person can do all four, so they have capacity for this decision."
OUTCOMES = {
    CapacityOutcome.HAS_CAPACITY: "Has capacity for this decision",
    CapacityOutcome.LACKS_CAPACITY: "Lacks capacity for this decision",
}


class McaForm(QWidget):
    saved = Signal(object)  # McaSaved

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.errors = FieldErrors()
        self.decision_edit = QLineEdit()
        self.decision_edit.setAccessibleName("The decision")
        self.decision_edit.setPlaceholderText(
            "One decision, e.g. whether to have bed rails at night"
        )
        self.decision_edit.textChanged.connect(self.update_result)
        self.answers: dict[str, ChoiceButtons] = {}
        for name, question in QUESTIONS.items():
            buttons = ChoiceButtons(("Yes", "No"), columns=2)
            buttons.setAccessibleName(question)
            buttons.changed.connect(self.update_result)
            self.answers[name] = buttons
        self.impairment_edit = QLineEdit()
        self.impairment_edit.setAccessibleName("What the impairment is")
        self.impairment_edit.setPlaceholderText("e.g. dementia, delirium, a brain injury")
        self.steps_edit = QPlainTextEdit()
        self.steps_edit.setAccessibleName("Practicable steps taken")
        self.steps_edit.setPlaceholderText(
            "What was done to help the person decide: the time of day, pictures, a relative "
            "or interpreter present, hearing aids in…"
        )
        self.steps_edit.setTabChangesFocus(True)
        self.steps_edit.setStyleSheet("min-height: 64px;")
        self.steps_edit.setMaximumHeight(110)
        self.steps_edit.textChanged.connect(self.update_result)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Decision", self._with_error("decision", self.decision_edit))
        one = QLabel(STAGE_ONE)
        set_role(one, "heading")
        form.addRow(one)
        for name in cap.FUNCTIONAL:
            form.addRow(self._label(QUESTIONS[name]), self._with_error(name, self.answers[name]))
        two = QLabel(STAGE_TWO)
        set_role(two, "heading")
        form.addRow(two)
        self.not_needed_label = QLabel(NOT_NEEDED)
        self.not_needed_label.setWordWrap(True)
        set_role(self.not_needed_label, "hint")
        form.addRow(self.not_needed_label)
        self.stage_two = QWidget()
        stage_two = QFormLayout(self.stage_two)
        stage_two.setContentsMargins(0, 0, 0, 0)
        stage_two.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        stage_two.addRow(
            self._label(QUESTIONS["impairment"]),
            self._with_error("impairment", self.answers["impairment"]),
        )
        stage_two.addRow("What it is", self.impairment_edit)
        stage_two.addRow(
            self._label(QUESTIONS["because_of_impairment"]),
            self._with_error("because_of_impairment", self.answers["because_of_impairment"]),
        )
        stage_two.addRow(
            self._label("Steps taken to help them decide"),
            self._with_error("practicable_steps", self.steps_edit),
        )
        form.addRow(self.stage_two)

        self.outcome_label = QLabel()
        self.outcome_label.setAccessibleName("Outcome")
        self.outcome_label.setWordWrap(True)
        set_role(self.outcome_label, "title")
        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        set_role(self.missing_label, "muted")
        self.save_button = QPushButton("Save assessment")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.reset)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button, 2)
        actions.addWidget(self.clear_button, 1)
        # The outcome and the save button, for the panel to keep in view beside the questions.
        self.result_panel = QWidget()
        result = QVBoxLayout(self.result_panel)
        result.setContentsMargins(0, 0, 0, 0)
        result.addWidget(self.outcome_label)
        result.addWidget(self.reasons_label)
        result.addWidget(self.missing_label)
        result.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addLayout(form)
        layout.addStretch(1)
        self.update_result()

    def _with_error(self, name: str, widget: QWidget) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self.errors.add(name, widget))
        return box

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    # --- answering -------------------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        self.save_button.setVisible(self._ui.may_write("mca_assessment"))

    def answer(self, name: str) -> bool | None:
        chosen = self.answers[name].selected()
        return chosen[0] == "Yes" if chosen else None

    def set_answer(self, name: str, value: bool | None) -> None:
        self.answers[name].clear()
        if value is not None:
            self.answers[name].select("Yes" if value else "No")

    def input(self) -> McaInput:
        return McaInput(
            decision=self.decision_edit.text(),
            can_understand=self.answer("can_understand"),
            can_retain=self.answer("can_retain"),
            can_use_or_weigh=self.answer("can_use_or_weigh"),
            can_communicate=self.answer("can_communicate"),
            impairment=self.answer("impairment"),
            because_of_impairment=self.answer("because_of_impairment"),
            practicable_steps=self.steps_edit.toPlainText(),
        )

    def update_result(self) -> None:
        """The outcome so far: the test is pure, so it runs here as the answers are tapped."""
        self.errors.clear()
        answers = self.input()
        needs_stage_two = any(self.answer(name) is False for name in cap.FUNCTIONAL)
        self.stage_two.setEnabled(needs_stage_two)
        self.not_needed_label.setVisible(
            not needs_stage_two and all(self.answer(n) for n in cap.FUNCTIONAL)
        )
        self.impairment_edit.setEnabled(needs_stage_two and answers.impairment is not False)
        self.answers["because_of_impairment"].setEnabled(answers.impairment is not False)
        result = cap.mca_outcome(answers)
        if result.outcome is None:
            self.outcome_label.setText("Not finished yet")
            self.reasons_label.clear()
            self.missing_label.setText("Still to answer: " + "; ".join(result.missing) + ".")
        else:
            self.outcome_label.setText(OUTCOMES[result.outcome])
            self.reasons_label.setText("\n".join(result.reasons))
            self.missing_label.clear()

    def is_dirty(self) -> bool:
        return bool(self.decision_edit.text().strip()) or any(
            b.selected() for b in self.answers.values()
        )

    def reset(self) -> None:
        self.decision_edit.clear()
        for buttons in self.answers.values():
            buttons.clear()
        self.impairment_edit.clear()
        self.steps_edit.clear()
        self.errors.clear()
        self.update_result()

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        answers = self.input()
        result = cap.mca_outcome(answers)
        if result.missing_fields:  # at the field, before anything is sent to be saved
            self.errors.show(result.missing_fields[0], f"Still to answer: {result.missing[0]}.")
            return
        capacity, resident = self._ui.services.capacity, self.resident_id
        description = self.impairment_edit.text()
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: capacity.record_mca(resident, answers, impairment_description=description),
            self._stored,
            on_failure=self._failed,
            changes=("capacity",),
        )

    def _stored(self, saved: McaSaved) -> None:
        self.save_button.setEnabled(True)
        decision = self.decision_edit.text().strip()
        outcome = OUTCOMES[saved.result.outcome] if saved.result.outcome else ""
        self.reset()
        self._ui.notify(f"Saved: {decision}. {outcome}.")
        self.saved.emit(saved)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else "decision", error.message)
