"""The main window: the top bar, the one message bar, the screens, and the sync status bar.
It decides which screen shows (enrolment, sign-in, the workspace), locks the PC after
inactivity, and refreshes the visible screen whenever an operation changed something.

Only the sign-in screen is built before it shows; every other screen is built (and its module
imported) the first time it is wanted, by ``desktop.ui.workspace`` (issue 5: cold start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.app import DesktopServices
from desktop.services.session import CurrentUser
from desktop.ui import workspace as build
from desktop.ui.context import Launch, UiContext, open_services
from desktop.ui.display_settings import DisplayControl
from desktop.ui.inactivity import InactivityWatcher
from desktop.ui.runner import OperationRunner
from desktop.ui.screens.sign_in import SignInScreen
from desktop.ui.sync_controller import SyncController
from desktop.ui.theme import Theme, set_role
from desktop.ui.widgets.message_bar import MessageBar
from desktop.ui.widgets.sync_bar import SyncBar
from desktop.ui.widgets.top_bar import TopBar
from shared.errors import WcnError

if TYPE_CHECKING:
    from desktop.ui.screens.enrolment import EnrolmentScreen
    from desktop.ui.screens.handover import HandoverScreen
    from desktop.ui.screens.medication import MedicationScreen
    from desktop.ui.screens.resident_care import ResidentCareScreen
    from desktop.ui.screens.resident_record import ResidentRecordScreen
    from desktop.ui.screens.residents import ResidentsScreen
    from desktop.ui.screens.review_queue import ReviewQueueScreen
    from desktop.ui.screens.reviews_due import ReviewsDueScreen

S = TypeVar("S", bound=build.WorkspaceScreen)
DRAFT_CLOSED = "{name}'s unsaved form was closed, because someone else signed in."


class MainWindow(QMainWindow):
    ready = Signal(bool)  # the store opened (or enrolment is needed): True; it cannot: False

    def __init__(self, launch: Launch, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("WriteCareNotes")
        self.resize(1280, 800)
        self.runner = OperationRunner("wcn-operations", self)
        self.ui = UiContext(launch, self.runner, theme)
        self.locked_user: CurrentUser | None = None
        self._closed = False
        self.open_error = ""

        self.top_bar = TopBar()
        self.message_bar = MessageBar()
        self.ui.notify = self.message_bar.show_info
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.sync_bar = SyncBar()
        self.sync = SyncController(self.ui, self.sync_bar, self)

        self.loading_label = QLabel("Opening the care records…")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.loading_label, "empty")
        self.sign_in = SignInScreen(self.ui)
        self.workspace = QStackedWidget()  # its screens are built when first wanted
        self._screens: list[build.WorkspaceScreen] = []  # the ones built so far
        self._enrolment: EnrolmentScreen | None = None
        self._residents: ResidentsScreen | None = None
        self._record: ResidentRecordScreen | None = None
        self._reviews: ReviewQueueScreen | None = None
        self._care: ResidentCareScreen | None = None
        self._due: ReviewsDueScreen | None = None
        self._medication: MedicationScreen | None = None
        self._handover: HandoverScreen | None = None
        self.pages = QStackedWidget()
        for page in (self.loading_label, self.sign_in, self.workspace):
            self.pages.addWidget(page)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.sync_bar)
        self.setCentralWidget(central)

        self.inactivity = InactivityWatcher(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.inactivity)
        self.display = DisplayControl(self.ui, launch.data_dir, self.top_bar.contrast_action)
        self._connect()
        self._shortcuts()

    def _connect(self) -> None:
        for runner in (self.runner, self.sync.runner):
            runner.failed.connect(self.show_error)
            runner.changed.connect(self.on_changed)
        self.runner.busy_changed.connect(self.busy_bar.setVisible)
        self.sign_in.signed_in.connect(self._signed_in)
        self.top_bar.due_chosen.connect(self.show_due)
        self.top_bar.medicines_chosen.connect(self.show_medication)
        self.top_bar.handover_chosen.connect(self.show_handover)
        self.inactivity.timed_out.connect(self.lock)
        bar = self.top_bar
        bar.residents_chosen.connect(self.show_residents)
        bar.reviews_chosen.connect(self.show_reviews)
        bar.lock_requested.connect(self.lock)
        bar.pin_requested.connect(self.set_pin)
        bar.bigger_text_requested.connect(self.display.bigger_text)
        bar.smaller_text_requested.connect(self.display.smaller_text)
        bar.high_contrast_toggled.connect(self.display.set_high_contrast)

    def _shortcuts(self) -> None:
        def add(keys: str, action: Callable[[], None]) -> None:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(action)

        add("Ctrl+L", self.lock)
        add("F5", self.sync.sync_now)
        add("Alt+1", self.show_residents)
        add("Alt+2", self.show_reviews)
        add("Alt+3", self.show_due)
        add("Alt+4", self.show_medication)
        add("Alt+5", self.show_handover)
        add("Ctrl+F", self.find_resident)
        add("Ctrl++", self.display.bigger_text)
        add("Ctrl+=", self.display.bigger_text)
        add("Ctrl+-", self.display.smaller_text)
        add("Ctrl+Shift+H", self.top_bar.contrast_action.toggle)

    # --- the screens, each built when first wanted -----------------------------------------

    def _add(self, screen: S) -> S:
        self._screens.append(screen)
        return screen

    @property
    def enrolment(self) -> EnrolmentScreen:
        if self._enrolment is None:
            self._enrolment = build.enrolment(self)
        return self._enrolment

    @property
    def residents(self) -> ResidentsScreen:
        if self._residents is None:
            self._residents = self._add(build.residents(self))
        return self._residents

    @property
    def record(self) -> ResidentRecordScreen:
        if self._record is None:
            self._record = self._add(build.record(self))
        return self._record

    @property
    def reviews(self) -> ReviewQueueScreen:
        """Built at sign-in: it counts the reviews shown in the top bar."""
        if self._reviews is None:
            self._reviews = self._add(build.reviews(self))
        return self._reviews

    @property
    def care(self) -> ResidentCareScreen:
        if self._care is None:
            self._care = self._add(build.care(self))
        return self._care

    @property
    def due(self) -> ReviewsDueScreen:
        if self._due is None:
            self._due = self._add(build.due(self))
        return self._due

    @property
    def medication(self) -> MedicationScreen:
        if self._medication is None:
            self._medication = self._add(build.medication(self))
        return self._medication

    @property
    def handover(self) -> HandoverScreen:
        if self._handover is None:
            self._handover = self._add(build.handover(self))
        return self._handover

    def _drafts_open(self) -> bool:
        """Whether a screen built so far holds something half-typed."""
        return any(
            screen is not None and screen.is_dirty()
            for screen in (self._record, self._care, self._residents)
        )

    # --- opening ---------------------------------------------------------------------------

    def start(self) -> None:
        self.pages.setCurrentWidget(self.loading_label)
        launch = self.ui.launch
        self.runner.run(lambda: open_services(launch), self._opened, on_failure=self._not_opened)

    def _opened(self, services: DesktopServices | None) -> None:
        if services is None:
            self.pages.setCurrentWidget(self.enrolment)
            self.sync_bar.show_not_enrolled()
            self.enrolment.server_edit.setFocus()
        else:
            self._use(services)
        self.ready.emit(True)

    def _not_opened(self, error: WcnError) -> None:
        self.open_error = error.message
        self.loading_label.setText(f"The care records cannot be opened.\n\n{error.message}")
        self.ready.emit(False)

    def enrolled(self, services: DesktopServices) -> None:
        self.message_bar.show_info(
            f"This PC is set up for {services.context.device.home_name}. Sign in to start."
        )
        self._use(services)

    def _use(self, services: DesktopServices) -> None:
        self.ui.open(services)
        self.top_bar.set_home(services.context.device.home_name)
        self.sign_in.refresh()
        self.pages.setCurrentWidget(self.sign_in)
        self.sync.start()

    # --- who is signed in ------------------------------------------------------------------

    def _signed_in(self, user: CurrentUser) -> None:
        previous = self.locked_user
        self.locked_user = None
        self.ui.user = user
        self.display.use_for(user.user_id)  # their text size and contrast
        self.message_bar.clear()
        self.top_bar.show_user(user, locked=False)
        self.top_bar.due_button.setVisible(self.ui.may_write("care_plan_section"))
        if previous is not None and previous.user_id == user.user_id:
            self.pages.setCurrentWidget(self.workspace)  # everything as they left it
            self._refresh_visible()
        else:
            if previous is not None and self._drafts_open():
                self.message_bar.show_info(DRAFT_CLOSED.format(name=previous.display_name))
            for screen in self._screens:
                screen.reset()
            self.pages.setCurrentWidget(self.workspace)
            self.show_residents()
        self.reviews.refresh()  # built now if not yet: it keeps the count in the top bar
        self.runner.run(self.ui.services.session.lock_minutes, self.inactivity.start)

    def lock(self) -> None:
        """Hide everything behind the sign-in screen; the workspace stays as it is."""
        user = self.ui.user
        if user is None:
            return
        self.locked_user = user
        self.ui.user = None
        self.inactivity.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.runner.run(self.ui.services.session.sign_out)
        self.top_bar.show_user(user, locked=True)
        self.sign_in.show_locked(user)
        self.sign_in.refresh()
        self.pages.setCurrentWidget(self.sign_in)
        self.sign_in.choose(user.username)

    def set_pin(self) -> None:
        from desktop.ui.screens.pin_dialog import PinDialog

        pin = PinDialog.ask(self)
        if pin is None or self.ui.user is None:
            return
        session = self.ui.services.session
        self.runner.run(
            lambda: session.set_pin(pin),
            lambda _none: self.message_bar.show_info("Your PIN is set for this PC."),
        )

    # --- moving around ---------------------------------------------------------------------

    def show_residents(self) -> None:
        if self.ui.user is None:
            return
        self.workspace.setCurrentWidget(self.residents)
        self.top_bar.show_page("residents")
        self.residents.refresh()

    def find_resident(self) -> None:
        self.show_residents()
        self.residents.focus_search()

    def show_reviews(self) -> None:
        if self.ui.user is None:
            return
        self.workspace.setCurrentWidget(self.reviews)
        self.top_bar.show_page("reviews")
        self.reviews.refresh()
        self.reviews.table.setFocus()

    def show_due(self) -> None:
        if self.ui.user is None or not self.top_bar.due_button.isVisible():
            return
        self.workspace.setCurrentWidget(self.due)
        self.top_bar.show_page("due")
        self.due.refresh()
        self.due.table.setFocus()

    def show_medication(self) -> None:
        if self.ui.user is None:
            return
        self.workspace.setCurrentWidget(self.medication)
        self.top_bar.show_page("medicines")
        self.medication.refresh()

    def show_handover(self) -> None:
        if self.ui.user is None:
            return
        self.workspace.setCurrentWidget(self.handover)
        self.top_bar.show_page("handover")
        self.handover.refresh()

    def open_care(self, resident_id: str, tab: str, *, audit: bool = False) -> None:
        self.workspace.setCurrentWidget(self.care)
        self.top_bar.show_page("residents")
        self.care.open(resident_id, tab, audit=audit)

    def open_due_item(self, resident_id: str, tab: str, subject: str) -> None:
        self.open_care(resident_id, tab, audit=True)
        self.care.open_due_subject(resident_id, subject)

    def open_resident(self, resident_id: str) -> None:
        if self.workspace.currentWidget() is self.record and self.record.resident_id == resident_id:
            return  # a double tap opens it once
        self.workspace.setCurrentWidget(self.record)
        self.top_bar.show_page("residents")
        self.record.open(resident_id)

    # --- what operations report ------------------------------------------------------------

    def show_error(self, error: WcnError) -> None:
        """The one place errors are shown."""
        self.message_bar.show_error(error.message)

    def on_changed(self, changes: frozenset[str]) -> None:
        if not self.ui.is_open:
            return
        self.sync.refresh_status()
        if self.ui.user is not None and self.pages.currentWidget() is self.workspace:
            self._refresh_visible()
            if "sync" in changes and self.workspace.currentWidget() is not self.reviews:
                self.reviews.refresh()  # keeps the count in the top bar right

    def _refresh_visible(self) -> None:
        current: object = self.workspace.currentWidget()
        for screen in self._screens:  # only the screens built so far
            if screen is current:
                screen.refresh()

    # --- closing ---------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Finish the operation in progress, stop the workers, close the store."""
        if self._closed:
            return
        self._closed = True
        self.inactivity.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.inactivity)
        self.sync.stop()
        self.runner.shutdown()
        if self.ui.is_open:
            self.ui.services.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
