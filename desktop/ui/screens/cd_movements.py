"""Controlled drugs coming in and going out, on the register page shown: a receipt from the
pharmacy, and a disposal or return (with why), each signed by a witness on the same PC. The
register never goes below what it holds."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.controlled import CdPage
from desktop.services.session import VerifiedWitness
from desktop.ui.context import UiContext
from desktop.ui.screens.witness_dialog import WitnessDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH
from shared.errors import WcnError


class CdMovements(QFrame):
    def __init__(
        self,
        ui: UiContext,
        page: Callable[[], CdPage | None],
        recorded: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._ui = ui
        self._page = page
        self._recorded = recorded
        self.errors = FieldErrors()
        self.quantity_spin = QDoubleSpinBox()
        self.quantity_spin.setAccessibleName("Quantity in or out")
        self.quantity_spin.setDecimals(1)
        self.quantity_spin.setMinimumSize(TOUCH_WIDTH, TOUCH_HEIGHT)
        self.quantity_spin.setRange(0, 100000)
        self.party_edit = QLineEdit()
        self.party_edit.setAccessibleName("From or returned to")
        self.party_edit.setPlaceholderText("Pharmacy it came from, or was returned to")
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why it is disposed of")
        self.reason_edit.setPlaceholderText("For a disposal: why (dropped, expired, refused…)")
        self.receive_button = QPushButton("Record receipt (witness)…")
        self.receive_button.clicked.connect(self.receive)
        self.dispose_button = QPushButton("Record disposal or return (witness)…")
        set_role(self.dispose_button, "danger")
        self.dispose_button.clicked.connect(self.dispose)
        heading = QLabel("Stock in and out")
        set_role(heading, "heading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        row = QHBoxLayout()
        row.addWidget(QLabel("Quantity"))
        row.addWidget(self.quantity_spin)
        row.addWidget(self.party_edit, 1)
        layout.addLayout(row)
        layout.addWidget(self.errors.add("quantity", self.quantity_spin))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.errors.add("note", self.reason_edit))
        buttons = QHBoxLayout()
        buttons.addWidget(self.receive_button)
        buttons.addWidget(self.dispose_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _witness(self, what: str) -> tuple[CdPage, VerifiedWitness] | None:
        page = self._page()
        if page is None or page.prescription_id is None:
            return None
        witness = WitnessDialog.ask(self._ui, f"{what} of {page.medicine} {page.strength}.", self)
        return (page, witness) if witness is not None else None

    def receive(self) -> None:
        self.errors.clear()
        quantity, supplier = self.quantity_spin.value(), self.party_edit.text().strip()
        if quantity <= 0:
            self.errors.show("quantity", "Say how many came in (more than 0).")
            return
        chosen = self._witness(f"Receipt: {quantity:g}")
        if chosen is None:
            return
        (page, witness), controlled = chosen, self._ui.services.medication.controlled
        pid = str(page.prescription_id)
        self._ui.runner.run(
            lambda: controlled.receive(
                pid, quantity, witness=witness, supplier=supplier or "Pharmacy"
            ),
            lambda _id: self._done(f"Receipt recorded: {quantity:g} of {page.medicine}."),
            on_failure=self._failed,
            changes=("medication",),
        )

    def dispose(self) -> None:
        self.errors.clear()
        quantity, reason = self.quantity_spin.value(), self.reason_edit.text()
        returned_to = self.party_edit.text().strip()
        if quantity <= 0:
            self.errors.show("quantity", "Say how much is disposed of (more than 0).")
            return
        if not reason.strip():
            self.errors.show("note", "Say why (dropped, refused after preparing, expired…).")
            return
        word = "Return" if returned_to else "Disposal"
        chosen = self._witness(f"{word}: {quantity:g}")
        if chosen is None:
            return
        (page, witness), controlled = chosen, self._ui.services.medication.controlled
        pid = str(page.prescription_id)
        self._ui.runner.run(
            lambda: controlled.dispose(
                pid, quantity, witness=witness, reason=reason, returned_to=returned_to
            ),
            lambda _id: self._done(f"{word} recorded: {quantity:g} of {page.medicine}."),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _done(self, message: str) -> None:
        self.quantity_spin.setValue(0)
        self.party_edit.clear()
        self.reason_edit.clear()
        self._ui.notify(message)
        self._recorded()

    def _failed(self, error: WcnError) -> None:
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
