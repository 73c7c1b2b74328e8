"""Food and fluid: what was eaten, how much was drunk (one tap for the usual cup sizes), and
the running 24-hour fluid total against the resident's target, with a low-intake warning."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.services.notes import FluidTotal
from desktop.ui.formatting import millilitres
from desktop.ui.screens.note_forms import NoteForm
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons

PRESETS_ML = (50, 100, 150, 200, 250)
EATEN = ("All", "Most", "About half", "A little", "None")
LOW_WARNING = "Low intake: under half the daily target. Offer drinks often; tell the senior."


def total_text(total: FluidTotal) -> str:
    if total.target_ml:
        return (
            f"Drunk in the last 24 hours: {millilitres(total.total_ml)} of "
            f"{millilitres(total.target_ml)} target"
        )
    return f"Drunk in the last 24 hours: {millilitres(total.total_ml)} (no target set)"


class FluidForm(NoteForm):
    def build_extra(self) -> None:
        self.total_label = QLabel("Drunk in the last 24 hours: …")
        self.total_label.setAccessibleName("Fluid total")
        self.total_label.setWordWrap(True)
        set_role(self.total_label, "heading")
        self.total_bar = QProgressBar()
        self.total_bar.setTextVisible(False)
        self.total_bar.setMaximumHeight(20)
        self.low_label = QLabel(LOW_WARNING)
        self.low_label.setWordWrap(True)
        set_role(self.low_label, "warning")
        self.low_label.setVisible(False)
        self.food_edit = QLineEdit()
        self.food_edit.setPlaceholderText("e.g. porridge and toast")
        self.food_edit.setAccessibleName("What was eaten")
        food_label = QLabel("&What was eaten")
        food_label.setBuddy(self.food_edit)
        self.eaten = ChoiceButtons(EATEN, columns=3)
        self.amount_spin = QSpinBox()
        self.amount_spin.setRange(0, 9999)
        self.amount_spin.setSingleStep(50)
        self.amount_spin.setSuffix(" ml")
        self.amount_spin.setSpecialValueText("No drink")
        self.amount_spin.setAccessibleName("Drink in millilitres")
        amount_label = QLabel("&Drink (tap a cup size, or type the amount)")
        amount_label.setWordWrap(True)
        amount_label.setBuddy(self.amount_spin)
        drinks = QGridLayout()
        drinks.setSpacing(6)
        self.preset_buttons: list[QPushButton] = []
        for index, amount in enumerate(PRESETS_ML):
            button = QPushButton(f"{amount} ml")
            button.setAccessibleName(f"{amount} millilitres")
            button.clicked.connect(lambda _checked=False, ml=amount: self.amount_spin.setValue(ml))
            drinks.addWidget(button, index // 3, index % 3)
            self.preset_buttons.append(button)
        drinks.addWidget(self.amount_spin, 1, 2)
        above: list[QWidget] = [self.total_label, self.total_bar, self.low_label, amount_label]
        for widget in above:
            self._layout.addWidget(widget)
        self._layout.addLayout(drinks)
        self._layout.addWidget(self.errors.add("fluid_ml", self.amount_spin))
        below: list[QWidget] = [
            food_label,
            self.food_edit,
            QLabel("How much was eaten"),
            self.eaten,
        ]
        for widget in below:
            self._layout.addWidget(widget)
        self.total: FluidTotal | None = None

    def start(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.total = None
            self.total_label.setText("Drunk in the last 24 hours: …")
            self.low_label.setVisible(False)
        super().start(resident_id)
        self.refresh_total()
        self.amount_spin.setFocus()

    def refresh_total(self) -> None:
        if not self.resident_id:
            return
        notes, resident = self._ui.services.notes, self.resident_id
        self._ui.runner.run(lambda: notes.fluid_total(resident), self.show_total)

    def show_total(self, total: FluidTotal) -> None:
        self.total = total
        self.total_label.setText(total_text(total))
        target = total.target_ml or max(total.total_ml, 1)
        self.total_bar.setRange(0, target)
        self.total_bar.setValue(min(total.total_ml, target))
        set_role(self.total_bar, "low" if total.low else "")
        self.low_label.setVisible(total.low)

    def reset(self) -> None:
        super().reset()
        self.food_edit.clear()
        self.eaten.clear()
        self.amount_spin.setValue(0)

    def is_dirty(self) -> bool:
        return bool(
            self.food_edit.text()
            or self.eaten.selected()
            or self.amount_spin.value()
            or self.text_edit.toPlainText()
        )

    def collect(self) -> tuple[str, dict[str, Any]]:
        details: dict[str, Any] = {}
        amount = self.amount_spin.value()
        if amount:
            details["fluid_ml"] = amount
        eaten = self.eaten.selected()
        food = self.food_edit.text().strip()
        parts = []
        if eaten:
            details["food"] = eaten[0].lower()
            parts.append(f"Ate {eaten[0].lower()}" + (f": {food}." if food else "."))
        elif food:
            details["food"] = food
            parts.append(f"{food[0].upper()}{food[1:]}.")
        if self.text_edit.toPlainText().strip():
            parts.append(self.text_edit.toPlainText().strip())
        return " ".join(parts), details

    def saved_text(self) -> str:
        return super().saved_text() + " The total above includes it."

    def _stored(self, record_id: str) -> None:
        super()._stored(record_id)
        self.refresh_total()
