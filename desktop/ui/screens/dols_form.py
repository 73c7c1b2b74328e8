"""DoLS applications and authorisations for one resident: when it was applied for, the urgent
authorisation the home gave itself (7 days, extendable once by 7), the standard authorisation
with its end date, its conditions, and the outcome. Each one shows where it stands today and
what is due (ask for the extension, request a further authorisation 28 days before the end),
worked out by ``shared.capacity``. Changing the outcome may call for a statutory notification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from desktop.services.capacity import DolsSaved, DolsView
from desktop.ui.context import UiContext
from desktop.ui.screens.form_changes import changed_fields
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.optional_date import OptionalDate
from desktop.ui.widgets.record_list import refill
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared import capacity as cap
from shared.capacity import CapacityError, DolsOutcome, DolsPosition, DolsStatus
from shared.errors import WcnError

DOLS_ROLE = Qt.ItemDataRole.UserRole + 1
OUTCOME_LABELS = {
    DolsOutcome.PENDING: "Awaiting a decision",
    DolsOutcome.GRANTED: "Standard authorisation granted",
    DolsOutcome.REFUSED: "Refused",
    DolsOutcome.WITHDRAWN: "Application withdrawn",
    DolsOutcome.ENDED: "Authorisation ended",
}
DATE_LABELS = {
    "applied_on": "Applied for on",
    "urgent_granted_on": "Urgent authorisation given on",
    "standard_granted_on": "Standard authorisation starts",
    "standard_ends_on": "Standard authorisation ends",
}
TEXT_FIELDS = ("supervisory_body", "reference", "conditions")
NONE_YET = "No DoLS applications recorded for this resident."
READ_ONLY = "Only a nurse or a manager records DoLS applications."
NEW = "New application"


def fmt(day: dt.date | None) -> str:
    return day.strftime("%d %b %Y").lstrip("0") if day else ""


def position_text(position: DolsPosition) -> str:
    text = position.status.value.capitalize()
    if position.expires_on is not None:
        verb = "ended" if position.status is DolsStatus.EXPIRED else "ends"
        text += f" · {verb} {fmt(position.expires_on)}"
    return text


def describe(view: DolsView) -> str:
    f = view.fields
    lines = [f"Applied {fmt(_date(f.get('applied_on'))) or 'date not recorded'}"]
    if f.get("supervisory_body"):
        lines[0] += f" to {f['supervisory_body']}"
    lines.append(position_text(view.position))
    if view.position.action:
        lines.append("⚠ " + view.position.action)
    return "\n".join(lines)


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class DolsPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.views: list[DolsView] = []
        self.current: DolsView | None = None
        self.last_saved: DolsSaved | None = None
        self.errors = FieldErrors()

        self.title = QLabel(NEW)
        set_role(self.title, "heading")
        self.body_edit = QLineEdit()
        self.body_edit.setAccessibleName("Supervisory body")
        self.body_edit.setPlaceholderText("The local authority that decides")
        self.reference_edit = QLineEdit()
        self.reference_edit.setAccessibleName("Reference")
        self.dates: dict[str, OptionalDate] = {}
        for name, label in DATE_LABELS.items():
            self.dates[name] = OptionalDate(label, not_after_today=name != "standard_ends_on")
            self.dates[name].changed.connect(self.update_position)
        self.extended_box = QCheckBox("The urgent authorisation was extended (once, 7 days)")
        self.extended_box.toggled.connect(lambda _on: self.update_position())
        self.outcome_combo = QComboBox()
        self.outcome_combo.setAccessibleName("Outcome")
        for outcome, label in OUTCOME_LABELS.items():
            self.outcome_combo.addItem(label, outcome.value)
        self.outcome_combo.currentIndexChanged.connect(lambda _i: self.update_position())
        self.conditions_edit = QPlainTextEdit()
        self.conditions_edit.setAccessibleName("Conditions")
        self.conditions_edit.setPlaceholderText(
            "The conditions attached to the authorisation, one on each line"
        )
        self.conditions_edit.setTabChangesFocus(True)
        self.conditions_edit.setStyleSheet("min-height: 64px;")
        self.conditions_edit.setMaximumHeight(110)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Supervisory body", self.body_edit)
        form.addRow("Reference", self.reference_edit)
        for name, widget in self.dates.items():
            form.addRow(widget)
            form.addRow(self.errors.add(name, widget))
            if name == "urgent_granted_on":
                form.addRow(self.extended_box)
                form.addRow(self.errors.add("urgent_extended", self.extended_box))
        form.addRow("Outcome", self.outcome_combo)
        form.addRow("Conditions", self.conditions_edit)

        self.status_label = QLabel()
        self.status_label.setAccessibleName("Where it stands")
        self.status_label.setWordWrap(True)
        set_role(self.status_label, "title")
        self.action_label = QLabel()
        self.action_label.setAccessibleName("What is due")
        self.action_label.setWordWrap(True)
        set_role(self.action_label, "warning")
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        set_role(self.notice_label, "warning")
        self.notice_label.setVisible(False)
        self.save_button = QPushButton("Save DoLS record")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton("New")
        self.new_button.setToolTip("Start a new DoLS application")
        self.new_button.clicked.connect(self.new_application)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.new_button, 1)
        content = QWidget()
        middle = QVBoxLayout(content)
        middle.setContentsMargins(0, 0, 8, 0)
        middle.addWidget(self.title)
        middle.addLayout(form)
        middle.addStretch(1)
        scroll = scrolled(content)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(320)
        card.setMaximumWidth(420)
        side = QVBoxLayout(card)
        heading = QLabel("Applications and authorisations")
        set_role(heading, "heading")
        self.read_only_label = QLabel(READ_ONLY)
        self.read_only_label.setWordWrap(True)
        set_role(self.read_only_label, "hint")
        self.list = QListWidget()
        self.list.setAccessibleName("DoLS applications, with what is due")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        enable_touch_scrolling(self.list)
        self.list.currentItemChanged.connect(lambda *_a: self._chosen())
        side.addWidget(self.status_label)  # in view beside the dates, as they change
        side.addWidget(self.action_label)
        side.addWidget(self.notice_label)
        side.addLayout(buttons)
        side.addWidget(heading)
        side.addWidget(self.read_only_label)
        side.addWidget(self.list, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(card)
        self.update_position()

    # --- loading and choosing --------------------------------------------------------------

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        writable = self._ui.may_write("dols_authorisation")
        self.save_button.setVisible(writable)
        self.read_only_label.setVisible(not writable)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        capacity, resident = self._ui.services.capacity, self.resident_id
        self._ui.runner.run(
            lambda: capacity.dols(resident),
            lambda views: self._show(resident, views, select),
        )

    def _show(self, resident_id: str, views: list[DolsView], select: str | None) -> None:
        if resident_id != self.resident_id:
            return
        wanted = select or (self.current.record_id if self.current else None)
        self.views = views
        rows = [(describe(v), v.record_id) for v in views]
        row = refill(self.list, rows, NONE_YET, DOLS_ROLE, wanted)
        # Just saved: show what was stored. Otherwise a refresh never overwrites what is typed.
        if row is not None and (select is not None or not self.is_dirty()):
            self.load(views[row])

    def _chosen(self) -> None:
        item = self.list.currentItem()
        record_id = item.data(DOLS_ROLE) if item is not None else None
        view = next((v for v in self.views if v.record_id == record_id), None)
        if view is not None:
            self.load(view)

    def load(self, view: DolsView) -> None:
        other = self.current is None or self.current.record_id != view.record_id
        self.current = view
        self.title.setText("DoLS application")
        f = view.fields
        self.body_edit.setText(str(f.get("supervisory_body") or ""))
        self.reference_edit.setText(str(f.get("reference") or ""))
        for name, widget in self.dates.items():
            widget.set_value(f.get(name))
        self.extended_box.setChecked(bool(f.get("urgent_extended")))
        self.outcome_combo.setCurrentIndex(
            max(0, self.outcome_combo.findData(f.get("outcome") or "pending"))
        )
        self.conditions_edit.setPlainText(str(f.get("conditions") or ""))
        if other:  # the refresh after a save reloads the same one: its notice stays
            self.notice_label.setVisible(False)
        self.errors.clear()
        self.update_position()

    def new_application(self) -> None:
        self.reset()
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.body_edit.setFocus()

    # --- the form --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "supervisory_body": self.body_edit.text().strip() or None,
            "reference": self.reference_edit.text().strip() or None,
            "urgent_extended": self.extended_box.isChecked(),
            "outcome": self.outcome_combo.currentData(),
            "conditions": self.conditions_edit.toPlainText().strip() or None,
        }
        for name, widget in self.dates.items():
            values[name] = widget.value()
        return values

    def changes(self) -> dict[str, Any]:
        """What differs from the record shown: only those fields are sent, so another PC's
        change to a different field merges with this one."""
        values = self.values()
        if self.current is None:
            return {k: v for k, v in values.items() if v not in (None, False)}
        return changed_fields(values, self.current.fields)

    def update_position(self) -> None:
        """Where the authorisation would stand today with these dates: pure, so live."""
        self.errors.clear()
        values = self.values()
        record = cap.DolsRecord(
            applied_on=values["applied_on"],
            urgent_granted_on=values["urgent_granted_on"],
            urgent_extended=values["urgent_extended"],
            standard_granted_on=values["standard_granted_on"],
            standard_ends_on=values["standard_ends_on"],
            outcome=DolsOutcome(values["outcome"]),
        )
        today = dt.date.today()
        try:
            cap.check_dols(record, today)
        except CapacityError:
            self.status_label.setText("Check the dates")
            self.action_label.clear()
            return
        position = cap.dols_position(record, today)
        self.status_label.setText(position_text(position))
        self.action_label.setText(position.action)
        self.action_label.setVisible(bool(position.action))

    def is_dirty(self) -> bool:
        return bool(self.changes()) if self.current else bool(self.body_edit.text().strip())

    def reset(self) -> None:
        self.current = None
        self.title.setText(NEW)
        self.body_edit.clear()
        self.reference_edit.clear()
        for widget in self.dates.values():
            widget.set_value(None)
        self.extended_box.setChecked(False)
        self.outcome_combo.setCurrentIndex(0)
        self.conditions_edit.clear()
        self.notice_label.setVisible(False)
        self.errors.clear()
        self.update_position()

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        changes = self.changes()
        if not changes:
            self._ui.notify("Nothing has changed.")
            return
        capacity, resident = self._ui.services.capacity, self.resident_id
        dols_id = self.current.record_id if self.current else None
        self.save_button.setEnabled(False)
        self._ui.runner.run(
            lambda: capacity.save_dols(resident, changes, dols_id=dols_id),
            self._stored,
            on_failure=self._failed,
            changes=("capacity",),
        )

    def _stored(self, saved: DolsSaved) -> None:
        self.save_button.setEnabled(True)
        self.last_saved = saved
        self.load(saved.dols)
        self._ui.notify(f"Saved: DoLS application. {position_text(saved.dols.position)}.")
        if saved.notifications:
            self.notice_label.setText(
                "This outcome must be notified. "
                + "; ".join(n.title for n in saved.notifications)
                + ". Draft it from Reviews due."
            )
        self.notice_label.setVisible(bool(saved.notifications))
        self.refresh(select=saved.dols.record_id)

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
