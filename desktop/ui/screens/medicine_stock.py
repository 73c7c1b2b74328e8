"""Medicine stock (seniors): a delivery from the pharmacy, a count, waste or a return for one
of a resident's medicines, and the home's low-stock warnings (less than a week left, in time to
order before the monthly cycle). Controlled drugs are counted in their register instead."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
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

from desktop.services.medication.controlled import LOW_STOCK_DAYS, LowStock
from desktop.services.medication.prescriptions import MedicationList
from desktop.ui.context import UiContext
from desktop.ui.models.medication_panels import LowStockModel
from desktop.ui.screens.medication_widgets import table
from desktop.ui.screens.resident_picker import ResidentPicker
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH
from shared.errors import WcnError

KINDS = {
    "Received": "receipt",
    "Counted": "count",
    "Wasted": "waste",
    "Returned": "return",
}
NO_LOW_STOCK = f"Every medicine has at least {LOW_STOCK_DAYS} days' stock."


class StockPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.low_model = LowStockModel(self)
        self.picker = ResidentPicker(ui, self.load_medicines)
        self.medicine_combo = QComboBox()
        self.medicine_combo.setAccessibleName("Medicine")
        self.kind = ChoiceButtons(tuple(KINDS), columns=4)
        self.quantity_spin = QDoubleSpinBox()
        self.quantity_spin.setAccessibleName("Quantity")
        self.quantity_spin.setDecimals(1)
        self.quantity_spin.setMinimumSize(TOUCH_WIDTH, TOUCH_HEIGHT)
        self.quantity_spin.setRange(0, 100000)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Note (needed for waste or a return: why)")
        self.save_button = QPushButton("Record stock")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.record)
        self.form = QFrame()
        self.form.setObjectName("Card")
        form = QVBoxLayout(self.form)
        heading = QLabel("Record stock")
        set_role(heading, "heading")
        form.addWidget(heading)
        form.addWidget(self.picker)
        form.addWidget(self.medicine_combo)
        form.addWidget(self.errors.add("prescription", self.medicine_combo))
        form.addWidget(self.kind)
        form.addWidget(self.errors.add("kind", self.kind))
        row = QHBoxLayout()
        row.addWidget(QLabel("Quantity (units)"))
        row.addWidget(self.quantity_spin)
        row.addWidget(self.note_edit, 1)
        form.addLayout(row)
        form.addWidget(self.errors.add("quantity", self.quantity_spin))
        form.addWidget(self.errors.add("note", self.note_edit))
        form.addWidget(self.save_button)
        self.senior_only = QLabel("Only a senior carer, nurse or manager records stock.")
        set_role(self.senior_only, "hint")

        self.low_table = table(self.low_model, "Medicines running low", stretch=1)
        self.low_empty = QLabel(NO_LOW_STOCK)
        set_role(self.low_empty, "empty")
        self.low_stack = QStackedWidget()
        self.low_stack.addWidget(self.low_table)
        self.low_stack.addWidget(self.low_empty)
        low_heading = QLabel(f"Running low: less than {LOW_STOCK_DAYS} days left (order now)")
        set_role(low_heading, "heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(self.senior_only)
        layout.addWidget(low_heading)
        layout.addWidget(self.low_stack, 1)

    def refresh(self) -> None:
        senior = self._ui.may_write("stock_event")
        self.form.setVisible(senior)
        self.senior_only.setVisible(not senior)
        if senior:
            self.picker.refresh()
        self.load_low_stock()

    def load_low_stock(self) -> None:
        controlled = self._ui.services.medication.controlled
        self._ui.runner.run(controlled.low_stock, self._show_low)

    def _show_low(self, low: list[LowStock]) -> None:
        self.low_model.set_rows(low)
        self.low_stack.setCurrentWidget(self.low_table if low else self.low_empty)

    def load_medicines(self, resident_id: str) -> None:
        prescriptions = self._ui.services.medication.prescriptions
        self._ui.runner.run(
            lambda: prescriptions.medication_list(resident_id), self._show_medicines
        )

    def _show_medicines(self, listing: MedicationList) -> None:
        current = self.medicine_combo.currentData()
        self.medicine_combo.clear()
        for line in listing.lines:
            if line.controlled_drug:
                continue  # counted in the CD register, with a witness
            stock = "no stock recorded" if line.stock is None else f"{line.stock:g} in stock"
            self.medicine_combo.addItem(f"{line.medicine} ({stock})", line.prescription_id)
        self.medicine_combo.setCurrentIndex(max(0, self.medicine_combo.findData(current)))

    def choose_medicine(self, name: str) -> None:
        for index in range(self.medicine_combo.count()):
            if self.medicine_combo.itemText(index).startswith(name):
                self.medicine_combo.setCurrentIndex(index)
                return

    def record(self) -> None:
        self.errors.clear()
        prescription_id = str(self.medicine_combo.currentData() or "")
        if not prescription_id:
            self.errors.show("prescription", "Choose the medicine.")
            return
        picked = self.kind.selected()
        if not picked:
            self.errors.show("kind", "Choose what happened: received, counted, wasted or returned.")
            return
        kind, quantity, note = KINDS[picked[0]], self.quantity_spin.value(), self.note_edit.text()
        controlled = self._ui.services.medication.controlled
        self.save_button.setEnabled(False)
        name = self.medicine_combo.currentText().split(" (")[0]
        self._ui.runner.run(
            lambda: controlled.record_stock(prescription_id, kind, quantity, note=note),
            lambda _id: self._recorded(name, picked[0], quantity),
            on_failure=self._failed,
            changes=("medication",),
        )

    def _recorded(self, name: str, what: str, quantity: float) -> None:
        self.save_button.setEnabled(True)
        self.note_edit.clear()
        self.quantity_spin.setValue(0)
        self.kind.clear()
        self._ui.notify(f"Stock recorded: {name}, {what.lower()} {quantity:g}.")
        self.load_medicines(self.picker.resident_id())
        self.load_low_stock()

    def _failed(self, error: WcnError) -> None:
        self.save_button.setEnabled(True)
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else None, error.message)
