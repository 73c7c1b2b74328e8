"""Assessment forms, drawn from each tool's description (``shared.assessment_records``): tap
the points or answers, see the score and band as you go, save. An item left blank is "not
assessed": the assessment can still be saved, as incomplete and with no score. When the band
has changed since the last one, the form offers to review the care plan section."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.assessments import AssessmentEntry, SavedAssessment
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared import assessment_records as ar
from shared.assessments import AssessmentInputError
from shared.errors import WcnError

SHORT_NAMES = {
    "must": "MUST",
    "waterlow": "Waterlow",
    "barthel": "Barthel",
    "abbey": "Abbey pain",
    "painad": "PAINAD",
    "falls": "Falls",
    "oral_health": "Oral health",
    "bed_rails": "Bed rails",
}
MEASURE_LIMITS = {"m": (0.0, 2.5), "kg": (0.0, 400.0)}


class ItemInput(QWidget):
    """One item: big buttons for a few answers, a number box otherwise. Blank = not assessed."""

    changed = Signal()

    def __init__(self, item: ar.ItemSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.buttons: ChoiceButtons | None = None
        self.spin: QSpinBox | QDoubleSpinBox | None = None
        self.text: QPlainTextEdit | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        kind = item.kind
        if kind is ar.ItemKind.POINTS and item.highest is not None:
            options = tuple(str(p) for p in range(item.lowest, item.highest + 1))
            self.buttons = ChoiceButtons(options, columns=len(options))
        elif kind is ar.ItemKind.YES_NO:
            self.buttons = ChoiceButtons(("Yes", "No"), columns=2)
        elif kind is ar.ItemKind.CHOICE:
            self.buttons = ChoiceButtons(
                tuple(c.capitalize() for c in item.choices), columns=min(3, len(item.choices))
            )
        elif kind is ar.ItemKind.POINTS:
            spin = QSpinBox()
            spin.setRange(item.lowest - 1, 64)
            spin.setSpecialValueText("Not assessed")
            spin.setValue(item.lowest - 1)
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            spin.setMaximumWidth(220)
            self.spin = spin
        elif kind is ar.ItemKind.MEASURE:
            double = QDoubleSpinBox()
            low, high = MEASURE_LIMITS.get(item.unit, (0.0, 999.0))
            double.setRange(low, high)
            double.setDecimals(2)
            double.setSingleStep(0.1 if item.unit == "kg" else 0.01)
            double.setSpecialValueText("Not measured")
            double.setSuffix(f" {item.unit}")
            double.valueChanged.connect(lambda _v: self.changed.emit())
            double.setMaximumWidth(220)
            self.spin = double
        else:
            self.text = QPlainTextEdit()
            self.text.setPlaceholderText("One reason on each line.")
            self.text.setMaximumHeight(90)
            self.text.textChanged.connect(self.changed.emit)
        widget = self.buttons or self.spin or self.text
        assert widget is not None
        widget.setAccessibleName(item.label)
        if self.buttons is not None:
            self.buttons.changed.connect(self.changed.emit)
        layout.addWidget(widget)

    @property
    def editor(self) -> QWidget:
        widget = self.buttons or self.spin or self.text
        assert widget is not None
        return widget

    def value(self) -> object:
        item = self.item
        if self.buttons is not None:
            chosen = self.buttons.selected()
            if not chosen:
                return None
            if item.kind is ar.ItemKind.YES_NO:
                return chosen[0] == "Yes"
            if item.kind is ar.ItemKind.CHOICE:
                return item.choices[[c.capitalize() for c in item.choices].index(chosen[0])]
            return int(chosen[0])
        if isinstance(self.spin, QSpinBox):
            value = self.spin.value()
            return None if value < item.lowest else value
        if isinstance(self.spin, QDoubleSpinBox):
            measured = self.spin.value()
            return None if measured <= self.spin.minimum() else round(measured, 2)
        lines = [ln.strip() for ln in (self.text.toPlainText() if self.text else "").splitlines()]
        return [ln for ln in lines if ln] or None

    def set_value(self, value: object) -> None:
        if self.buttons is not None:
            self.buttons.clear()
            if isinstance(value, bool):
                self.buttons.select("Yes" if value else "No")
            elif value is not None:
                self.buttons.select(str(value).capitalize())
        elif isinstance(self.spin, QSpinBox):
            self.spin.setValue(value if isinstance(value, int) else self.item.lowest - 1)
        elif isinstance(self.spin, QDoubleSpinBox):
            self.spin.setValue(float(value) if isinstance(value, int | float) else 0.0)
        elif self.text is not None:
            self.text.setPlainText("\n".join(value) if isinstance(value, list) else "")


class AssessmentForm(QWidget):
    saved = Signal(object)  # SavedAssessment
    review_requested = Signal(str)  # the care plan area to review

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.tool = "must"
        self.inputs: dict[str, ItemInput] = {}
        self.errors = FieldErrors()  # the items: made again for each tool
        self.save_errors = FieldErrors()
        self.last_saved: SavedAssessment | None = None

        self.tool_buttons = ChoiceButtons(tuple(SHORT_NAMES.values()), columns=8)
        self.tool_buttons.setAccessibleName("Assessment")
        self.tool_buttons.changed.connect(self._tool_chosen)
        self.title = QLabel()
        set_role(self.title, "heading")
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        set_role(self.note_label, "hint")
        self.items_box = QWidget()
        self.items_form = QFormLayout(self.items_box)
        self.items_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.items_box)
        enable_touch_scrolling(scroll)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(340)
        card.setMaximumWidth(420)
        side = QVBoxLayout(card)
        self.score_label = QLabel()
        set_role(self.score_label, "title")
        self.score_label.setWordWrap(True)
        self.score_label.setAccessibleName("Result")
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        set_role(self.missing_label, "muted")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Anything to add (optional)")
        self.note_edit.setAccessibleName("Note")
        self.save_button = QPushButton("Save assessment")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.proposal_label = QLabel()
        self.proposal_label.setWordWrap(True)
        set_role(self.proposal_label, "warning")
        self.proposal_label.setVisible(False)
        self.review_button = QPushButton("Review that care plan section")
        self.review_button.setVisible(False)
        self.review_button.clicked.connect(self._review_requested)
        history_title = QLabel("Earlier results")
        set_role(history_title, "heading")
        self.history = QListWidget()
        self.history.setAccessibleName("Earlier results, newest first")
        self.history.setWordWrap(True)
        for widget in (self.score_label, self.advice_label, self.missing_label):
            side.addWidget(widget)
        side.addWidget(self.note_edit)
        side.addWidget(self.save_errors.add("inputs", self.note_edit))
        side.addWidget(self.save_button)
        side.addWidget(self.proposal_label)
        side.addWidget(self.review_button)
        side.addWidget(history_title)
        side.addWidget(self.history, 1)

        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.note_label)
        left.addWidget(scroll, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(card)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.tool_buttons)
        layout.addLayout(body, 1)
        self.choose_tool("must")

    # --- choosing and filling in -----------------------------------------------------------

    def start(self, resident_id: str, tool: str | None = None) -> None:
        if resident_id != self.resident_id:
            self.resident_id = resident_id
            self.choose_tool(tool or self.tool)
        elif tool is not None:
            self.choose_tool(tool)
        self._load_history()

    def _tool_chosen(self) -> None:
        chosen = self.tool_buttons.selected()
        if chosen:
            key = next(k for k, v in SHORT_NAMES.items() if v == chosen[0])
            if key != self.tool:
                self.choose_tool(key)
        else:  # a tool stays chosen
            self.tool_buttons.blockSignals(True)
            self.tool_buttons.select(SHORT_NAMES[self.tool])
            self.tool_buttons.blockSignals(False)

    def choose_tool(self, tool: str) -> None:
        self.tool = tool
        spec = ar.TOOLS[tool]
        self.tool_buttons.blockSignals(True)
        self.tool_buttons.clear()
        self.tool_buttons.select(SHORT_NAMES[tool])
        self.tool_buttons.blockSignals(False)
        self.title.setText(spec.title)
        self.note_label.setText(spec.note)
        self.note_label.setVisible(bool(spec.note))
        while self.items_form.rowCount():
            self.items_form.removeRow(0)
        self.errors = FieldErrors()
        self.inputs = {}
        for item in spec.items:
            widget = ItemInput(item)
            widget.changed.connect(self.update_result)
            self.inputs[item.name] = widget
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(self.errors.add(item.name, widget.editor))
            label = QLabel(item.label[:1].upper() + item.label[1:])
            label.setWordWrap(True)
            self.items_form.addRow(label, box)
        self.note_edit.clear()
        self._clear_proposal()
        self.update_result()
        if self.resident_id:
            self._load_history()

    def values(self) -> dict[str, object]:
        return {name: w.value() for name, w in self.inputs.items() if w.value() is not None}

    def update_result(self) -> None:
        """The score so far: scoring is pure, so it runs here, as the items are tapped."""
        self.errors.clear()
        self.save_errors.clear()
        try:
            scored = ar.score_inputs(self.tool, self.values())
        except AssessmentInputError as exc:
            self.errors.show(exc.field, str(exc))
            self.score_label.setText("Check the value")
            return
        if scored.complete:
            self.score_label.setText(scored.summary.rstrip("."))
        else:
            self.score_label.setText("No score yet")
        self.advice_label.setText("\n".join(scored.advice) if scored.complete else "")
        self.missing_label.setText(
            ""
            if scored.complete
            else f"Not assessed yet: {', '.join(scored.missing)}. Saved now, it is kept as "
            "incomplete, with no score."
        )

    def is_dirty(self) -> bool:
        return bool(self.values())

    def reset(self) -> None:
        for widget in self.inputs.values():
            widget.set_value(None)
        self.note_edit.clear()
        self._clear_proposal()

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        assessments, resident, tool = self._ui.services.assessments, self.resident_id, self.tool
        values, note = self.values(), self.note_edit.text()
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: assessments.save(resident, tool, values, note=note),
            self._stored,
            on_failure=self._failed,
            changes=("assessments",),
        )

    def _stored(self, saved: SavedAssessment) -> None:
        self.save_button.setEnabled(True)
        self.last_saved = saved
        self.reset()
        self._ui.notify(f"Saved: {saved.entry.summary}")
        if saved.proposal:
            self.proposal_label.setText(saved.proposal_text)
            self.proposal_label.setVisible(True)
            self.review_button.setVisible(self._ui.may_write("care_plan_section"))
        self.update_result()
        self._load_history()
        self.saved.emit(saved)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        name = field if isinstance(field, str) else None
        if not self.errors.show(name, error.message):
            self.save_errors.show(name, error.message)

    def _clear_proposal(self) -> None:
        self.proposal_label.setVisible(False)
        self.review_button.setVisible(False)

    def _review_requested(self) -> None:
        if self.last_saved and self.last_saved.proposal:
            self.review_requested.emit(self.last_saved.proposal)

    def _load_history(self) -> None:
        assessments, resident, tool = self._ui.services.assessments, self.resident_id, self.tool
        self._ui.runner.run(
            lambda: assessments.history(resident, tool),
            lambda entries: self._show_history(resident, tool, entries),
        )

    def _show_history(self, resident_id: str, tool: str, entries: list[AssessmentEntry]) -> None:
        if (resident_id, tool) != (self.resident_id, self.tool):
            return
        self.history.clear()
        for entry in entries:
            author = self._ui.name_of(entry.author_id)
            self.history.addItem(f"{when(entry.occurred_at)} · {author}\n{entry.summary}")
        if not entries:
            self.history.addItem("None recorded yet.")
