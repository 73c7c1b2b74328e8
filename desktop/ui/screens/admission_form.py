"""The pre-admission and admission assessment: where the information came from, what was found
for each area of need (these become the care plan's starting points), what matters to the
person, the risks, and (before admission) whether the home can meet their needs, with the
reasons when it cannot. Seniors record it; earlier ones are listed beside the form."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.assessments import ADMISSION_STAGES, AdmissionEntry
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.care_plans import AREAS
from shared.errors import WcnError

STAGES = {"Pre-admission": "pre_admission", "On admission": "admission"}
NONE_YET = "No admission assessment recorded yet."
READ_ONLY = "Only a senior carer, nurse or manager records admission assessments."


def describe(entry: AdmissionEntry, author: str) -> str:
    lines = [f"{when(entry.occurred_at)} · {ADMISSION_STAGES[entry.stage]}"]
    if author:
        lines[0] += f" · {author}"
    if entry.source:
        lines.append(f"From: {entry.source}")
    if entry.can_meet_needs is not None:
        lines.append(
            "The home can meet their needs"
            if entry.can_meet_needs
            else f"The home cannot meet their needs: {entry.decision_notes}"
        )
    for area, found in entry.needs.items():
        lines.append(f"{AREAS.get(area, area)}: {found}")
    if entry.what_matters:
        lines.append(f"What matters: {entry.what_matters}")
    return "\n".join(lines)


class AdmissionForm(QWidget):
    saved = Signal(str)  # the record id

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.errors = FieldErrors()
        self.stage_buttons = ChoiceButtons(tuple(STAGES), columns=2)
        self.stage_buttons.setAccessibleName("Stage")
        self.stage_buttons.select("Pre-admission")
        self.stage_buttons.changed.connect(self._stage_chosen)
        self.source_edit = QLineEdit()
        self.source_edit.setAccessibleName("Where the information came from")
        self.source_edit.setPlaceholderText(
            "e.g. visit at home with her son; hospital discharge summary; social worker"
        )
        self.need_edits: dict[str, QLineEdit] = {}
        for area, label in AREAS.items():
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.setPlaceholderText("What was found (leave empty if no need)")
            self.need_edits[area] = edit
        self.matters_edit = self._text("What matters to the person", "Routines, likes, people")
        self.risks_edit = self._text("Risks", "Falls, skin, choking, leaving the building…")
        self.meet_buttons = ChoiceButtons(("Yes", "No"), columns=2)
        self.meet_buttons.setAccessibleName("Can the home meet their needs?")
        self.meet_buttons.changed.connect(self._meet_chosen)
        self.decision_edit = self._text("Why", "Why the home can or cannot meet their needs")

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Stage", self._with_error("stage", self.stage_buttons))
        form.addRow("Information from", self._with_error("source", self.source_edit))
        heading = QLabel("Needs found, by area")
        set_role(heading, "heading")
        form.addRow(heading)
        first = next(iter(AREAS))
        for area, label in AREAS.items():
            name = "needs" if area == first else f"needs.{area}"
            form.addRow(self._wrapped(label), self._with_error(name, self.need_edits[area]))
        form.addRow("What matters to them", self._with_error("what_matters", self.matters_edit))
        form.addRow("Risks", self._with_error("risks", self.risks_edit))
        self.meet_label = self._wrapped("Can the home meet their needs?")
        form.addRow(self.meet_label, self._with_error("can_meet_needs", self.meet_buttons))
        form.addRow("Why", self._with_error("decision_notes", self.decision_edit))
        content = QWidget()
        middle = QVBoxLayout(content)
        middle.setContentsMargins(0, 0, 8, 0)
        middle.addLayout(form)
        middle.addStretch(1)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(320)
        card.setMaximumWidth(420)
        side = QVBoxLayout(card)
        self.save_button = QPushButton("Save assessment")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.read_only_label = QLabel(READ_ONLY)
        self.read_only_label.setWordWrap(True)
        set_role(self.read_only_label, "hint")
        title = QLabel("Earlier admission assessments")
        set_role(title, "heading")
        self.history = QListWidget()
        self.history.setAccessibleName("Admission assessments, newest first")
        self.history.setWordWrap(True)
        self.history.setSpacing(2)
        enable_touch_scrolling(self.history)
        side.addWidget(self.save_button)
        side.addWidget(self.read_only_label)
        side.addWidget(title)
        side.addWidget(self.history, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(card)

    @staticmethod
    def _text(name: str, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setStyleSheet("min-height: 56px;")
        edit.setMaximumHeight(110)
        return edit

    @staticmethod
    def _wrapped(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    def _with_error(self, name: str, widget: QWidget) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self.errors.add(name, widget))
        return box

    @property
    def stage(self) -> str:
        chosen = self.stage_buttons.selected()
        return STAGES[chosen[0]] if chosen else ""

    def _stage_chosen(self) -> None:
        if not self.stage_buttons.selected():  # one stage stays chosen
            self.stage_buttons.blockSignals(True)
            self.stage_buttons.select("Pre-admission")
            self.stage_buttons.blockSignals(False)

    def _meet_chosen(self) -> None:
        cannot = self.meet_buttons.selected() == ["No"]
        self.decision_edit.setPlaceholderText(
            "Why the home cannot meet their needs (required)"
            if cannot
            else "Why the home can or cannot meet their needs"
        )

    # --- loading ---------------------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        writable = self._ui.may_write("admission_assessment")
        self.save_button.setVisible(writable)
        self.read_only_label.setVisible(not writable)
        self.refresh()

    def refresh(self) -> None:
        assessments, resident = self._ui.services.assessments, self.resident_id
        self._ui.runner.run(
            lambda: assessments.admissions(resident),
            lambda entries: self._show(resident, entries),
        )

    def _show(self, resident_id: str, entries: list[AdmissionEntry]) -> None:
        if resident_id != self.resident_id:
            return
        self.history.clear()
        for entry in entries:
            self.history.addItem(describe(entry, self._ui.name_of(entry.author_id)))
        if not entries:
            self.history.addItem(NONE_YET)

    # --- saving ----------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return bool(
            self.source_edit.text().strip()
            or any(e.text().strip() for e in self.need_edits.values())
            or self.matters_edit.toPlainText().strip()
        )

    def reset(self) -> None:
        self.stage_buttons.blockSignals(True)
        self.stage_buttons.clear()
        self.stage_buttons.select("Pre-admission")
        self.stage_buttons.blockSignals(False)
        self.source_edit.clear()
        for edit in self.need_edits.values():
            edit.clear()
        for text in (self.matters_edit, self.risks_edit, self.decision_edit):
            text.clear()
        self.meet_buttons.clear()
        self.errors.clear()

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        self.errors.clear()
        meet = self.meet_buttons.selected()
        source, what_matters = self.source_edit.text(), self.matters_edit.toPlainText()
        needs = {area: e.text() for area, e in self.need_edits.items()}
        risks, notes = self.risks_edit.toPlainText(), self.decision_edit.toPlainText()
        can_meet = (meet[0] == "Yes") if meet else None
        assessments, resident, stage = self._ui.services.assessments, self.resident_id, self.stage
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: assessments.record_admission(
                resident,
                stage,
                source=source,
                needs=needs,
                what_matters=what_matters,
                risks=risks,
                can_meet_needs=can_meet,
                decision_notes=notes,
            ),
            self._stored,
            on_failure=self._failed,
            changes=("assessments",),
        )

    def _stored(self, record_id: str) -> None:
        self.save_button.setEnabled(True)
        stage = ADMISSION_STAGES[self.stage]
        self.reset()
        self._ui.notify(f"Saved: {stage.lower()}.")
        self.refresh()
        self.saved.emit(record_id)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
