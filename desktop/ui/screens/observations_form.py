"""Observations for one resident: any of the readings, each NEWS2 parameter's score shown as
it is typed, the total in its band's colour with the response it calls for, RESTORE2 soft
signs against the resident's usual self, and after saving the SBARD prompt for handing over.
A reading that cannot be right is refused at its field; an unusual one asks to be confirmed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import InvalidInput, NeedsConfirmation
from desktop.services.observation_checks import (
    CONSCIOUSNESS_LABELS,
    ObservationInput,
    check,
    read_form,
    score,
)
from desktop.services.observations import Baseline, ObservationSaved
from desktop.ui import news2_colours
from desktop.ui.context import UiContext
from desktop.ui.screens.baseline_form import NO_BASELINE, baseline_text
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.observation_panels import ConfirmPanel, News2Box, ObservationResult
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared import news2
from shared import observations as obs_rules
from shared.errors import WcnError

# (field, label, unit shown as the placeholder)
READINGS = (
    ("temperature", "Temperature", "°C"),
    ("pulse", "Pulse", "beats a minute"),
    ("respiration_rate", "Respiration rate", "breaths a minute"),
    ("systolic_bp", "Blood pressure: upper", "mmHg"),
    ("diastolic_bp", "Blood pressure: lower", "mmHg"),
    ("spo2", "SpO2", "%"),
    ("blood_glucose", "Blood glucose", "mmol/L"),
    ("weight_kg", "Weight", "kg"),
)
SCALES = ("Scale 1", "Scale 2")
AIR = ("Air", "Oxygen")
LEVELS = tuple(f"{letter}: {label}" for letter, label in CONSCIOUSNESS_LABELS.items())
SOFT_SIGN_BUTTONS = {
    "confusion_or_drowsy": "Confused or drowsy",
    "eating_drinking_less": "Eating or drinking less",
    "breathing": "Breathing changed",
    "pain": "New or worse pain",
    "mobility": "Less steady, or a fall",
    "behaviour": "Behaving differently",
    "skin": "Skin looks different",
    "continence": "Urine, bowels, vomiting",
    "not_themselves": "Not themselves",
}
SCALE_HINT = "Scale 2 only when a doctor has set a target SpO2 of 88–92%."


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    enable_touch_scrolling(area)
    return area


class ObservationsForm(QWidget):
    saved = Signal(object)  # ObservationSaved
    cancelled = Signal()
    finished = Signal()
    baseline_requested = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.usual_scale = 1
        self.baseline: Baseline | None = None
        self.last_saved: ObservationSaved | None = None
        self.errors = FieldErrors()
        title = QLabel("Observations")
        set_role(title, "heading")
        self.news2_box = News2Box(compact=True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._entry_page())
        self.result = ObservationResult()
        self.result.done_button.clicked.connect(self._done)
        self.result.more_button.clicked.connect(self._record_more)
        self.pages.addWidget(self.result)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(title)
        outer.addWidget(self.pages, 1)

    # --- building ----------------------------------------------------------------------------

    def _entry_page(self) -> QWidget:
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        self.taken_edit = QDateTimeEdit()
        self.taken_edit.setDisplayFormat("dd MMM yyyy HH:mm")
        self.taken_edit.setCalendarPopup(True)
        self.taken_edit.setAccessibleName("Taken at")
        taken = QHBoxLayout()
        taken_label = QLabel("Taken at")
        taken_label.setBuddy(self.taken_edit)
        taken.addWidget(taken_label)
        taken.addWidget(self.taken_edit, 1)
        body.addLayout(taken)
        body.addWidget(self.errors.add("occurred_at", self.taken_edit))

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.edits: dict[str, QLineEdit] = {}
        self.chips: dict[str, QLabel] = {}
        row = 0
        for key, label, unit in READINGS:
            edit = QLineEdit()
            edit.setPlaceholderText(unit)
            edit.setAccessibleName(label)
            edit.textChanged.connect(self._changed)
            edit.returnPressed.connect(self.focusNextChild)
            name = QLabel(label)
            name.setBuddy(edit)
            grid.addWidget(name, row, 0)
            grid.addWidget(edit, row, 1)
            chip = QLabel()
            chip.setFixedWidth(44)
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            chip.setAccessibleName(f"{label} score")
            grid.addWidget(chip, row, 2)
            grid.addWidget(self.errors.add(key, edit), row + 1, 0, 1, 3)
            self.edits[key], self.chips[key] = edit, chip
            row += 2
            if key == "spo2":
                self.scale_choice = ChoiceButtons(SCALES, columns=2)
                self.scale_choice.setToolTip(SCALE_HINT)
                self.scale_choice.changed.connect(self._changed)
                grid.addWidget(self.scale_choice, row, 1)
                self.air_choice = ChoiceButtons(AIR, columns=2)
                self.air_choice.changed.connect(self._changed)
                grid.addWidget(QLabel("Breathing"), row + 1, 0)
                grid.addWidget(self.air_choice, row + 1, 1)
                self.chips["on_oxygen"] = QLabel()
                self.chips["on_oxygen"].setFixedWidth(44)
                self.chips["on_oxygen"].setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(self.chips["on_oxygen"], row + 1, 2)
                row += 2
        body.addLayout(grid)
        level_row = QHBoxLayout()
        level_row.addWidget(QLabel("Consciousness (ACVPU)"), 1)
        self.chips["consciousness"] = QLabel()
        self.chips["consciousness"].setFixedWidth(44)
        self.chips["consciousness"].setAlignment(Qt.AlignmentFlag.AlignCenter)
        level_row.addWidget(self.chips["consciousness"])
        body.addLayout(level_row)
        self.level_choice = ChoiceButtons(LEVELS, columns=2)
        self.level_choice.setAccessibleName("Level of consciousness")
        self.level_choice.changed.connect(self._changed)
        body.addWidget(self.level_choice)
        body.addWidget(self.errors.add("consciousness", self.level_choice))
        self.escalation_label = QLabel()
        self.escalation_label.setWordWrap(True)
        self.escalation_label.setAccessibleName("What to do")
        body.addWidget(self.escalation_label)

        signs_title = QLabel("Soft signs (RESTORE2): different from their usual self?")
        signs_title.setWordWrap(True)
        set_role(signs_title, "heading")
        body.addWidget(signs_title)
        self.baseline_label = QLabel(NO_BASELINE)
        self.baseline_label.setWordWrap(True)
        set_role(self.baseline_label, "muted")
        body.addWidget(self.baseline_label)
        self.baseline_button = QPushButton("Their usual self (baseline)…")
        self.baseline_button.clicked.connect(self.baseline_requested.emit)
        body.addWidget(self.baseline_button)
        self.signs = ChoiceButtons(tuple(SOFT_SIGN_BUTTONS.values()), multiple=True, columns=2)
        for button, key in zip(self.signs.buttons, SOFT_SIGN_BUTTONS, strict=True):
            button.setToolTip(obs_rules.SOFT_SIGNS[key])
        self.signs.changed.connect(self._changed)
        body.addWidget(self.signs)
        body.addWidget(self.errors.add("soft_signs", self.signs))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setAccessibleName("Observations: note")
        self.note_edit.setPlaceholderText("What did you notice? Who did you tell?")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMinimumHeight(64)
        body.addWidget(QLabel("Note"))
        body.addWidget(self.note_edit)
        body.addWidget(self.errors.add("note", self.note_edit))
        body.addStretch(1)

        self.confirm_frame = ConfirmPanel()
        self.confirm_label = self.confirm_frame.label
        self.confirm_button = self.confirm_frame.confirm_button
        self.confirm_button.clicked.connect(lambda: self.save(confirmed=True))

        self.save_button = QPushButton("Save")
        set_role(self.save_button, "primary")
        self.save_button.setShortcut("Ctrl+Return")
        self.save_button.setToolTip("Save (Ctrl+Enter)")
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.news2_box)
        layout.addWidget(_scrolled(content), 1)
        layout.addWidget(self.confirm_frame)
        layout.addLayout(buttons)  # always in view, however long the form
        return page

    # --- filling in --------------------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.usual_scale = 1
            self.reset()
            self.baseline = None
            self.baseline_label.setText("Loading their baseline…")
        self.resident_id = resident_id
        self.pages.setCurrentIndex(0)
        if not self.is_dirty():
            self.taken_edit.setDateTime(QDateTime.currentDateTime())
        self.baseline_button.setEnabled(self._ui.may_write("soft_signs_baseline"))
        service = self._ui.services.observations
        self._ui.runner.run(lambda: service.baseline(resident_id), self.show_baseline)
        self._ui.runner.run(lambda: service.usual_spo2_scale(resident_id), self._show_scale)
        self.edits["temperature"].setFocus()

    def show_baseline(self, baseline: Baseline) -> None:
        if baseline.resident_id != self.resident_id:
            return
        self.baseline = baseline
        self.baseline_label.setText(baseline_text(baseline))

    def _show_scale(self, scale: int) -> None:
        """The resident's usual SpO2 scale (from their last reading) unless already changed."""
        self.usual_scale = scale
        if not self.is_dirty():
            self.scale_choice.select(SCALES[scale - 1])

    def reset(self) -> None:
        for edit in self.edits.values():
            edit.blockSignals(True)
            edit.clear()
            edit.blockSignals(False)
        for choice in (self.scale_choice, self.air_choice, self.level_choice, self.signs):
            choice.clear()
        self.scale_choice.select(SCALES[self.usual_scale - 1])
        self.note_edit.clear()
        self.errors.clear()
        self.confirm_frame.setVisible(False)
        self._changed()

    def is_dirty(self) -> bool:
        return bool(
            any(e.text().strip() for e in self.edits.values())
            or self.air_choice.selected()
            or self.level_choice.selected()
            or self.signs.selected()
            or self.note_edit.toPlainText().strip()
        )

    def texts(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def choices(self) -> tuple[int, bool | None, str | None]:
        scale = 2 if self.scale_choice.selected() == ["Scale 2"] else 1
        air = self.air_choice.selected()
        level = self.level_choice.selected()
        return scale, (air[0] == "Oxygen") if air else None, level[0][0] if level else None

    def soft_signs(self) -> list[str]:
        chosen = set(self.signs.selected())
        return [key for key, label in SOFT_SIGN_BUTTONS.items() if label in chosen]

    def readable(self) -> ObservationInput:
        """What can be scored now: each reading that reads as a believable number."""
        scale, on_oxygen, level = self.choices()
        texts: dict[str, str] = {}
        for key, text in self.texts().items():
            try:
                read_form({key: text})
            except InvalidInput:
                continue
            texts[key] = text
        readings = read_form(texts, spo2_scale=scale, on_oxygen=on_oxygen, consciousness=level)
        refused = check(readings).refused
        if refused:
            texts = {k: v for k, v in texts.items() if k not in refused}
            readings = read_form(texts, spo2_scale=scale, on_oxygen=on_oxygen, consciousness=level)
        return readings

    def _changed(self) -> None:
        if self.confirm_frame.isVisible():
            self.confirm_frame.withdraw()  # the readings changed: they are checked again on saving
        result = score(self.readable())
        self.news2_box.show_result(result)
        scored = len(result.missing) < len(result.scores)
        self.escalation_label.setText(f"What to do: {result.escalation}" if scored else "")
        self.escalation_label.setVisible(scored)
        urgent = scored and result.minimum_band is not news2.RiskBand.LOW
        set_role(self.escalation_label, "warning" if urgent else "")
        for key, chip in self.chips.items():
            points = result.scores.get(key)
            if points is None:
                chip.clear()
                chip.setStyleSheet("")
                chip.setToolTip("")
                continue
            chip.setText(str(points))
            chip.setStyleSheet(news2_colours.chip_style(news2.parameter_colour(points)))
            chip.setToolTip(f"Scores {points} on NEWS2")

    def scores_shown(self) -> dict[str, str]:
        return {key: chip.text() for key, chip in self.chips.items() if chip.text()}

    # --- saving ------------------------------------------------------------------------------

    def save(self, *, confirmed: bool = False) -> None:
        if not self.save_button.isEnabled() or not self.resident_id:
            return
        self.errors.clear()
        texts, (scale, on_oxygen, level) = self.texts(), self.choices()
        signs, note = self.soft_signs(), self.note_edit.toPlainText()
        taken = self.taken_edit.dateTime().toPython()
        when = taken.astimezone(dt.UTC) if isinstance(taken, dt.datetime) else None
        service, resident = self._ui.services.observations, self.resident_id

        def record() -> ObservationSaved:
            readings = read_form(texts, spo2_scale=scale, on_oxygen=on_oxygen, consciousness=level)
            return service.record(
                resident,
                readings,
                soft_signs=signs,
                note=note,
                occurred_at=when,
                confirmed=confirmed,
            )

        self.save_button.setEnabled(False)
        self.confirm_button.setEnabled(False)
        self.save_button.setText("Saving…")
        self._ui.runner.run(
            record, self._stored, on_failure=self._failed, changes=("notes",), quiet=True
        )

    def _ready(self) -> None:
        self.save_button.setEnabled(True)
        self.confirm_button.setEnabled(True)
        self.save_button.setText("Save")

    def _failed(self, error: WcnError) -> None:
        self._ready()
        if isinstance(error, NeedsConfirmation):
            self.confirm_frame.ask(error.messages)
            return
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
        self._ui.runner.failed.emit(error)  # in the message bar too, as every failure is

    def _stored(self, saved: ObservationSaved) -> None:
        self._ready()
        self.last_saved = saved
        self.result.show_saved(saved)
        self.reset()
        self.pages.setCurrentIndex(1)
        self.result.done_button.setFocus()
        self.saved.emit(saved)

    def _done(self) -> None:
        self.pages.setCurrentIndex(0)
        self.finished.emit()

    def _record_more(self) -> None:
        self.pages.setCurrentIndex(0)
        self.taken_edit.setDateTime(QDateTime.currentDateTime())
        self.edits["temperature"].setFocus()

    def cancel(self) -> None:
        self.reset()
        self.pages.setCurrentIndex(0)
        self.cancelled.emit()
