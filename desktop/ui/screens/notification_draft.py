"""Statutory notifications on screen: the prompt after an incident is saved (what must be
notified, to whom, how soon), and the draft: the regulator's form with what the records say
filled in, saved as a draft, then marked sent with when and how (or not needed, with why)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.incidents import IncidentSaved
from desktop.services.notifications import NotificationView
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError
from shared.notifications import REGULATOR_NAMES, SEND_METHODS

SENDERS = ("statutory_notification", ["status", "sent_at", "sent_method"])
TELL_SENIOR = "Tell the nurse or manager on duty now: they must send this."


class NotificationPrompt(QFrame):
    """What the saved incident calls for: each notification due, with a button to draft it."""

    draft_requested = Signal(str, str)  # incident id, notification type

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._ui = ui
        self._layout = QVBoxLayout(self)
        self.title = QLabel()
        set_role(self.title, "heading")
        self.title.setWordWrap(True)
        self._layout.addWidget(self.title)
        self.rows: list[QWidget] = []
        self.draft_buttons: dict[str, QPushButton] = {}
        self.setVisible(False)

    def show_saved(self, saved: IncidentSaved) -> None:
        for widget in self.rows:
            widget.deleteLater()
        self.rows, self.draft_buttons = [], {}
        incident = saved.incident
        if saved.notifications:
            self.title.setText("This incident must be notified")
        else:
            self.title.setText("Saved. No statutory notification is called for.")
        may_draft = self._ui.may_write("statutory_notification")
        for due in saved.notifications:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"<b>{due.title}</b><br>{due.reason} {due.timescale}")
            text.setWordWrap(True)
            line.addWidget(text, 1)
            if may_draft:
                button = QPushButton("Draft notification")
                set_role(button, "primary")
                button.clicked.connect(
                    lambda _c=False, t=due.type.value: self.draft_requested.emit(
                        incident.record_id, t
                    )
                )
                self.draft_buttons[due.type.value] = button
                line.addWidget(button)
            else:
                hint = QLabel(TELL_SENIOR)
                set_role(hint, "warning")
                hint.setWordWrap(True)
                line.addWidget(hint)
            self._layout.addWidget(row)
            self.rows.append(row)
        if incident.schedule:
            first = incident.schedule[0].astimezone().strftime("%H:%M")
            obs = QLabel(
                f"Post-fall observations: {len(incident.schedule)} over the next 24 hours, "
                f"the first at {first}. They appear under Reviews due until done."
            )
            obs.setWordWrap(True)
            self._layout.addWidget(obs)
            self.rows.append(obs)
        self.setVisible(True)


class NotificationDraftPanel(QWidget):
    """One notification: its form, the time since the event, and sending it."""

    closed = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.view: NotificationView | None = None
        self.errors = FieldErrors()
        self.edits: dict[str, QLineEdit] = {}
        self.title = QLabel()
        set_role(self.title, "heading")
        self.title.setWordWrap(True)
        self.regulator_label = QLabel()
        self.regulator_label.setWordWrap(True)
        self.urgency_label = QLabel()
        self.urgency_label.setWordWrap(True)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        set_role(self.missing_label, "muted")
        self.fields_box = QWidget()
        self.fields_form = QFormLayout(self.fields_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.fields_box)
        self.save_button = QPushButton("Save draft")
        self.save_button.clicked.connect(self.save_draft)
        back = QPushButton("← Back")
        back.clicked.connect(self.closed.emit)

        send = QFrame()
        send.setObjectName("Card")
        send_form = QFormLayout(send)
        send_title = QLabel("Sent")
        set_role(send_title, "heading")
        send_form.addRow(send_title)
        self.sent_edit = QDateTimeEdit()
        self.sent_edit.setCalendarPopup(True)
        self.sent_edit.setDisplayFormat("d MMM yyyy HH:mm")
        self.sent_edit.setAccessibleName("When it was sent")
        self.sent_known = QComboBox()
        self.sent_known.addItems(["Not sent yet", "Sent at the time below"])
        self.sent_known.setAccessibleName("Has it been sent")
        self.method_combo = QComboBox()
        self.method_combo.addItem("Choose how…", "")
        for key, label in SEND_METHODS.items():
            self.method_combo.addItem(label, key)
        self.method_combo.setAccessibleName("How it was sent")
        self.reference_edit = QLineEdit()
        self.reference_edit.setAccessibleName("Regulator's reference")
        self.sent_button = QPushButton("Mark as sent")
        set_role(self.sent_button, "primary")
        self.sent_button.clicked.connect(self.mark_sent)
        self.not_needed_edit = QLineEdit()
        self.not_needed_edit.setPlaceholderText("Why not, and who decided")
        self.not_needed_edit.setAccessibleName("Why no notification is needed")
        self.not_needed_button = QPushButton("Not needed")
        self.not_needed_button.clicked.connect(self.mark_not_needed)
        self.sent_summary = QLabel()
        self.sent_summary.setWordWrap(True)
        self.send_inputs = QWidget()  # only for those who send notifications
        inputs = QFormLayout(self.send_inputs)
        inputs.setContentsMargins(0, 0, 0, 0)
        inputs.addRow("Sent?", self.sent_known)
        inputs.addRow("When", self.sent_edit)
        inputs.addRow(self.errors.add("sent_at", self.sent_edit))
        inputs.addRow("How", self.method_combo)
        inputs.addRow(self.errors.add("sent_method", self.method_combo))
        inputs.addRow("Reference", self.reference_edit)
        inputs.addRow(self.sent_button)
        inputs.addRow(self.not_needed_edit)
        inputs.addRow(self.errors.add("status_note", self.not_needed_edit))
        inputs.addRow(self.not_needed_button)
        send_form.addRow(self.send_inputs)
        send_form.addRow(self.sent_summary)
        self.read_only_label = QLabel(TELL_SENIOR)
        set_role(self.read_only_label, "hint")
        self.read_only_label.setWordWrap(True)
        send_form.addRow(self.read_only_label)

        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        left.addLayout(top)
        left.addWidget(self.regulator_label)
        left.addWidget(self.urgency_label)
        left.addWidget(self.missing_label)
        left.addWidget(scroll, 1)
        left.addWidget(self.save_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        send_scroll = QScrollArea()
        send_scroll.setWidgetResizable(True)
        send_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        send_scroll.setWidget(send)
        send_scroll.setMaximumWidth(440)
        layout.addLayout(left, 3)
        layout.addWidget(send_scroll, 2)

    def show_view(self, view: NotificationView) -> None:
        fresh = self.view is None or self.view.record_id != view.record_id
        self.view = view
        self.errors.clear()
        self.title.setText(f"{view.title} · {view.resident_name}")
        self.regulator_label.setText(f"To: {REGULATOR_NAMES[view.regulator]}. {view.timescale}")
        self.urgency_label.setText(view.urgency.text)
        set_role(self.urgency_label, "warning" if view.urgency.late and view.outstanding else "")
        self.missing_label.setText(
            "Still to fill in: " + ", ".join(view.missing) + "." if view.missing else ""
        )
        if fresh:
            while self.fields_form.rowCount():
                self.fields_form.removeRow(0)
            self.edits = {}
            for name, label in view.labels.items():
                edit = QLineEdit(view.fields.get(name, ""))
                edit.setAccessibleName(label)
                self.edits[name] = edit
                self.fields_form.addRow(label, edit)
            self.sent_edit.setDateTime(QDateTime.currentDateTime())
            self.sent_known.setCurrentIndex(0)
            self.method_combo.setCurrentIndex(0)
            self.reference_edit.clear()
            self.not_needed_edit.clear()
        sender = self._ui.may_write(*SENDERS)
        open_draft = view.outstanding
        self.send_inputs.setVisible(open_draft and sender)
        self.read_only_label.setVisible(open_draft and not sender)
        self.save_button.setVisible(open_draft and self._ui.may_write("statutory_notification"))
        if view.status == "sent" and view.sent_at is not None:
            method = SEND_METHODS.get(view.sent_method or "", view.sent_method or "")
            text = f"Sent {view.sent_at.astimezone():%d %b %Y %H:%M} by {method.lower()}."
            if view.written_confirmation_due:
                text += f" Confirm in writing by {view.written_confirmation_due:%d %b %Y}."
            self.sent_summary.setText(text)
        elif view.status == "not_needed":
            self.sent_summary.setText(f"Not needed: {view.status_note}")
        else:
            self.sent_summary.setText("")

    def open(self, record_id: str) -> None:
        notifications = self._ui.services.notifications
        self._ui.runner.run(lambda: notifications.get(record_id), self.show_view)

    def draft(self, incident_id: str, kind: str) -> None:
        notifications = self._ui.services.notifications
        self._ui.runner.run(
            lambda: notifications.draft_for_incident(incident_id, kind),
            self.show_view,
            changes=("notifications",),
        )

    def save_draft(self) -> None:
        if self.view is None:
            return
        record_id, values = self.view.record_id, {k: e.text() for k, e in self.edits.items()}
        notifications = self._ui.services.notifications
        self._ui.runner.run(
            lambda: notifications.update_draft(record_id, values),
            self._saved("Draft saved."),
            changes=("notifications",),
        )

    def mark_sent(self) -> None:
        if self.view is None:
            return
        self.errors.clear()
        moment: dt.datetime | None = None
        if self.sent_known.currentIndex() == 1:
            value = self.sent_edit.dateTime().toPython()
            assert isinstance(value, dt.datetime)
            moment = value.astimezone()
        method = str(self.method_combo.currentData() or "")
        record_id, reference = self.view.record_id, self.reference_edit.text()
        notifications = self._ui.services.notifications
        self._ui.runner.run(
            lambda: notifications.mark_sent(record_id, moment, method, reference=reference),
            self._saved("Marked as sent."),
            on_failure=self._failed,
            changes=("notifications",),
        )

    def mark_not_needed(self) -> None:
        if self.view is None:
            return
        self.errors.clear()
        record_id, reason = self.view.record_id, self.not_needed_edit.text()
        notifications = self._ui.services.notifications
        self._ui.runner.run(
            lambda: notifications.mark_not_needed(record_id, reason),
            self._saved("Recorded: no notification needed."),
            on_failure=self._failed,
            changes=("notifications",),
        )

    def _saved(self, message: str) -> Callable[[NotificationView], None]:
        def done(view: NotificationView) -> None:
            self.show_view(view)
            self._ui.notify(message)

        return done

    def _failed(self, error: WcnError) -> None:
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
