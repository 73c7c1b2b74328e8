"""The side panel of a resident's record when no form is open: a tile per kind of note and for
observations, the care-planning buttons, and the "About" summary with the profile actions."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui.theme import set_role
from desktop.ui.widgets.profile_actions import ProfileActions
from desktop.ui.widgets.resident_banner import ProfileSummary

QUICK = (
    ("food_fluid", "&Food and fluid"),
    ("personal_care", "&Personal care"),
    ("repositioning", "&Repositioning"),
    ("continence", "&Continence"),
    ("sleep", "&Sleep / night check"),
    ("mood", "&Mood and wellbeing"),
    ("activity", "&Activity / social"),
    ("visit", "&Visit"),
    ("general", "Free &text"),
)
CARE = (  # tabs of the care planning screen (desktop/ui/screens/resident_care.py)
    ("care_plan", "Care p&lan"),
    ("assessments", "Assessme&nts"),
    ("incidents", "&Incident…"),
    ("capacity", "Capacit&y"),
    ("admission", "Admission assessment"),
)


class RecordActions(QWidget):
    note_requested = Signal(str)  # note category
    observations_requested = Signal()
    care_requested = Signal(str)  # care planning tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Record care")
        set_role(title, "heading")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.quick_buttons: dict[str, QPushButton] = {}
        for index, (category, label) in enumerate(QUICK):
            button = QPushButton(label)
            set_role(button, "tile")
            button.clicked.connect(lambda _c=False, c=category: self.note_requested.emit(c))
            grid.addWidget(button, index // 2, index % 2)
            self.quick_buttons[category] = button
        self.observations_button = QPushButton("O&bservations")
        self.observations_button.setToolTip(
            "Temperature, pulse, breathing, blood pressure, SpO2, NEWS2, blood glucose, weight "
            "and soft signs"
        )
        set_role(self.observations_button, "tile")
        self.observations_button.clicked.connect(self.observations_requested.emit)
        grid.addWidget(self.observations_button, len(QUICK) // 2, len(QUICK) % 2)
        layout.addLayout(grid)
        care = QGridLayout()
        for index, (tab, label) in enumerate(CARE):
            button = QPushButton(label)
            button.clicked.connect(lambda _c=False, t=tab: self.care_requested.emit(t))
            care.addWidget(button, index // 3, index % 3)
        layout.addLayout(care)
        about = QLabel("About")
        set_role(about, "heading")
        layout.addWidget(about)
        self.summary = ProfileSummary()
        layout.addWidget(self.summary)
        self.profile_actions = ProfileActions()
        layout.addWidget(self.profile_actions)
        layout.addStretch(1)
