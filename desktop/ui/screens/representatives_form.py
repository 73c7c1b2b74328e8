"""Who may decide for the resident: attorneys under a Lasting Power of Attorney (health and
welfare, or property and financial affairs), deputies appointed by the Court of Protection,
and Scottish welfare guardians. For each: who they are, how to reach them, when the power was
registered, whether the home has seen the document, and what they may decide (the scope)."""

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

from desktop.services.capacity import RepresentativeView
from desktop.ui.context import UiContext
from desktop.ui.screens.form_changes import changed_fields
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.optional_date import OptionalDate
from desktop.ui.widgets.record_list import refill
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.entities.care import LEGAL_REPRESENTATIVE_KINDS
from shared.errors import WcnError

REP_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_LABELS = {
    "lpa_health_and_welfare": "LPA: health and welfare",
    "lpa_property_and_financial": "LPA: property and financial affairs",
    "deputy_health_and_welfare": "Deputy: health and welfare",
    "deputy_property_and_financial": "Deputy: property and financial affairs",
    "welfare_guardian": "Welfare guardian (Scotland)",
    "other": "Other",
}
assert set(KIND_LABELS) == set(LEGAL_REPRESENTATIVE_KINDS)
NONE_YET = "No attorney or deputy recorded. Without one, decisions the resident cannot make "
NONE_YET += "are made in their best interests."
READ_ONLY = "Only a senior carer, nurse or manager records attorneys and deputies."
NEW = "Add an attorney or deputy"
CHOOSE = "Choose…"


def fmt(value: object) -> str:
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d %b %Y").lstrip("0")
    except ValueError:
        return str(value)


def describe(view: RepresentativeView) -> str:
    f = view.fields
    lines = [f"{f.get('name', '')} · {KIND_LABELS.get(str(f.get('kind')), '')}"]
    registered = f.get("registered_on")
    seen = " · document seen" if f.get("document_seen") else " · document NOT seen"
    lines.append((f"Registered {fmt(registered)}" if registered else "Not registered") + seen)
    if f.get("notes"):
        scope = str(f["notes"])
        lines.append("May decide: " + (scope if len(scope) <= 80 else scope[:79] + "…"))
    return "\n".join(lines)


class RepresentativesPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.views: list[RepresentativeView] = []
        self.current: RepresentativeView | None = None
        self.errors = FieldErrors()
        self.title = QLabel(NEW)
        set_role(self.title, "heading")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Type")
        self.kind_combo.addItem(CHOOSE, "")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name")
        self.contact_edit = QLineEdit()
        self.contact_edit.setAccessibleName("Contact")
        self.contact_edit.setPlaceholderText("Phone, email or address")
        self.registered = OptionalDate("Registered on", not_after_today=True)
        self.reference_edit = QLineEdit()
        self.reference_edit.setAccessibleName("Reference")
        self.reference_edit.setPlaceholderText("OPG or court reference")
        self.seen_box = QCheckBox("We have seen the registered document (or a certified copy)")
        self.scope_edit = QPlainTextEdit()
        self.scope_edit.setAccessibleName("What they may decide")
        self.scope_edit.setPlaceholderText(
            "The scope, and any conditions or restrictions, e.g. may refuse life-sustaining "
            "treatment; finances only while the resident lacks capacity"
        )
        self.scope_edit.setTabChangesFocus(True)
        self.scope_edit.setStyleSheet("min-height: 64px;")
        self.scope_edit.setMaximumHeight(110)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, name, widget in (
            ("Type", "kind", self.kind_combo),
            ("Name", "name", self.name_edit),
            ("Contact", "contact", self.contact_edit),
        ):
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(self.errors.add(name, widget))
            form.addRow(label, box)
        form.addRow(self.registered)
        form.addRow(self.errors.add("registered_on", self.registered))
        form.addRow("Reference", self.reference_edit)
        form.addRow(self.seen_box)
        form.addRow("What they may decide", self.scope_edit)
        self.save_button = QPushButton("Save")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton("Add another")
        self.new_button.clicked.connect(self.new_representative)
        self.end_button = QPushButton("No longer acting")
        self.end_button.setToolTip("The power was revoked, or the attorney or deputy stopped")
        set_role(self.end_button, "danger")
        self.end_button.clicked.connect(self.end_current)
        others = QHBoxLayout()
        others.addWidget(self.new_button)
        others.addWidget(self.end_button)
        buttons = QVBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addLayout(others)
        content = QWidget()
        middle = QVBoxLayout(content)
        middle.setContentsMargins(0, 0, 8, 0)
        middle.addWidget(self.title)
        middle.addLayout(form)
        middle.addStretch(1)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(320)
        card.setMaximumWidth(420)
        side = QVBoxLayout(card)
        heading = QLabel("Attorneys and deputies")
        set_role(heading, "heading")
        self.read_only_label = QLabel(READ_ONLY)
        self.read_only_label.setWordWrap(True)
        set_role(self.read_only_label, "hint")
        self.list = QListWidget()
        self.list.setAccessibleName("Attorneys and deputies")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        enable_touch_scrolling(self.list)
        self.list.currentItemChanged.connect(lambda *_a: self._chosen())
        side.addLayout(buttons)  # in view however long the form
        side.addWidget(heading)
        side.addWidget(self.read_only_label)
        side.addWidget(self.list, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(card)
        self.reset()

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        writable = self._ui.may_write("legal_representative")
        for button in (self.save_button, self.new_button, self.end_button):
            button.setVisible(writable)
        self.read_only_label.setVisible(not writable)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        capacity, resident = self._ui.services.capacity, self.resident_id
        self._ui.runner.run(
            lambda: capacity.representative_views(resident),
            lambda views: self._show(resident, views, select),
        )

    def _show(self, resident_id: str, views: list[RepresentativeView], select: str | None) -> None:
        if resident_id != self.resident_id:
            return
        wanted = select or (self.current.record_id if self.current else None)
        self.views = views
        rows = [(describe(v), v.record_id) for v in views]
        row = refill(self.list, rows, NONE_YET, REP_ROLE, wanted)
        if row is None:
            if wanted is not None:  # no longer on the list (no longer acting)
                self.reset()
        # Just saved: show what was stored. Otherwise a refresh never overwrites what is typed.
        elif select is not None or not self.is_dirty():
            self.load(views[row])

    def _chosen(self) -> None:
        item = self.list.currentItem()
        record_id = item.data(REP_ROLE) if item is not None else None
        view = next((v for v in self.views if v.record_id == record_id), None)
        if view is not None:
            self.load(view)

    def load(self, view: RepresentativeView) -> None:
        self.current = view
        f = view.fields
        self.title.setText(str(f.get("name") or "Attorney or deputy"))
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(f.get("kind"))))
        self.kind_combo.setEnabled(False)  # a different power is a different record
        self.name_edit.setText(str(f.get("name") or ""))
        self.contact_edit.setText(str(f.get("contact") or ""))
        self.registered.set_value(f.get("registered_on"))
        self.reference_edit.setText(str(f.get("reference") or ""))
        self.seen_box.setChecked(bool(f.get("document_seen")))
        self.scope_edit.setPlainText(str(f.get("notes") or ""))
        self.end_button.setEnabled(True)
        self.errors.clear()

    def new_representative(self) -> None:
        self.reset()
        self.list.setCurrentRow(-1)
        self.kind_combo.setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind_combo.currentData() or None,
            "name": self.name_edit.text().strip(),
            "contact": self.contact_edit.text().strip() or None,
            "registered_on": self.registered.value(),
            "reference": self.reference_edit.text().strip() or None,
            "document_seen": self.seen_box.isChecked(),
            "notes": self.scope_edit.toPlainText().strip() or None,
        }

    def changes(self) -> dict[str, Any]:
        values = self.values()
        if self.current is None:
            return values
        values.pop("kind")  # fixed once recorded
        return changed_fields(values, self.current.fields)

    def is_dirty(self) -> bool:
        if self.current is None:
            return bool(self.name_edit.text().strip())
        return bool(self.changes())

    def reset(self) -> None:
        self.current = None
        self.title.setText(NEW)
        self.kind_combo.setEnabled(True)
        self.kind_combo.setCurrentIndex(0)
        for edit in (self.name_edit, self.contact_edit, self.reference_edit):
            edit.clear()
        self.registered.set_value(None)
        self.seen_box.setChecked(False)
        self.scope_edit.clear()
        self.end_button.setEnabled(False)
        self.errors.clear()

    def save(self) -> None:
        if not self.resident_id or not self.save_button.isEnabled():
            return
        self.errors.clear()
        if self.current is None and not self.kind_combo.currentData():
            self.errors.show("kind", "Choose what kind of attorney or deputy this is.")
            return
        if not self.name_edit.text().strip():
            self.errors.show("name", "Write the attorney's or deputy's name.")
            return
        changes = self.changes()
        if not changes:
            self._ui.notify("Nothing has changed.")
            return
        self._send(changes, "Saved: " + self.name_edit.text().strip() + ".")

    def end_current(self) -> None:
        if self.current is None:
            return
        name = str(self.current.fields.get("name") or "")
        self._send({"active": False}, f"{name} is no longer listed as acting.", ended=True)

    def _send(self, changes: dict[str, Any], done: str, *, ended: bool = False) -> None:
        capacity, resident = self._ui.services.capacity, self.resident_id
        record_id = self.current.record_id if self.current else None
        self.save_button.setEnabled(False)

        def stored(saved_id: str) -> None:
            self.save_button.setEnabled(True)
            self._ui.notify(done)
            if ended:
                self.reset()
            self.refresh(select=None if ended else saved_id)

        self._ui.runner.run(
            lambda: capacity.save_representative(resident, changes, record_id=record_id),
            stored,
            on_failure=self._failed,
            changes=("capacity",),
        )

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
