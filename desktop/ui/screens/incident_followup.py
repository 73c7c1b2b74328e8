"""After an incident: the body map with photos of its marks, each post-fall observation as it
falls due, and the nurse's or manager's review with the actions agreed (and, when done,
closing the incident)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.incidents import IncidentView
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.screens.incident_photos import MarkPhotosCard
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError
from shared.incidents import ObservationProgress


@dataclass(frozen=True)
class FollowUp:
    incident: IncidentView
    progress: ObservationProgress


def progress_text(progress: ObservationProgress) -> str:
    if progress.total == 0:
        return "No post-fall observations are due for this incident."
    text = f"{progress.done} of {progress.total} observations done"
    if progress.overdue:
        text += f", {len(progress.overdue)} overdue"
    if progress.next_due is not None:
        text += f". Next due {when(progress.next_due.isoformat())}"
    return text + "."


class IncidentFollowUp(QWidget):
    closed = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.current: FollowUp | None = None
        self.errors = FieldErrors()
        back = QPushButton("← Back")
        back.clicked.connect(self.closed.emit)
        self.title = QLabel()
        set_role(self.title, "heading")
        self.title.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)

        observations = QFrame()
        observations.setObjectName("Card")
        obs = QVBoxLayout(observations)
        heading = QLabel("Post-fall observations")
        set_role(heading, "heading")
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.slot_label = QLabel()
        self.findings_edit = QLineEdit()
        self.findings_edit.setPlaceholderText("e.g. alert, talking as usual, no new pain")
        self.findings_edit.setAccessibleName("What you observed")
        self.concern_box = QCheckBox("Something has changed: tell the nurse now")
        self.observe_button = QPushButton("Record observation")
        set_role(self.observe_button, "primary")
        self.observe_button.clicked.connect(self.record_observation)
        for widget in (heading, self.progress_label, self.slot_label, self.findings_edit):
            obs.addWidget(widget)
        obs.addWidget(self.errors.add("findings", self.findings_edit))
        obs.addWidget(self.concern_box)
        obs.addWidget(self.observe_button)
        obs.addStretch(1)

        self.review_card = QFrame()
        self.review_card.setObjectName("Card")
        review = QFormLayout(self.review_card)
        review_heading = QLabel("Review and actions (nurse or manager)")
        set_role(review_heading, "heading")
        self.review_findings = QPlainTextEdit()
        self.review_findings.setAccessibleName("What the review found")
        self.review_findings.setTabChangesFocus(True)
        self.action_edit = QLineEdit()
        self.action_edit.setAccessibleName("Action agreed")
        self.owner_edit = QLineEdit()
        self.owner_edit.setAccessibleName("Who will do it")
        self.lessons_edit = QLineEdit()
        self.lessons_edit.setAccessibleName("Lessons learned")
        self.close_box = QCheckBox("Close the incident")
        self.review_button = QPushButton("Save review")
        self.review_button.clicked.connect(self.save_review)
        self.review_status = QLabel()
        self.review_status.setWordWrap(True)
        review.addRow(review_heading)
        review.addRow("Found", self.review_findings)
        review.addRow(self.errors.add("review", self.review_findings))
        review.addRow("Action", self.action_edit)
        review.addRow("Who", self.owner_edit)
        review.addRow("Lessons", self.lessons_edit)
        review.addRow(self.close_box)
        review.addRow(self.review_button)
        review.addRow(self.review_status)

        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        self.photos = MarkPhotosCard(ui)
        cards = QHBoxLayout()
        cards.addWidget(observations, 1)
        cards.addWidget(self.review_card, 1)
        content = QWidget()  # scrolls, so the body map does not make the window taller
        rows = QVBoxLayout(content)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(cards)  # first: observations after a fall are due soon
        rows.addWidget(self.photos, 1)
        self.scroll_area = area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(content)
        enable_touch_scrolling(area)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(area, 1)

    # --- loading ---------------------------------------------------------------------------

    def open(self, incident_id: str) -> None:
        incidents = self._ui.services.incidents
        self._ui.runner.run(
            lambda: FollowUp(
                incidents.get(incident_id), incidents.observation_progress(incident_id)
            ),
            self.show_follow_up,
        )

    def show_follow_up(self, follow_up: FollowUp) -> None:
        fresh = (
            self.current is None or self.current.incident.record_id != follow_up.incident.record_id
        )
        self.current = follow_up
        incident, progress = follow_up.incident, follow_up.progress
        self.errors.clear()
        self.title.setText(f"{incident.kind_label} · {when(incident.occurred_at)}")
        self.description.setText(incident.description)
        self.photos.show_incident(incident)
        self.progress_label.setText(progress_text(progress))
        slot = self.next_slot()
        self.slot_label.setText(
            f"Recording the observation due {when(slot.isoformat())}." if slot else ""
        )
        can_observe = slot is not None and self._ui.may_write("post_fall_observation")
        for widget in (self.findings_edit, self.concern_box, self.observe_button):
            widget.setVisible(can_observe)
        self.review_card.setVisible(self._ui.may_write("incident_review"))
        state = "closed" if incident.closed else ("reviewed" if incident.reviewed else "")
        self.review_status.setText(f"This incident has been {state}." if state else "")
        if fresh:
            for edit in (self.findings_edit, self.action_edit, self.owner_edit, self.lessons_edit):
                edit.clear()
            self.review_findings.clear()
            self.close_box.setChecked(False)

    def next_slot(self) -> dt.datetime | None:
        """The earliest observation not yet recorded: an overdue one first."""
        if self.current is None:
            return None
        progress = self.current.progress
        return progress.overdue[0] if progress.overdue else progress.next_due

    # --- saving ----------------------------------------------------------------------------

    def record_observation(self) -> None:
        slot = self.next_slot()
        if self.current is None or slot is None:
            return
        incident_id = self.current.incident.record_id
        findings, concern = self.findings_edit.text(), self.concern_box.isChecked()
        incidents = self._ui.services.incidents

        def done(_record_id: str) -> None:
            self.findings_edit.clear()
            self.concern_box.setChecked(False)
            message = "Observation recorded."
            if concern:
                message += " Tell the nurse on duty about the change now."
            self._ui.notify(message)
            self.open(incident_id)

        self._ui.runner.run(
            lambda: incidents.record_observation(incident_id, slot, findings, concern=concern),
            done,
            on_failure=lambda error: self._failed(error, "findings"),
            changes=("incidents",),
        )

    def save_review(self) -> None:
        if self.current is None:
            return
        incident_id = self.current.incident.record_id
        action = self.action_edit.text().strip()
        actions = [{"action": action, "owner": self.owner_edit.text()}] if action else []
        findings, lessons = self.review_findings.toPlainText(), self.lessons_edit.text()
        closed, incidents = self.close_box.isChecked(), self._ui.services.incidents

        def done(_record_id: str) -> None:
            self._ui.notify("Review saved.")
            self.open(incident_id)

        self._ui.runner.run(
            lambda: incidents.review(
                incident_id, findings, actions=actions, lessons=lessons, closed=closed
            ),
            done,
            on_failure=lambda error: self._failed(error, "review"),
            changes=("incidents",),
        )

    def _failed(self, error: WcnError, findings_field: str) -> None:
        field = getattr(error, "field", None)
        name = findings_field if field == "findings" else field
        self.errors.show(name if isinstance(name, str) else None, error.message)
