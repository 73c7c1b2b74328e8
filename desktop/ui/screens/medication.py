"""The Medicines page: the round, a resident's medicines, and the controlled-drug register,
one tab each."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from desktop.ui.context import UiContext
from desktop.ui.screens.cd_register import CdRegisterPanel
from desktop.ui.screens.medication_list import MedicinesPanel
from desktop.ui.screens.medication_round import RoundPanel
from desktop.ui.theme import set_role


class MedicationScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        title = QLabel("Medicines")
        set_role(title, "title")
        self.round = RoundPanel(ui)
        self.medicines = MedicinesPanel(ui)
        self.register = CdRegisterPanel(ui)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.round, "&Round")
        self.tabs.addTab(self.medicines, "Medicines &list")
        self.tabs.addTab(self.register, "&CD register")
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        current = self.tabs.currentWidget()
        if current is self.round:
            self.round.refresh()
        elif current is self.medicines:
            self.medicines.refresh()
        else:
            self.register.refresh()

    def reset(self) -> None:
        """Another person signed in: nothing chosen, nothing half-typed."""
        self.round.reset()
        self.tabs.setCurrentWidget(self.round)
