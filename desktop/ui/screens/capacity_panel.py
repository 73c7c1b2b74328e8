"""Capacity and consent for one resident, in three parts: mental capacity (the two-stage
assessment, then a best-interests decision for a decision they lack capacity for), DoLS
applications and authorisations, and attorneys and deputies."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.capacity import CapacityEntry, McaSaved
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.screens.best_interests_form import BestInterestsForm
from desktop.ui.screens.dols_form import DolsPanel
from desktop.ui.screens.mca_form import OUTCOMES, McaForm
from desktop.ui.screens.representatives_form import RepresentativesPanel
from desktop.ui.theme import set_role
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.capacity import CapacityOutcome

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
READ_ONLY = "Only a senior carer, nurse or manager records capacity assessments."
NONE_YET = "No capacity assessments recorded yet."


def describe_entry(entry: CapacityEntry, author: str) -> str:
    by = f" · {author}" if author else ""
    if entry.kind == "mca_assessment":
        known = entry.outcome in {o.value for o in CapacityOutcome}
        outcome = OUTCOMES[CapacityOutcome(entry.outcome)] if known else entry.outcome
        text = f"{when(entry.occurred_at)}{by}\nCapacity: {entry.decision}\n{outcome}"
        impairment = entry.fields.get("impairment_description")
        return text + (f" ({impairment})" if impairment else "")
    decided = entry.outcome if len(entry.outcome) <= 90 else entry.outcome[:89] + "…"
    return f"{when(entry.occurred_at)}{by}\nBest interests: {entry.decision}\nDecided: {decided}"


class McaPanel(QWidget):
    """The assessment form (or a best-interests decision) beside the resident's earlier ones."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.entries: list[CapacityEntry] = []
        self.form = McaForm(ui)
        self.form.saved.connect(self._mca_saved)
        self.best_interests = BestInterestsForm(ui)
        self.best_interests.saved.connect(lambda _id: self._back_to_form())
        self.best_interests.cancelled.connect(self._back_to_form)
        self.stack = QStackedWidget()
        self.form_page = scrolled(self.form)
        self.bi_page = scrolled(self.best_interests)
        self.stack.addWidget(self.form_page)
        self.stack.addWidget(self.bi_page)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(320)
        card.setMaximumWidth(420)
        side = QVBoxLayout(card)
        title = QLabel("Earlier assessments and decisions")
        set_role(title, "heading")
        self.read_only_label = QLabel(READ_ONLY)
        self.read_only_label.setWordWrap(True)
        set_role(self.read_only_label, "hint")
        self.history = QListWidget()
        self.history.setAccessibleName("Capacity assessments and decisions, newest first")
        self.history.setWordWrap(True)
        self.history.setSpacing(2)
        enable_touch_scrolling(self.history)
        self.history.currentItemChanged.connect(lambda *_a: self._entry_chosen())
        self.bi_button = QPushButton("Best-interests decision…")
        self.bi_button.setToolTip(
            "For the chosen assessment, where the person lacks capacity for the decision"
        )
        self.bi_button.clicked.connect(self.start_best_interests)
        side.addWidget(self.form.result_panel)
        side.addWidget(title)
        side.addWidget(self.read_only_label)
        side.addWidget(self.history, 1)
        side.addWidget(self.bi_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(card)
        self._entry_chosen()

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.best_interests.reset()
            self._back_to_form()
        self.resident_id = resident_id
        self.form.start(resident_id)
        self.read_only_label.setVisible(not self._ui.may_write("mca_assessment"))
        self.refresh()

    def refresh(self) -> None:
        capacity, resident = self._ui.services.capacity, self.resident_id
        self._ui.runner.run(
            lambda: capacity.capacity_history(resident),
            lambda entries: self._show(resident, entries),
        )

    def _show(self, resident_id: str, entries: list[CapacityEntry]) -> None:
        if resident_id != self.resident_id:
            return
        chosen = self.selected()
        self.entries = entries
        self.history.clear()
        for entry in entries:
            item = QListWidgetItem(describe_entry(entry, self._ui.name_of(entry.author_id)))
            item.setData(ENTRY_ROLE, entry.record_id)
            self.history.addItem(item)
            if chosen is not None and entry.record_id == chosen.record_id:
                self.history.setCurrentItem(item)
        if not entries:
            self.history.addItem(NONE_YET)
        self._entry_chosen()

    def selected(self) -> CapacityEntry | None:
        item = self.history.currentItem()
        record_id = item.data(ENTRY_ROLE) if item is not None else None
        return next((e for e in self.entries if e.record_id == record_id), None)

    def select(self, record_id: str) -> None:
        for row in range(self.history.count()):
            if self.history.item(row).data(ENTRY_ROLE) == record_id:
                self.history.setCurrentRow(row)

    def _entry_chosen(self) -> None:
        entry = self.selected()
        self.bi_button.setEnabled(
            entry is not None
            and entry.lacks_capacity
            and self._ui.may_write("best_interest_decision")
        )
        self.history.setToolTip(self._details(entry) if entry is not None else "")

    @staticmethod
    def _details(entry: CapacityEntry) -> str:
        f = entry.fields
        if entry.kind == "mca_assessment":
            lines = []
            if f.get("impairment_description"):
                lines.append(f"Impairment: {f['impairment_description']}")
            if f.get("practicable_steps"):
                lines.append(f"Steps taken: {f['practicable_steps']}")
            return "\n".join(lines)
        lines = [f"Consulted: {f.get('people_consulted', '')}"]
        if f.get("options_considered"):
            lines.append(f"Options: {f['options_considered']}")
        lines.append("Less restrictive options considered.")
        return "\n".join(lines)

    def _mca_saved(self, saved: McaSaved) -> None:
        capacity, resident = self._ui.services.capacity, self.resident_id

        def show(entries: list[CapacityEntry]) -> None:
            self._show(resident, entries)
            self.select(saved.record_id)

        self._ui.runner.run(lambda: capacity.capacity_history(resident), show)

    def start_best_interests(self) -> None:
        entry = self.selected()
        if entry is None or not entry.lacks_capacity:
            return
        self.stack.setCurrentWidget(self.bi_page)
        self.form.result_panel.setVisible(False)
        self.best_interests.start(entry.record_id, entry.decision)

    def _back_to_form(self) -> None:
        self.stack.setCurrentWidget(self.form_page)
        self.form.result_panel.setVisible(True)
        if self.resident_id:
            self.refresh()

    def is_dirty(self) -> bool:
        return self.form.is_dirty() or self.best_interests.is_dirty()

    def reset(self) -> None:
        self.form.reset()
        self.best_interests.reset()
        self.stack.setCurrentWidget(self.form_page)
        self.form.result_panel.setVisible(True)


class CapacityTab(QTabWidget):
    """The three parts, one tab each."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resident_id = ""
        self.mca = McaPanel(ui)
        self.dols = DolsPanel(ui)
        self.representatives = RepresentativesPanel(ui)
        self.addTab(self.mca, "Mental capacity and best interests")
        self.addTab(self.dols, "DoLS")
        self.addTab(self.representatives, "Attorneys and deputies")
        self.currentChanged.connect(lambda _i: self._start_current())

    def start(self, resident_id: str, part: str | None = None) -> None:
        self.resident_id = resident_id
        if part is not None:
            wanted = {"mca": self.mca, "dols": self.dols, "lpa": self.representatives}[part]
            if self.currentWidget() is not wanted:
                self.setCurrentWidget(wanted)  # starts it
                return
        self._start_current()

    def _start_current(self) -> None:
        if not self.resident_id:
            return
        current = self.currentWidget()
        if isinstance(current, McaPanel | DolsPanel | RepresentativesPanel):
            current.start(self.resident_id)

    def refresh(self) -> None:
        self._start_current()

    def is_dirty(self) -> bool:
        return self.mca.is_dirty() or self.dols.is_dirty() or self.representatives.is_dirty()

    def reset(self) -> None:
        self.mca.reset()
        self.dols.reset()
        self.representatives.reset()
