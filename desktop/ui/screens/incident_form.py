"""Reporting an incident: what kind, when and where, who saw it, the harm, the facts the
regulators ask about, and a body map (tap the outline, then say what is there). On saving the
form shows which statutory notifications are due and, after a fall, the observations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.incidents import IncidentInput, IncidentSaved
from desktop.ui.context import UiContext
from desktop.ui.screens.body_map import BodyMapWidget, MapMark
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError
from shared.incidents import KINDS, BodyMark
from shared.notifications import OTHER_EVENTS

FLAGS = {
    "head_injury": "Hit their head, or may have",
    "anticoagulants": "Takes anticoagulants (blood thinners)",
    "lasting_harm": "Harm likely to last over 28 days, or permanent",
    "harm_caused": "A medication error caused harm",
    "resident_died": "The resident died",
    "abuse_alleged": "Abuse alleged or suspected",
    "safeguarding_referral": "Safeguarding referral made",
    "police_involved": "Police told, or investigating",
}
SEEN = ("Seen by someone", "Not seen")
# Short words for the buttons; the full meaning of each level is written underneath.
KIND_BUTTONS = {
    key: {"skin_damage": "Skin damage", "safeguarding": "Safeguarding"}.get(key, label)
    for key, label in KINDS.items()
}
SEVERITY_BUTTONS = {"none": "None", "minor": "Minor", "moderate": "Moderate", "serious": "Serious"}
SEVERITY_HINT = (
    "Minor: first aid only.  Moderate: needed a GP, nurse or paramedic.  "
    "Serious: hospital, a fracture, or harm likely to last over 28 days."
)
ULCER_ORIGIN = ("Developed here", "Present on admission")


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    enable_touch_scrolling(area)
    return area


class IncidentForm(QWidget):
    saved = Signal(object)  # IncidentSaved
    cancelled = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.errors = FieldErrors()
        self.marks: list[BodyMark] = []

        content = QWidget()
        form = QFormLayout(content)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.kind_buttons = ChoiceButtons(tuple(KIND_BUTTONS.values()), columns=3)
        self.kind_buttons.setAccessibleName("Kind of incident")
        form.addRow("What kind", self.kind_buttons)
        form.addRow(self.errors.add("kind", self.kind_buttons))
        self.when_edit = QDateTimeEdit()
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat("d MMM yyyy HH:mm")
        self.when_edit.setAccessibleName("When it happened")
        form.addRow("When", self.when_edit)
        form.addRow(self.errors.add("occurred_at", self.when_edit))
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("e.g. bedroom 12, beside the bed")
        self.location_edit.setAccessibleName("Where")
        form.addRow("Where", self.location_edit)
        self.seen_buttons = ChoiceButtons(SEEN, columns=2)
        self.seen_buttons.setAccessibleName("Was it seen")
        form.addRow("Was it seen?", self.seen_buttons)
        form.addRow(self.errors.add("witnessed", self.seen_buttons))
        self.severity_buttons = ChoiceButtons(tuple(SEVERITY_BUTTONS.values()), columns=4)
        self.severity_buttons.setAccessibleName("Injury or harm")
        self.severity_buttons.setToolTip(SEVERITY_HINT)
        form.addRow("Injury or harm", self.severity_buttons)
        severity_hint = QLabel(SEVERITY_HINT.replace("  ", "\n"))
        severity_hint.setWordWrap(True)
        set_role(severity_hint, "hint")
        form.addRow("", severity_hint)
        self.flag_boxes: dict[str, QCheckBox] = {}
        flags = QVBoxLayout()
        for name, label in FLAGS.items():
            box = QCheckBox(label)
            self.flag_boxes[name] = box
            flags.addWidget(box)
        form.addRow("Also", flags)
        self.grade_combo = QComboBox()
        self.grade_combo.addItem("Not a pressure ulcer", None)
        for grade in (1, 2, 3, 4):
            self.grade_combo.addItem(f"Pressure ulcer grade {grade}", grade)
        self.grade_combo.setAccessibleName("Pressure ulcer grade")
        self.origin_buttons = ChoiceButtons(ULCER_ORIGIN, columns=2)
        self.origin_buttons.setAccessibleName("Where the pressure ulcer developed")
        form.addRow("Skin", self.grade_combo)
        form.addRow(self.errors.add("pressure_ulcer_grade", self.grade_combo))
        form.addRow("", self.origin_buttons)
        form.addRow(self.errors.add("developed_after_admission", self.origin_buttons))
        self.other_boxes: dict[str, QCheckBox] = {}
        other = QVBoxLayout()
        for name, label in OTHER_EVENTS.items():
            box = QCheckBox(label)
            box.setToolTip(label)
            self.other_boxes[name] = box
            other.addWidget(box)
        form.addRow("Home-wide", other)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("What happened, in your own words.")
        self.description_edit.setAccessibleName("What happened")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMinimumHeight(80)
        form.addRow("What happened", self.description_edit)
        form.addRow(self.errors.add("description", self.description_edit))
        self.actions_edit = QPlainTextEdit()
        self.actions_edit.setPlaceholderText("First aid, who was called, who was told.")
        self.actions_edit.setAccessibleName("What was done")
        self.actions_edit.setTabChangesFocus(True)
        self.actions_edit.setMinimumHeight(64)
        form.addRow("What was done", self.actions_edit)

        self.body_map = BodyMapWidget()
        self.body_map.mark_added.connect(self.add_mark)
        hint = QLabel("Tap the body where you saw an injury or mark, then describe it below.")
        hint.setWordWrap(True)
        set_role(hint, "hint")
        self.marks_table = QTableWidget(0, 2)
        self.marks_table.setHorizontalHeaderLabels(["Mark", "What you saw there"])
        self.marks_table.setAccessibleName("Marks on the body map")
        self.marks_table.verticalHeader().setVisible(False)
        header = self.marks_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.marks_table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.marks_table.setMaximumHeight(110)
        self.marks_table.itemChanged.connect(self._mark_described)
        self.remove_mark_button = QPushButton("Remove mark")
        self.remove_mark_button.clicked.connect(self.remove_selected_mark)
        self.save_button = QPushButton("Save incident")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.remove_mark_button.setText("Remove mark")
        top = QHBoxLayout()
        top.addWidget(hint, 1)
        top.addWidget(self.remove_mark_button)
        right = QVBoxLayout()
        right.addLayout(top)
        right.addWidget(self.body_map, 1)
        right.addWidget(self.marks_table)
        right.addWidget(self.errors.add("body_map", self.marks_table))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        side = QWidget()
        side.setLayout(right)
        side.setMaximumWidth(440)
        layout.addWidget(_scrolled(content), 1)
        layout.addWidget(side)
        self.reset()

    # --- the body map ----------------------------------------------------------------------

    def add_mark(self, side: str, x: float, y: float) -> None:
        self.marks.append(BodyMark(side, x, y, ""))
        row = self.marks_table.rowCount()
        self.marks_table.blockSignals(True)
        self.marks_table.insertRow(row)
        number = QTableWidgetItem(f"{row + 1} ({side})")
        number.setFlags(number.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.marks_table.setItem(row, 0, number)
        self.marks_table.setItem(row, 1, QTableWidgetItem(""))
        self.marks_table.blockSignals(False)
        self._show_marks()
        self.marks_table.setCurrentCell(row, 1)
        cell = self.marks_table.item(row, 1)
        if cell is not None:
            self.marks_table.editItem(cell)

    def describe_mark(self, row: int, text: str) -> None:
        item = self.marks_table.item(row, 1)
        if item is not None:
            item.setText(text)

    def _mark_described(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and 0 <= item.row() < len(self.marks):
            old = self.marks[item.row()]
            self.marks[item.row()] = BodyMark(old.side, old.x, old.y, item.text(), old.photo_ref)

    def remove_selected_mark(self) -> None:
        row = self.marks_table.currentRow()
        if 0 <= row < len(self.marks):
            del self.marks[row]
            self.marks_table.removeRow(row)
            for index in range(self.marks_table.rowCount()):
                cell = self.marks_table.item(index, 0)
                if cell is not None:
                    cell.setText(f"{index + 1} ({self.marks[index].side})")
            self._show_marks()

    def _show_marks(self) -> None:
        self.body_map.set_marks(
            tuple(MapMark(m.side, m.x, m.y, n) for n, m in enumerate(self.marks, start=1))
        )

    # --- filling in ------------------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        self.save_button.setEnabled(self._ui.may_write("incident"))

    def reset(self) -> None:
        for buttons in (self.kind_buttons, self.seen_buttons, self.severity_buttons):
            buttons.clear()
        self.origin_buttons.clear()
        for box in (*self.flag_boxes.values(), *self.other_boxes.values()):
            box.setChecked(False)
        self.grade_combo.setCurrentIndex(0)
        now = QDateTime.currentDateTime()
        self.when_edit.setMaximumDateTime(now.addSecs(300))
        self.when_edit.setDateTime(now)
        for edit in (self.description_edit, self.actions_edit):
            edit.clear()
        self.location_edit.clear()
        self.marks = []
        self.marks_table.setRowCount(0)
        self._show_marks()
        self.errors.clear()

    def is_dirty(self) -> bool:
        return bool(
            self.kind_buttons.selected() or self.description_edit.toPlainText() or self.marks
        )

    def collect(self) -> IncidentInput:
        kinds = {label: key for key, label in KIND_BUTTONS.items()}
        severities = {label: key for key, label in SEVERITY_BUTTONS.items()}
        chosen = self.kind_buttons.selected()
        seen = self.seen_buttons.selected()
        severity = self.severity_buttons.selected()
        origin = self.origin_buttons.selected()
        moment = self.when_edit.dateTime().toPython()
        assert isinstance(moment, dt.datetime)
        flags: dict[str, Any] = {n: True for n, box in self.flag_boxes.items() if box.isChecked()}
        base = IncidentInput(
            kind=kinds[chosen[0]] if chosen else "",
            description=self.description_edit.toPlainText(),
            occurred_at=moment.astimezone(),
            location=self.location_edit.text(),
            severity=severities[severity[0]] if severity else None,
            witnessed=(seen[0] == SEEN[0]) if seen else None,
            pressure_ulcer_grade=self.grade_combo.currentData(),
            developed_after_admission=(origin[0] == ULCER_ORIGIN[0]) if origin else None,
            other_events=tuple(n for n, box in self.other_boxes.items() if box.isChecked()),
            body_map=tuple(self.marks),
            immediate_actions=self.actions_edit.toPlainText(),
        )
        return dataclasses.replace(base, **flags)

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        self.errors.clear()
        data = self.collect()
        if not data.kind:
            self.errors.show("kind", "Choose what kind of incident this was.")
            return
        incidents, resident = self._ui.services.incidents, self.resident_id
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")
        self._ui.runner.run(
            lambda: incidents.record(resident, data),
            self._stored,
            on_failure=self._failed,
            changes=("incidents",),
        )

    def _stored(self, saved: IncidentSaved) -> None:
        self._ready()
        self.reset()
        self.saved.emit(saved)

    def _failed(self, error: WcnError) -> None:
        self._ready()
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    def _ready(self) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setText("Save incident")

    def cancel(self) -> None:
        self.reset()
        self.cancelled.emit()
