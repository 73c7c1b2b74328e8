"""Giving a when-required (PRN) medicine: the resident's PRN medicines with when each was last
given (by any PC), how much in the last 24 hours and when the next is allowed; the reason and
the amount; a dose too soon or over the maximum is refused, and only a senior can give it
anyway with a reason (kept on the dose and raised for review). Below, the doses waiting for
their "did it work?" follow-up."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.prn import PrnGiven, PrnOption
from desktop.services.session import VerifiedWitness
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.models.medication_panels import FollowUpModel, PrnOptionModel
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.screens.medication_widgets import OverrideBox, table
from desktop.ui.screens.resident_picker import ResidentPicker
from desktop.ui.screens.witness_dialog import WitnessDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH
from shared.errors import WcnError

EMPTY = "This resident has no when-required (PRN) medicines."
EFFECT_LABELS = {
    "Worked": "effective",
    "Partly worked": "partly_effective",
    "Did not work": "not_effective",
}


class PrnPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.model = PrnOptionModel(self)
        self.follow_model = FollowUpModel(self)
        self.picker = ResidentPicker(ui, self.load)

        self.table = table(self.model, "When-required medicines", stretch=0)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        self.empty_label = QLabel(EMPTY)
        set_role(self.empty_label, "empty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        self.medicine_label = QLabel("Choose a medicine")
        set_role(self.medicine_label, "heading")
        self.medicine_label.setWordWrap(True)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why it is needed")
        self.reason_edit.setPlaceholderText("Why it is needed, e.g. 'pain in left hip, 6/10'")
        self.quantity_spin = QDoubleSpinBox()
        self.quantity_spin.setAccessibleName("Amount given")
        self.quantity_spin.setDecimals(1)
        self.quantity_spin.setMinimumSize(TOUCH_WIDTH, TOUCH_HEIGHT)
        self.quantity_spin.setRange(0, 1000)
        self.give_button = QPushButton("Give ✓")
        set_role(self.give_button, "primary")
        self.give_button.clicked.connect(lambda: self.give(""))
        self.override = OverrideBox(self.errors, self._give_anyway)

        card = QFrame()
        card.setObjectName("Card")
        card.setMinimumWidth(380)
        card.setMaximumWidth(520)
        side = QVBoxLayout(card)
        side.addWidget(self.medicine_label)
        side.addWidget(self.detail_label)
        side.addWidget(QLabel("Why it is needed"))
        side.addWidget(self.reason_edit)
        side.addWidget(self.errors.add("prn_reason", self.reason_edit))
        side.addWidget(QLabel("Amount given"))
        side.addWidget(self.quantity_spin)
        side.addWidget(self.errors.add("quantity", self.quantity_spin))
        side.addWidget(self.give_button)
        side.addWidget(self.override)
        side.addStretch(1)

        # The follow-up of doses already given.
        self.follow_table = table(self.follow_model, "Doses waiting for a follow-up")
        self.follow_table.setMaximumHeight(170)
        self.effect = ChoiceButtons(tuple(EFFECT_LABELS), columns=3)
        self.follow_note = QLineEdit()
        self.follow_note.setAccessibleName("Follow-up note")
        self.follow_note.setPlaceholderText("What you saw, e.g. 'settled, pain 2/10'")
        self.follow_button = QPushButton("Save follow-up")
        self.follow_button.clicked.connect(self.follow_up)
        self.follow_label = QLabel("Did it work? Doses of the last 24 hours not followed up yet")
        set_role(self.follow_label, "heading")

        left = QVBoxLayout()
        left.addWidget(self.picker)
        left.addWidget(self.list_stack, 1)
        left.addWidget(self.follow_label)
        left.addWidget(self.follow_table)
        left.addWidget(self.effect)
        left.addWidget(self.errors.add("effectiveness", self.effect))
        row = QHBoxLayout()
        row.addWidget(self.follow_note, 1)
        row.addWidget(self.follow_button)
        left.addLayout(row)
        body = QHBoxLayout(self)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(left, 3)
        body.addWidget(card, 2)
        self._chosen(QModelIndex(), QModelIndex())

    def refresh(self) -> None:
        self.picker.refresh()

    def load(self, resident_id: str) -> None:
        prn = self._ui.services.medication.prn

        def fetch() -> tuple[list[PrnOption], list[PrnGiven]]:
            return prn.options(resident_id), prn.awaiting_follow_up(resident_id)

        self._ui.runner.run(fetch, self._show)

    def _show(self, found: tuple[list[PrnOption], list[PrnGiven]]) -> None:
        options, waiting = found
        chosen = self.selected()
        self.model.set_rows(options)
        self.list_stack.setCurrentWidget(self.table if options else self.empty_label)
        row = self.model.row_of(chosen.prescription_id) if chosen else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
            self._describe(self.model.rows[row])  # the same medicine: keep what is typed
        else:
            self.table.setCurrentIndex(QModelIndex())
            self._chosen(QModelIndex(), QModelIndex())
        self.follow_model.set_rows(waiting)
        for widget in (self.follow_label, self.follow_table, self.effect, self.follow_note):
            widget.setVisible(bool(waiting))
        self.follow_button.setVisible(bool(waiting))

    def selected(self) -> PrnOption | None:
        option = self.table.currentIndex().data(ROW_ROLE)
        return option if isinstance(option, PrnOption) else None

    def choose(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        option = current.data(ROW_ROLE) if current.isValid() else None
        self.errors.clear()
        self.override.close_box()
        ready = isinstance(option, PrnOption)
        for widget in (self.reason_edit, self.quantity_spin, self.give_button):
            widget.setEnabled(ready)
        if not isinstance(option, PrnOption):
            self.medicine_label.setText("Choose a medicine")
            self.detail_label.setText(self.picker.allergies)
            return
        self._describe(option)
        low, high = option.dose_range or (0.0, 1000.0)
        self.quantity_spin.setRange(low, high)
        self.quantity_spin.setSuffix(f" {option.unit}" if option.unit else "")
        self.quantity_spin.setValue(option.quantity)

    def _describe(self, option: PrnOption) -> None:
        self.medicine_label.setText(f"{option.medicine}: {option.dose}")
        lines = [self.picker.allergies, option.limits]
        if option.last_given:
            lines.append(f"Last given {when(option.last_given)}")
        lines.append(f"{option.given_24h:g} given in the last 24 hours")
        lines.append(
            f"Next allowed {when(option.next_allowed)}" if option.next_allowed else "Allowed now"
        )
        if option.controlled_drug:
            lines.append("Controlled drug: a witness confirms, and the register is updated.")
        self.detail_label.setText("\n".join(line for line in lines if line))

    # --- giving ------------------------------------------------------------------------------

    def _give_anyway(self) -> None:
        if not self.override.reason_edit.text().strip():
            self.errors.show("override_reason", "Say why it is given anyway, and who agreed to it.")
            return
        self.give(self.override.reason_edit.text())

    def give(self, override_reason: str) -> None:
        option = self.selected()
        if option is None or not self.give_button.isEnabled():
            return
        witness: VerifiedWitness | None = None
        if option.controlled_drug:
            resident = self.picker.name
            witness = WitnessDialog.ask(
                self._ui,
                f"{option.medicine} ({self.quantity_spin.value():g}) for {resident}, when "
                "required.",
                self,
            )
            if witness is None:
                return
        prn, reason, amount = (
            self._ui.services.medication.prn,
            self.reason_edit.text(),
            self.quantity_spin.value(),
        )
        self.errors.clear()
        self.give_button.setEnabled(False)
        self._ui.runner.run(
            lambda: prn.record_prn(
                option.prescription_id,
                reason,
                quantity=amount,
                override_reason=override_reason,
                witness=witness,
            ),
            lambda _id: self._given(option, amount),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _given(self, option: PrnOption, amount: float) -> None:
        self.give_button.setEnabled(True)
        self.reason_edit.clear()
        self.override.close_box()
        self._ui.notify(
            f"Given: {option.medicine} × {amount:g} for {self.picker.name}. Check in 30 to 60 "
            "minutes whether it worked."
        )
        self.load(self.picker.resident_id())

    def _failed(self, error: WcnError) -> None:
        self.give_button.setEnabled(True)
        if error.code == "prn_limit":
            messages = list(getattr(error, "messages", [error.message]))
            role = self._ui.user.role if self._ui.user else ""
            self.override.show_problems(messages, role)
            return
        if error.code == "not_allowed" and self.override.isVisible():
            self.override.problems_label.setText(error.message)
            return
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)

    # --- the follow-up -----------------------------------------------------------------------

    def follow_up(self) -> None:
        given = self.follow_table.currentIndex().data(ROW_ROLE)
        if not isinstance(given, PrnGiven):
            if self.follow_model.rowCount() == 0:
                return
            self.follow_table.setCurrentIndex(self.follow_model.index(0, 0))
            given = self.follow_model.rows[0]
        picked = self.effect.selected()
        effect = EFFECT_LABELS.get(picked[0], "") if picked else ""
        prn, note = self._ui.services.medication.prn, self.follow_note.text()
        self.errors.clear()
        self._ui.runner.run(
            lambda: prn.record_follow_up(given.administration_id, effect, note),
            lambda _id: self._followed(given),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _followed(self, given: PrnGiven) -> None:
        self.effect.clear()
        self.follow_note.clear()
        self._ui.notify(f"Follow-up saved: {given.medicine} given {when(given.given_at)}.")
        self.load(self.picker.resident_id())

    def reset(self) -> None:
        self.reason_edit.clear()
        self.follow_note.clear()
        self.override.close_box()
