"""The Medicines page, one tab each: the round, when-required (PRN) medicines, homely
remedies, a resident's medicines, stock, the controlled-drug register, the pharmacy MAR import
and the missed-doses report."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from desktop.ui.context import UiContext
from desktop.ui.screens.cd_register import CdRegisterPanel
from desktop.ui.screens.homely_remedy import HomelyRemedyPanel
from desktop.ui.screens.medication_list import MedicinesPanel
from desktop.ui.screens.medication_round import RoundPanel
from desktop.ui.screens.medicine_stock import StockPanel
from desktop.ui.screens.missed_doses import MissedDosesPanel
from desktop.ui.screens.pharmacy_import import PharmacyImportPanel
from desktop.ui.screens.prn_giving import PrnPanel
from desktop.ui.theme import set_role


class MedicationScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        title = QLabel("Medicines")
        set_role(title, "title")
        self.round = RoundPanel(ui)
        self.prn = PrnPanel(ui)
        self.remedies = HomelyRemedyPanel(ui)
        self.medicines = MedicinesPanel(ui)
        self.stock = StockPanel(ui)
        self.register = CdRegisterPanel(ui)
        self.imports = PharmacyImportPanel(ui)
        self.missed = MissedDosesPanel(ui)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        for panel, label in (
            (self.round, "&Round"),
            (self.prn, "&PRN"),
            (self.remedies, "&Homely remedies"),
            (self.medicines, "Medicines &list"),
            (self.stock, "&Stock"),
            (self.register, "&CD register"),
            (self.imports, "Pharmacy &import"),
            (self.missed, "&Missed doses"),
        ):
            self.tabs.addTab(panel, label)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        current = self.tabs.currentWidget()
        refresh = getattr(current, "refresh", None)
        if callable(refresh):
            refresh()

    def reset(self) -> None:
        """Another person signed in: nothing chosen, nothing half-typed."""
        self.round.reset()
        self.prn.reset()
        self.remedies.reset()
        self.tabs.setCurrentWidget(self.round)
