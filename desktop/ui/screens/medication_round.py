"""The medicine round: the unit's doses (overdue, due now, coming up), and for the dose
chosen the resident (initials, allergies, anything under review) with big buttons. The common
case is two taps: the dose, then "Given". A controlled drug (or every medicine, when the
provider asks) needs a witness first."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.round import REASON_LABELS, RoundItem
from desktop.services.residents import ResidentSummary
from desktop.services.session import VerifiedWitness
from desktop.ui.context import UiContext
from desktop.ui.models.medication import RoundModel
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.screens.witness_dialog import WitnessDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.avatar import avatar_pixmap
from desktop.ui.widgets.chips import AlertChips
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, enable_touch_scrolling
from shared.errors import WcnError

EMPTY = "No medicines are due on this unit in the next two hours."
BIG = 72  # the "Given" button: the one tapped most, the biggest
BIG_BUTTON = f"QPushButton {{ min-height: {BIG}px; }}"  # over the theme's 48 px


RESIDENT_COLUMN_PX = 250
STATUS_COLUMN_PX = 115


class RoundPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.witness_required = False
        self.items: list[RoundItem] = []
        self.errors = FieldErrors()
        self.model = RoundModel(self)

        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.unit_combo.addItem("All units", "")
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_done = QCheckBox("Show recorded")
        self.show_done.toggled.connect(lambda _on: self._show_items())
        self.summary_label = QLabel()
        set_role(self.summary_label, "muted")

        self.table = QTableView()
        self.table.setAccessibleName("Doses on this round")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)
        header = self.table.horizontalHeader()
        # The medicine takes what is left; who and the status keep a set width (their longest
        # texts wrap) so a long "Given by ..." further down cannot squeeze the medicine out.
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Interactive,
            )
        ):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(1, RESIDENT_COLUMN_PX)
        header.resizeSection(3, STATUS_COLUMN_PX)
        self.table.setWordWrap(True)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        enable_touch_scrolling(self.table)
        self.empty_label = QLabel(EMPTY)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "empty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        # The dose chosen.
        self.avatar = QLabel()
        self.resident_label = QLabel("Choose a dose")
        set_role(self.resident_label, "title")
        self.chips = AlertChips()
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        set_role(self.review_label, "warning")
        self.medicine_label = QLabel()
        self.medicine_label.setWordWrap(True)
        set_role(self.medicine_label, "heading")
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.quantity_spin = QDoubleSpinBox()
        self.quantity_spin.setAccessibleName("Amount given")
        self.quantity_spin.setDecimals(1)
        self.quantity_spin.setMinimumHeight(TOUCH_HEIGHT)
        self.quantity_label = QLabel("Amount given")
        self.patch_edit = QLineEdit()
        self.patch_edit.setAccessibleName("Patch site")
        self.patch_edit.setPlaceholderText("Where the patch was put, e.g. left upper arm")
        self.given_button = QPushButton("Given ✓")
        set_role(self.given_button, "primary")
        self.given_button.setStyleSheet(BIG_BUTTON)
        self.given_button.setAccessibleName("Given")
        self.given_button.clicked.connect(lambda: self.record("given"))
        self.refused_button = QPushButton("Refused")
        self.refused_button.setStyleSheet(BIG_BUTTON)
        self.refused_button.clicked.connect(lambda: self.record("refused"))
        self.not_given_button = QPushButton("Not given…")
        self.not_given_button.setStyleSheet(BIG_BUTTON)
        self.not_given_button.setCheckable(True)
        self.not_given_button.toggled.connect(self._show_reasons)
        self.reasons = ChoiceButtons(tuple(REASON_LABELS.values())[1:], columns=2)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Note (needed for 'Other')")
        self.save_not_given = QPushButton("Record as not given")
        self.save_not_given.clicked.connect(lambda: self.record("omitted"))
        self.reason_box = QWidget()
        reason_layout = QVBoxLayout(self.reason_box)
        reason_layout.setContentsMargins(0, 0, 0, 0)
        reason_layout.addWidget(self.reasons)
        reason_layout.addWidget(self.errors.add("reason_code", self.reasons))
        reason_layout.addWidget(self.note_edit)
        reason_layout.addWidget(self.errors.add("note", self.note_edit))
        reason_layout.addWidget(self.save_not_given)
        self.reason_box.setVisible(False)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(420)
        card.setMaximumWidth(560)
        side = QVBoxLayout(card)
        who = QHBoxLayout()
        who.addWidget(self.avatar)
        who.addWidget(self.resident_label, 1)
        side.addLayout(who)
        side.addWidget(self.chips)
        side.addWidget(self.review_label)
        side.addWidget(self.medicine_label)
        side.addWidget(self.detail_label)
        side.addWidget(self.quantity_label)
        side.addWidget(self.quantity_spin)
        side.addWidget(self.errors.add("quantity", self.quantity_spin))
        side.addWidget(self.patch_edit)
        side.addWidget(self.errors.add("patch_site", self.patch_edit))
        side.addWidget(self.given_button)
        others = QHBoxLayout()
        others.addWidget(self.refused_button)
        others.addWidget(self.not_given_button)
        side.addLayout(others)
        side.addWidget(self.reason_box)
        side.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(self.unit_combo)
        top.addWidget(self.show_done)
        top.addStretch(1)
        top.addWidget(self.summary_label)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.list_stack, 1)
        body = QHBoxLayout(self)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(left, 3)
        body.addWidget(card, 2)
        self._chosen(QModelIndex(), QModelIndex())

    # --- loading ---------------------------------------------------------------------------

    def set_units(self, residents: list[ResidentSummary]) -> None:
        units = sorted({(r.unit_name, r.unit_id) for r in residents if r.unit_id})
        if self.unit_combo.count() - 1 == len(units):
            return
        self.unit_combo.blockSignals(True)
        for name, unit_id in units:
            self.unit_combo.addItem(name, unit_id)
        self.unit_combo.blockSignals(False)

    def refresh(self) -> None:
        services = self._ui.services
        unit = str(self.unit_combo.currentData() or "") or None
        rounds = services.medication.round

        def load() -> tuple[list[RoundItem], bool, list[ResidentSummary]]:
            return (
                rounds.round(unit),
                rounds.witness_required(),
                services.residents.list_residents(),
            )

        self._ui.runner.run(load, self._loaded)

    def _loaded(self, result: tuple[list[RoundItem], bool, list[ResidentSummary]]) -> None:
        self.items, self.witness_required, residents = result
        self.set_units(residents)
        self._show_items()

    def _show_items(self) -> None:
        chosen = self.selected()
        shown = [i for i in self.items if self.show_done.isChecked() or i.status != "done"]
        self.model.set_rows(shown)
        self.list_stack.setCurrentWidget(self.table if shown else self.empty_label)
        waiting = [i for i in self.items if i.status in ("due", "overdue")]
        overdue = sum(1 for i in waiting if i.status == "overdue")
        self.summary_label.setText(round_summary(len(waiting), overdue))
        row = self.model.row_of(chosen.slot_id) if chosen else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._chosen(self.table.currentIndex(), QModelIndex())

    def reset(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.note_edit.clear()
        self.patch_edit.clear()
        self._chosen(QModelIndex(), QModelIndex())

    # --- the dose chosen ---------------------------------------------------------------------

    def selected(self) -> RoundItem | None:
        item = self.table.currentIndex().data(ROW_ROLE)
        return item if isinstance(item, RoundItem) else None

    def choose(self, row: int) -> None:
        """Tap a dose (tests and the keyboard use this too)."""
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ROW_ROLE) if current.isValid() else None
        self.errors.clear()
        self.not_given_button.setChecked(False)
        open_dose = isinstance(item, RoundItem) and item.status != "done"
        for widget in (self.given_button, self.refused_button, self.not_given_button):
            widget.setVisible(open_dose)
        if not isinstance(item, RoundItem):
            self.avatar.clear()
            self.resident_label.setText("Choose a dose")
            self.chips.set_chips(())
            hidden: tuple[QWidget, ...] = (
                self.review_label,
                self.quantity_label,
                self.quantity_spin,
                self.patch_edit,
            )
            for hide in hidden:
                hide.setVisible(False)
            self.medicine_label.setText("")
            self.detail_label.setText("Tap a dose on the left, then Given.")
            return
        resident = item.resident
        self.avatar.setPixmap(avatar_pixmap(resident.initials, resident.resident_id, 56))
        self.resident_label.setText(f"{resident.name} · room {resident.room}")
        kind = (
            "danger"
            if resident.allergies.startswith("Allergy")
            else ("warning" if resident.allergies.startswith("Allergies not") else "info")
        )
        self.chips.set_chips(((resident.allergies, kind),))
        self.review_label.setVisible(bool(item.reviews))
        self.review_label.setText("Under review: " + " ".join(item.reviews))
        self.medicine_label.setText(f"{item.medicine}: {item.dose}")
        details = [f"Due {item.due_local} · {item.form}, {item.route}"]
        if item.time_critical:
            details.append("Time-critical: give within 30 minutes of the time.")
        if item.controlled_drug:
            details.append("Controlled drug: a witness confirms, and the register is updated.")
        if item.covert:
            details.append("Covert administration is authorised (see the care plan).")
        if item.instructions:
            details.append(item.instructions)
        if item.recorded:
            details.append(item.recorded)
        self.detail_label.setText("\n".join(details))
        variable = item.variable_dose
        self.quantity_label.setVisible(open_dose and variable is not None)
        self.quantity_spin.setVisible(open_dose and variable is not None)
        if variable is not None:
            self.quantity_spin.setRange(variable[0], variable[1])
            self.quantity_spin.setValue(variable[0])
        self.patch_edit.setVisible(open_dose and item.form == "patch")

    def _show_reasons(self, on: bool) -> None:
        self.reason_box.setVisible(on)
        if not on:
            self.reasons.clear()

    # --- recording ---------------------------------------------------------------------------

    def record(self, outcome: str) -> None:
        item = self.selected()
        if item is None or not self.given_button.isEnabled():
            return
        witness: VerifiedWitness | None = None
        if outcome == "given" and (item.controlled_drug or self.witness_required):
            witness = WitnessDialog.ask(
                self._ui,
                f"{item.medicine} ({item.dose}) for {item.resident.name}, due {item.due_local}.",
                self,
            )
            if witness is None:
                return
        reason = None
        if outcome == "omitted":
            labels = {label: code for code, label in REASON_LABELS.items()}
            picked = self.reasons.selected()
            reason = labels.get(picked[0]) if picked else None
        quantity = self.quantity_spin.value() if item.variable_dose is not None else None
        note, patch = self.note_edit.text(), self.patch_edit.text()
        rounds = self._ui.services.medication.round
        self.errors.clear()
        self._set_busy(True)
        self._ui.runner.run(
            lambda: rounds.record_dose(
                item,
                outcome,
                reason_code=reason,
                note=note,
                quantity=quantity,
                patch_site=patch,
                witness=witness,
            ),
            lambda _id: self._recorded(item, outcome),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _set_busy(self, busy: bool) -> None:
        for button in (self.given_button, self.refused_button, self.save_not_given):
            button.setEnabled(not busy)

    def _recorded(self, item: RoundItem, outcome: str) -> None:
        self._set_busy(False)
        self.note_edit.clear()
        self.patch_edit.clear()
        word = {"given": "Given", "refused": "Refused"}.get(outcome, "Not given")
        self._ui.notify(f"{word}: {item.medicine} for {item.resident.name} ({item.due_local}).")
        self.refresh()

    def _failed(self, error: WcnError) -> None:
        self._set_busy(False)
        field = getattr(error, "field", None)
        if (
            isinstance(field, str)
            and field in ("reason_code", "note")
            and not self.reason_box.isVisible()
        ):
            self.not_given_button.setChecked(True)
        self.errors.show(field if isinstance(field, str) else None, error.message)
        if isinstance(error, WcnError) and error.code == "already_recorded":
            self.refresh()


_ = Qt


def round_summary(waiting: int, overdue: int) -> str:
    """ "5 to give, 3 of them overdue": the doses waiting, overdue ones among them."""
    if not waiting:
        return "Nothing to give now"
    text = f"{waiting} to give"
    return f"{text}, {overdue} of them overdue" if overdue else text
