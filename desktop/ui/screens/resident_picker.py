"""The resident chooser at the top of the medicines panels: the home's residents by name and
room, with the chosen one's allergy (when they have one) in red beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop.services.residents import ResidentSummary
from desktop.ui.context import UiContext
from desktop.ui.screens.medication_list import residents_combo


class ResidentPicker(QWidget):
    def __init__(
        self, ui: UiContext, on_chosen: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ui = ui
        self._on_chosen = on_chosen
        self.residents: dict[str, ResidentSummary] = {}
        self.combo = QComboBox()
        self.combo.setAccessibleName("Resident")
        self.combo.currentIndexChanged.connect(lambda _i: self._chosen())
        self.allergy_label = QLabel()
        self.allergy_label.setStyleSheet("color: #b00020; font-weight: bold;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.allergy_label)

    def refresh(self) -> None:
        self._ui.runner.run(self._ui.services.residents.list_residents, self._show)

    def _show(self, residents: list[ResidentSummary]) -> None:
        self.residents = {r.resident_id: r for r in residents}
        residents_combo(self.combo, residents)
        self._chosen()

    def resident_id(self) -> str:
        return str(self.combo.currentData() or "")

    def choose(self, resident_id: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(resident_id)))

    @property
    def name(self) -> str:
        chosen = self.residents.get(self.resident_id())
        return chosen.display_name if chosen else ""

    @property
    def allergies(self) -> str:
        chosen = self.residents.get(self.resident_id())
        alerts = chosen.alerts if chosen else ()
        return next((a for a in alerts if a.startswith("Allergy")), "")

    def _chosen(self) -> None:
        self.allergy_label.setText(self.allergies)
        resident_id = self.resident_id()
        if resident_id:
            self._on_chosen(resident_id)
