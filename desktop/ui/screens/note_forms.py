"""Quick-record forms for the daily care notes: tap a choice or two, add words if needed,
Save. "Saved" shows only once the service has stored the note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.notes import CATEGORY_LABELS
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError


@dataclass(frozen=True)
class FormSpec:
    category: str
    choices: tuple[str, ...] = ()
    choice_label: str = ""
    choice_key: str = ""  # where the choice goes in the note's details
    multiple: bool = False
    extra_label: str = ""  # one line of text kept in details (the visitor's name)
    extra_key: str = ""
    placeholder: str = "What happened? Write it as you would say it."

    @property
    def title(self) -> str:
        return "Free text note" if self.category == "general" else CATEGORY_LABELS[self.category]


SPECS: dict[str, FormSpec] = {
    s.category: s
    for s in (
        FormSpec(
            "personal_care",
            (
                "Wash",
                "Shower or bath",
                "Dressing",
                "Oral care",
                "Shave",
                "Hair",
                "Nails",
                "Skin checked",
            ),
            "Care given",
            "care",
            multiple=True,
            placeholder="Anything to note (skin, mood, what they chose to wear)?",
        ),
        FormSpec(
            "food_fluid",
            placeholder="Anything else: offered, refused, help needed, thickener used?",
        ),
        FormSpec(
            "repositioning",
            (
                "Left side",
                "Right side",
                "Back",
                "30° tilt left",
                "30° tilt right",
                "Sitting in chair",
            ),
            "New position",
            "position",
            placeholder="Pressure areas checked? Anything to note?",
        ),
        FormSpec(
            "continence",
            (
                "Passed urine",
                "Bowels opened",
                "Pad changed: dry",
                "Pad changed: wet",
                "Pad changed: soiled",
                "Catheter care",
            ),
            "What happened",
            "continence",
        ),
        FormSpec(
            "sleep",
            ("Asleep", "Awake and settled", "Awake and unsettled", "Out of bed", "Refused check"),
            "At the check",
            "state",
            placeholder="Breathing, comfort, anything to note?",
        ),
        FormSpec(
            "mood",
            ("Happy", "Calm", "Low", "Anxious", "Agitated", "Distressed"),
            "Mood",
            "mood",
            placeholder="What did you notice? What helped?",
        ),
        FormSpec(
            "activity",
            ("Group activity", "One-to-one", "Walk", "Garden", "Music or TV", "Declined"),
            "Activity",
            "activity",
        ),
        FormSpec(
            "visit", extra_label="Visitor", extra_key="visitor", placeholder="How did the visit go?"
        ),
        FormSpec("general"),
    )
}


def compose_text(spec: FormSpec, chosen: list[str], extra: str, text: str) -> str:
    """The note as it reads in the timeline: the choices in words, then what was typed."""
    lead = ""
    if chosen:
        joined = ", ".join(chosen)
        lead = {
            "personal_care": f"{joined}.",
            "repositioning": f"Repositioned: {joined.lower()}.",
        }.get(spec.category, f"{joined}.")
        lead = lead[0].upper() + lead[1:]
    if extra:
        lead = f"{lead} Visit from {extra}.".strip()
    return " ".join(part for part in (lead, text.strip()) if part)


class NoteForm(QWidget):
    """One category's form. ``saved`` carries the new note's id once it is stored."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, ui: UiContext, spec: FormSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.spec = spec
        self.resident_id = ""
        self.errors = FieldErrors()
        title = QLabel(spec.title)
        set_role(title, "heading")
        content = QWidget()
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(0, 0, 8, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        enable_touch_scrolling(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(title)
        outer.addWidget(scroll, 1)
        self.choices = ChoiceButtons(spec.choices, multiple=spec.multiple, columns=2)
        if spec.choices:
            self._layout.addWidget(QLabel(spec.choice_label))
            self._layout.addWidget(self.choices)
            self._layout.addWidget(self.errors.add(spec.choice_key, self.choices))
        self.extra_edit = QLineEdit()
        if spec.extra_key:
            label = QLabel(spec.extra_label)
            label.setBuddy(self.extra_edit)
            self.extra_edit.setAccessibleName(spec.extra_label)
            self._layout.addWidget(label)
            self._layout.addWidget(self.extra_edit)
        self.interval_spin = QSpinBox()
        self.build_extra()
        self.text_edit = QPlainTextEdit()
        self.text_edit.setAccessibleName(f"{spec.title}: note")
        self.text_edit.setPlaceholderText(spec.placeholder)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(72)
        self._layout.addWidget(QLabel("Note"))
        self._layout.addWidget(self.text_edit, 1)
        self._layout.addWidget(self.errors.add("text", self.text_edit))
        self.save_button = QPushButton("Save")
        set_role(self.save_button, "primary")
        self.save_button.setShortcut("Ctrl+Return")
        self.save_button.setToolTip("Save (Ctrl+Enter)")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.saved_label = QLabel()
        set_role(self.saved_label, "saved")
        self.saved_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        outer.addWidget(self.saved_label)
        outer.addLayout(buttons)  # always in view, however long the form

    def build_extra(self) -> None:
        """Room for a subclass's own fields, above the note text."""

    # --- filling in ------------------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        self.saved_label.clear()
        (self.choices.buttons[0] if self.spec.choices else self.text_edit).setFocus()

    def reset(self) -> None:
        self.choices.clear()
        self.extra_edit.clear()
        self.text_edit.clear()
        self.errors.clear()

    def is_dirty(self) -> bool:
        return bool(
            self.choices.selected() or self.extra_edit.text() or self.text_edit.toPlainText()
        )

    def collect(self) -> tuple[str, dict[str, Any]]:
        chosen = self.choices.selected()
        extra = self.extra_edit.text().strip()
        details: dict[str, Any] = {}
        if chosen:
            details[self.spec.choice_key] = chosen if self.spec.multiple else chosen[0]
        if extra:
            details[self.spec.extra_key] = extra
        return compose_text(self.spec, chosen, extra, self.text_edit.toPlainText()), details

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.save_button.isEnabled() or not self.resident_id:
            return
        self.errors.clear()
        text, details = self.collect()
        notes, resident, category = self._ui.services.notes, self.resident_id, self.spec.category
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")
        self._ui.runner.run(
            lambda: notes.record_note(resident, category, text, details=details),
            self._stored,
            on_failure=self._failed,
            changes=("notes",),
        )

    def _stored(self, record_id: str) -> None:
        self._ready()
        self.saved_label.setText(self.saved_text())
        self.reset()
        self.saved.emit(record_id)

    def saved_text(self) -> str:
        return f"Saved at {dt.datetime.now().strftime('%H:%M')}."

    def _failed(self, error: WcnError) -> None:
        self._ready()
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    def _ready(self) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setText("Save")

    def cancel(self) -> None:
        self.reset()
        self.saved_label.clear()
        self.cancelled.emit()


class RepositioningForm(NoteForm):
    """Adds how long until the next turn; the service works out when it is due."""

    def build_extra(self) -> None:
        self.interval_spin.setRange(1, 6)
        self.interval_spin.setValue(2)
        self.interval_spin.setSuffix(" hours")
        self.interval_spin.setAccessibleName("Next turn in")
        label = QLabel("Next turn in")
        label.setBuddy(self.interval_spin)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.interval_spin)
        row.addStretch(1)
        self._layout.addLayout(row)
        self._last_interval = 2

    def collect(self) -> tuple[str, dict[str, Any]]:
        text, details = super().collect()
        self._last_interval = self.interval_spin.value()
        details["interval_hours"] = self._last_interval
        return text, details

    def is_dirty(self) -> bool:
        return bool(self.choices.selected() or self.text_edit.toPlainText())

    def saved_text(self) -> str:
        due = dt.datetime.now() + dt.timedelta(hours=self._last_interval)
        return f"Saved. Next turn due at {due.strftime('%H:%M')}."
