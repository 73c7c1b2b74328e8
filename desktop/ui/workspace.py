"""The main window's screens, each built the first time it is wanted: the sign-in screen shows
without importing or building any of the workspace (issue 5: they were most of the start-up
time). Each builder imports its screen, makes it, connects its signals to the window and adds it
to the window's page stack; the window keeps it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.screens.enrolment import EnrolmentScreen
    from desktop.ui.screens.handover import HandoverScreen
    from desktop.ui.screens.medication import MedicationScreen
    from desktop.ui.screens.resident_care import ResidentCareScreen
    from desktop.ui.screens.resident_record import ResidentRecordScreen
    from desktop.ui.screens.residents import ResidentsScreen
    from desktop.ui.screens.review_queue import ReviewQueueScreen
    from desktop.ui.screens.reviews_due import ReviewsDueScreen


class WorkspaceScreen(Protocol):
    """What the window asks of every screen of the workspace."""

    def refresh(self) -> None: ...

    def reset(self) -> None: ...


def _on_escape(screen: QWidget, go_back: Callable[[], None]) -> None:
    """Escape anywhere in ``screen`` goes back a step."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), screen)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(go_back)


def enrolment(window: MainWindow) -> EnrolmentScreen:
    from desktop.ui.screens.enrolment import EnrolmentScreen

    screen = EnrolmentScreen(window.ui)
    screen.enrolled.connect(window.enrolled)
    window.pages.addWidget(screen)
    return screen


def residents(window: MainWindow) -> ResidentsScreen:
    from desktop.ui.screens.residents import ResidentsScreen

    screen = ResidentsScreen(window.ui)
    screen.resident_opened.connect(window.open_resident)
    window.workspace.addWidget(screen)
    return screen


def record(window: MainWindow) -> ResidentRecordScreen:
    from desktop.ui.screens.resident_record import ResidentRecordScreen

    screen = ResidentRecordScreen(window.ui)
    screen.closed.connect(window.show_residents)
    screen.care_requested.connect(window.open_care)
    _on_escape(screen, window.show_residents)
    window.workspace.addWidget(screen)
    return screen


def reviews(window: MainWindow) -> ReviewQueueScreen:
    from desktop.ui.screens.review_queue import ReviewQueueScreen

    screen = ReviewQueueScreen(window.ui)
    screen.count_changed.connect(window.top_bar.set_review_count)
    window.workspace.addWidget(screen)
    return screen


def care(window: MainWindow) -> ResidentCareScreen:
    from desktop.ui.screens.resident_care import ResidentCareScreen

    screen = ResidentCareScreen(window.ui)  # care planning (issue 7)
    screen.closed.connect(window.open_resident)
    _on_escape(screen, lambda: window.open_resident(screen.resident_id))
    window.workspace.addWidget(screen)
    return screen


def due(window: MainWindow) -> ReviewsDueScreen:
    from desktop.ui.screens.reviews_due import ReviewsDueScreen

    screen = ReviewsDueScreen(window.ui)
    screen.item_opened.connect(window.open_due_item)
    window.workspace.addWidget(screen)
    return screen


def medication(window: MainWindow) -> MedicationScreen:
    from desktop.ui.screens.medication import MedicationScreen

    screen = MedicationScreen(window.ui)  # eMAR (issue 6)
    window.workspace.addWidget(screen)
    return screen


def handover(window: MainWindow) -> HandoverScreen:
    from desktop.ui.screens.handover import HandoverScreen

    screen = HandoverScreen(window.ui)  # shift handover (issue 5)
    window.workspace.addWidget(screen)
    return screen
