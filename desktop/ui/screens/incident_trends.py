"""Incident trends in the incidents tab: one resident's, or (for seniors and managers) the whole
home's or one unit's, as a table of months by kind of incident with the falls summaries below,
loaded off the GUI thread, and a helpful sentence when nothing has been recorded yet."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.incident_trends import IncidentTrends
from desktop.ui.context import UiContext
from desktop.ui.models.incident_trends import IncidentTrendsModel
from desktop.ui.theme import set_role
from desktop.ui.widgets.touch import TOUCH_HEIGHT, enable_touch_scrolling

NOTHING_YET = (
    "No incidents recorded in the last 12 months. Incidents reported in a resident's "
    "Incidents tab are counted here by month and kind."
)
WHOLE_HOME = "Whole home"


class IncidentTrendsView(QWidget):
    closed = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""  # empty: the home's (or a unit's) trends
        self.trends: IncidentTrends | None = None
        self._units_loaded = False
        self.back_button = QPushButton("Back to incidents")
        self.back_button.setMinimumHeight(TOUCH_HEIGHT)
        self.back_button.clicked.connect(self.closed)
        self.title_label = QLabel("Incident trends")
        set_role(self.title_label, "heading")
        self.unit_choice = QComboBox()
        self.unit_choice.setAccessibleName("Unit")
        self.unit_choice.setMinimumHeight(TOUCH_HEIGHT)
        self.unit_choice.addItem(WHOLE_HOME, None)
        self.unit_choice.activated.connect(lambda _i: self.load())
        self.empty_label = QLabel(NOTHING_YET)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.empty_label, "empty")
        self.empty_label.setVisible(False)
        self.model = IncidentTrendsModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Incidents a month by kind, newest month first")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        enable_touch_scrolling(self.table)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.unit_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)

    # --- opening ---------------------------------------------------------------------------

    def show_resident(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self._show(None)
        self.resident_id = resident_id
        self.unit_choice.setVisible(False)
        self.load()

    def show_home(self) -> None:
        if self.resident_id:
            self._show(None)
        self.resident_id = ""
        self.unit_choice.setVisible(True)
        if not self._units_loaded:
            self._ui.runner.run(self._ui.services.incident_trends.units, self._show_units)
        self.load()

    def load(self) -> None:
        service, resident_id = self._ui.services.incident_trends, self.resident_id
        unit_id = self.unit_choice.currentData()
        if resident_id:
            self._ui.runner.run(
                lambda: service.for_resident(resident_id),
                lambda t: self._loaded(resident_id, None, t),
            )
        else:
            self._ui.runner.run(
                lambda: service.for_home(unit_id), lambda t: self._loaded("", unit_id, t)
            )

    # --- showing ---------------------------------------------------------------------------

    def _show_units(self, units: list[tuple[str, str]]) -> None:
        self._units_loaded = True
        for unit_id, name in units:
            self.unit_choice.addItem(name, unit_id)

    def _loaded(self, resident_id: str, unit_id: str | None, trends: IncidentTrends) -> None:
        if resident_id != self.resident_id:
            return
        if not resident_id and unit_id != self.unit_choice.currentData():
            return
        self._show(trends)

    def _show(self, trends: IncidentTrends | None) -> None:
        self.trends = trends
        self.model.set_trends(trends)
        if trends is None:
            self.title_label.setText("Incident trends")
            self.summary_label.clear()
            self.empty_label.setVisible(False)
            return
        whose = "this resident" if trends.scope == "resident" else trends.title
        self.title_label.setText(f"Incident trends: {whose}")
        self.empty_label.setVisible(trends.empty)
        self.table.setVisible(not trends.empty)
        self.summary_label.setVisible(not trends.empty)
        self.summary_label.setText("\n".join(trends.summary_lines()))
