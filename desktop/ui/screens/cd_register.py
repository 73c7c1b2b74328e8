"""The controlled-drug register: a page per resident and medicine with its running balance,
lines that do not add up in red, a stock check counted with a witness, and receipts and
disposals (``cd_movements``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.medication.controlled import CdLine, CdPage, StockCheck
from desktop.services.residents import ResidentSummary
from desktop.ui.context import UiContext
from desktop.ui.models.medication import CdRegisterModel
from desktop.ui.screens.cd_movements import CdMovements
from desktop.ui.screens.medication_list import residents_combo
from desktop.ui.screens.witness_dialog import WitnessDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.touch import TOUCH_HEIGHT, TOUCH_WIDTH, enable_touch_scrolling


class CdRegisterPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.pages: list[CdPage] = []
        self.model = CdRegisterModel(ui.name_of, self)
        self.resident_combo = QComboBox()
        self.resident_combo.setAccessibleName("Resident")
        self.resident_combo.currentIndexChanged.connect(lambda _i: self.load_pages())
        self.page_combo = QComboBox()
        self.page_combo.setAccessibleName("Medicine")
        self.page_combo.currentIndexChanged.connect(lambda _i: self.load_register())
        self.balance_label = QLabel()
        set_role(self.balance_label, "heading")
        self.table = QTableView()
        self.table.setAccessibleName("Register entries, oldest first")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        enable_touch_scrolling(self.table)
        self.count_spin = QDoubleSpinBox()
        self.count_spin.setAccessibleName("Counted")
        self.count_spin.setRange(0, 100000)
        self.count_spin.setDecimals(1)
        self.count_spin.setMinimumSize(TOUCH_WIDTH, TOUCH_HEIGHT)
        self.check_button = QPushButton("Record stock check (with a witness)")
        self.check_button.clicked.connect(self.stock_check)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.movements = CdMovements(ui, self.page, self.load_pages)
        top = QHBoxLayout()
        top.addWidget(self.resident_combo, 1)
        top.addWidget(self.page_combo, 1)
        check = QHBoxLayout()
        check.addWidget(QLabel("Counted now"))
        check.addWidget(self.count_spin)
        check.addWidget(self.check_button)
        check.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.balance_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(check)
        layout.addWidget(self.result_label)
        layout.addWidget(self.movements)

    def refresh(self) -> None:
        self._ui.runner.run(self._ui.services.residents.list_residents, self._residents)

    def _residents(self, residents: list[ResidentSummary]) -> None:
        residents_combo(self.resident_combo, residents)
        self.load_pages()

    def load_pages(self) -> None:
        resident_id = str(self.resident_combo.currentData() or "")
        if resident_id:
            controlled = self._ui.services.medication.controlled
            self._ui.runner.run(lambda: controlled.pages(resident_id), self._show_pages)

    def _show_pages(self, pages: list[CdPage]) -> None:
        self.pages = pages
        current = self.page_combo.currentData()
        self.page_combo.blockSignals(True)
        self.page_combo.clear()
        for page in pages:
            self.page_combo.addItem(f"{page.medicine} {page.strength}".strip(), page.key)
        self.page_combo.setCurrentIndex(max(0, self.page_combo.findData(current)))
        self.page_combo.blockSignals(False)
        if not pages:
            self.model.set_rows([])
            self.balance_label.setText("This resident has no controlled drugs.")
        self.check_button.setEnabled(bool(pages))
        self.movements.setEnabled(bool(pages))
        self.load_register()

    def page(self) -> CdPage | None:
        key = self.page_combo.currentData()
        return next((p for p in self.pages if p.key == key), None)

    def load_register(self) -> None:
        page = self.page()
        if page is None:
            return
        controlled = self._ui.services.medication.controlled
        self._ui.runner.run(lambda: controlled.register(page.resident_id, page.key), self._show)

    def _show(self, lines: list[CdLine]) -> None:
        self.model.set_rows(lines)
        page = self.page()
        balance = lines[-1].balance if lines else 0.0
        problems = sum(1 for line in lines if line.mismatch)
        text = f"Balance: {balance:g}"
        if problems:
            text += f" · {problems} line(s) do not add up: count with a witness and report it"
        self.balance_label.setText(text if page else "")

    def stock_check(self) -> None:
        page = self.page()
        if page is None or page.prescription_id is None:
            return
        counted = self.count_spin.value()
        witness = WitnessDialog.ask(
            self._ui, f"Stock check of {page.medicine}: {counted:g} counted.", self
        )
        if witness is None:
            return
        controlled, pid = self._ui.services.medication.controlled, page.prescription_id
        self._ui.runner.run(
            lambda: controlled.check(pid, counted, witness=witness),
            self._checked,
            changes=("medication",),
        )

    def _checked(self, check: StockCheck) -> None:
        if abs(check.discrepancy) < 1e-9:
            self.result_label.setText(f"The count matches the register ({check.counted:g}).")
        else:
            self.result_label.setText(
                f"Discrepancy: the register says {check.expected:g}, {check.counted:g} counted "
                f"({check.discrepancy:+g}). Tell the manager; it is raised for review."
            )
        set_role(self.result_label, "warning" if abs(check.discrepancy) >= 1e-9 else "saved")
        self.load_register()
