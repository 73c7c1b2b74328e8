"""The care plan editor: the areas of need down the left (with when each is due for review),
the chosen section's needs, goals, agreed actions and involvement in the middle, and its full
history (who changed what, when and why) on the right. Seniors write and review; everyone
else reads."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.care_plans import Revision, SectionView
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.care_plans import AREAS, SECTION_FIELDS, TEXT_FIELDS, ReviewState, add_months
from shared.errors import WcnError

AREA_ROLE = Qt.ItemDataRole.UserRole + 1
PLACEHOLDERS = {
    "needs": "What the resident needs help with, in their words where possible.",
    "goals": "What the resident wants to achieve.",
    "actions": "What staff will do, how and when: the agreed actions.",
    "resident_involvement": "How the resident took part and what they said.",
    "family_involvement": "Who in the family (or advocate) was involved, and their views.",
}
READ_ONLY = "Only a senior carer, nurse or manager can change the care plan."


def state_text(section: SectionView) -> str:
    if not section.written:
        return "Not written yet"
    due = section.review_due.strftime("%d %b %Y") if section.review_due else "no date"
    return {
        ReviewState.OVERDUE: f"Review overdue (was due {due})",
        ReviewState.DUE_SOON: f"Review due {due}",
        ReviewState.DUE_LATER: f"Review due {due}",
        ReviewState.NOT_SET: "No review date",
    }[section.review_state]


def describe_revision(revision: Revision, author: str) -> str:
    heading = {
        "written": "Written",
        "edited": "Changed",
        "reviewed": "Reviewed",
    }[revision.kind.value]
    lines = [f"{when(revision.occurred_at)} · {heading} by {author or 'someone'}"]
    lines.append(f"Why: {revision.reason}")
    for change in revision.changes:
        label = SECTION_FIELDS[change.field].capitalize()
        after = str(change.after or "(emptied)")
        lines.append(f"{label}: {after[:80]}" + ("…" if len(after) > 80 else ""))
    return "\n".join(lines)


class CarePlanEditor(QWidget):
    saved = Signal(str)  # the area saved

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.sections: dict[str, SectionView] = {}
        self.area = next(iter(AREAS))
        self.errors = FieldErrors()

        self.area_list = QListWidget()
        self.area_list.setAccessibleName("Areas of the care plan")
        self.area_list.setMinimumWidth(250)
        self.area_list.setMaximumWidth(300)
        self.area_list.setWordWrap(True)
        self.area_list.setSpacing(3)
        enable_touch_scrolling(self.area_list)
        for area, label in AREAS.items():
            item = QListWidgetItem(label)
            item.setData(AREA_ROLE, area)
            self.area_list.addItem(item)
        self.area_list.currentItemChanged.connect(self._area_chosen)

        self.title = QLabel(AREAS[self.area])
        set_role(self.title, "heading")
        self.state_label = QLabel()
        set_role(self.state_label, "muted")
        self.edits: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for name in TEXT_FIELDS:
            edit = QPlainTextEdit()
            edit.setAccessibleName(SECTION_FIELDS[name].capitalize())
            edit.setPlaceholderText(PLACEHOLDERS[name])
            edit.setTabChangesFocus(True)
            # The theme's min-height is one line; a section needs room for a few.
            edit.setStyleSheet(f"min-height: {56 if name.endswith('involvement') else 80}px;")
            self.edits[name] = edit
            box = QVBoxLayout()
            box.addWidget(edit)
            box.addWidget(self.errors.add(name, edit))
            form.addRow(SECTION_FIELDS[name].capitalize(), box)
        self.review_due = QDateEdit()
        self.review_due.setCalendarPopup(True)
        self.review_due.setDisplayFormat("d MMM yyyy")
        self.review_due.setAccessibleName("Review date")
        form.addRow("Review date", self.review_due)
        form.addRow(self.errors.add("review_due", self.review_due))
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why, or what the review found")
        self.reason_label = QLabel("Why is it changing?")
        self.reason_label.setBuddy(self.reason_edit)
        reason = QHBoxLayout()
        reason.addWidget(self.reason_label)
        reason.addWidget(self.reason_edit, 1)
        self.save_button = QPushButton("Save changes")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.review_button = QPushButton("Record monthly review")
        self.review_button.setToolTip(
            "The scheduled review: write what it found in the box above; changes are kept too."
        )
        self.review_button.clicked.connect(self.review)
        self.read_only_label = QLabel(READ_ONLY)
        set_role(self.read_only_label, "hint")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.review_button, 2)
        content = QWidget()
        middle = QVBoxLayout(content)
        middle.setContentsMargins(0, 0, 8, 0)
        middle.addWidget(self.title)
        middle.addWidget(self.state_label)
        middle.addLayout(form)
        middle.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        enable_touch_scrolling(scroll)
        centre = QVBoxLayout()
        centre.addWidget(scroll, 1)
        centre.addWidget(self.read_only_label)
        centre.addLayout(reason)
        centre.addWidget(self.errors.add("reason", self.reason_edit))
        centre.addLayout(buttons)

        history_title = QLabel("History")
        set_role(history_title, "heading")
        self.history = QListWidget()
        self.history.setAccessibleName("History of this section, newest first")
        self.history.setWordWrap(True)
        self.history.setAlternatingRowColors(True)
        self.history.setSpacing(2)
        self.history.setMinimumWidth(260)
        self.history.setMaximumWidth(340)
        enable_touch_scrolling(self.history)
        right = QVBoxLayout()
        right.addWidget(history_title)
        right.addWidget(self.history, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.area_list)
        layout.addLayout(centre, 1)
        layout.addLayout(right)

    @property
    def can_write(self) -> bool:
        return self._ui.may_write("care_plan_section")

    # --- loading ---------------------------------------------------------------------------

    def start(self, resident_id: str, area: str | None = None) -> None:
        if resident_id != self.resident_id:
            self.reset()
            self.sections = {}
        self.resident_id = resident_id
        if area is not None:
            self.area = area
        self.refresh()

    def refresh(self) -> None:
        if not self.resident_id:
            return
        plans, resident = self._ui.services.care_plans, self.resident_id
        self._ui.runner.run(lambda: plans.plan(resident), lambda s: self._show_plan(resident, s))

    def _show_plan(self, resident_id: str, sections: list[SectionView]) -> None:
        if resident_id != self.resident_id:
            return
        self.sections = {s.area: s for s in sections}
        for row in range(self.area_list.count()):
            item = self.area_list.item(row)
            section = self.sections[str(item.data(AREA_ROLE))]
            item.setText(f"{section.label}\n{state_text(section)}")
            item.setForeground(
                self.palette().color(self.palette().ColorRole.PlaceholderText)
                if not section.written
                else self.palette().color(self.palette().ColorRole.Text)
            )
        self.select_area(self.area, keep_edits=True)

    def select_area(self, area: str, *, keep_edits: bool = False) -> None:
        self.area = area
        for row in range(self.area_list.count()):
            if self.area_list.item(row).data(AREA_ROLE) == area:
                self.area_list.blockSignals(True)
                self.area_list.setCurrentRow(row)
                self.area_list.blockSignals(False)
        section = self.sections.get(area)
        if section is None:
            return
        self.title.setText(section.label)
        self.state_label.setText(state_text(section))
        if not (keep_edits and self.is_dirty()):
            self._fill(section)
        written, senior = section.written, self.can_write
        self.save_button.setText("Save changes" if written else "Save section")
        self.reason_label.setText("Why is it changing?" if written else "Note (optional)")
        self.review_button.setVisible(written and senior)
        self.save_button.setVisible(senior)
        self.read_only_label.setVisible(not senior)
        for edit in self.edits.values():
            edit.setReadOnly(not senior)
        self._load_history()

    def _fill(self, section: SectionView) -> None:
        self.errors.clear()
        for name, edit in self.edits.items():
            edit.setPlainText(str(section.fields.get(name) or ""))
        due = section.review_due or add_months(dt.date.today(), 1)
        self.review_due.setDate(QDate(due.year, due.month, due.day))
        self.reason_edit.clear()

    def _area_chosen(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.select_area(str(current.data(AREA_ROLE)))

    def _load_history(self) -> None:
        plans, resident, area = self._ui.services.care_plans, self.resident_id, self.area
        self._ui.runner.run(
            lambda: plans.history(resident, area),
            lambda revisions: self._show_history(resident, area, revisions),
        )

    def _show_history(self, resident_id: str, area: str, revisions: list[Revision]) -> None:
        if (resident_id, area) != (self.resident_id, self.area):
            return
        self.history.clear()
        for revision in reversed(revisions):
            self.history.addItem(describe_revision(revision, self._ui.name_of(revision.author_id)))
        if not revisions:
            self.history.addItem("Nothing written yet.")

    # --- saving ----------------------------------------------------------------------------

    def values(self) -> dict[str, object]:
        found: dict[str, object] = {n: e.toPlainText() for n, e in self.edits.items()}
        found["review_due"] = self.review_due.date().toPython()
        return found

    def is_dirty(self) -> bool:
        section = self.sections.get(self.area)
        if section is None:
            return False
        return any(
            e.toPlainText().strip() != str(section.fields.get(n) or "").strip()
            for n, e in self.edits.items()
        ) or bool(self.reason_edit.text().strip())

    def save(self) -> None:
        section = self.sections.get(self.area)
        if section is None or not self.save_button.isEnabled():
            return
        values = self.values()
        if section.written and section.review_due == values["review_due"]:
            del values["review_due"]
        plans, resident, area = self._ui.services.care_plans, self.resident_id, self.area
        reason = self.reason_edit.text()
        self._busy(True)
        self._ui.runner.run(
            lambda: plans.write_section(resident, area, values, reason),
            self._stored,
            on_failure=self._failed,
            changes=("care_plan",),
        )

    def review(self) -> None:
        section = self.sections.get(self.area)
        if section is None or not section.written:
            return
        values = self.values()
        due = values.pop("review_due")
        plans, resident, area = self._ui.services.care_plans, self.resident_id, self.area
        findings = self.reason_edit.text()
        self._busy(True)
        self._ui.runner.run(
            lambda: plans.review_section(
                resident,
                area,
                findings,
                values,
                next_review_due=due if isinstance(due, dt.date) else None,
            ),
            self._stored,
            on_failure=self._failed,
            changes=("care_plan",),
        )

    def _stored(self, section: SectionView) -> None:
        self._busy(False)
        self.sections[section.area] = section
        self._fill(section)
        self.refresh()
        self._ui.notify(f"Saved: {section.label}. {state_text(section)}.")
        self.saved.emit(section.area)

    def _failed(self, error: WcnError) -> None:
        self._busy(False)
        field = getattr(error, "field", None)
        if field == "findings":
            field = "reason"
        self.errors.show(field if isinstance(field, str) else None, error.message)

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.review_button.setEnabled(not busy)

    def reset(self) -> None:
        for edit in self.edits.values():
            edit.clear()
        self.reason_edit.clear()
        self.errors.clear()
        self.history.clear()
