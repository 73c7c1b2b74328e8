"""First run: enrol this PC with the server address and the one-time code from IT, then
download the home's records, with a progress bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.ui.context import UiContext, open_services
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError

INTRO = (
    "This PC is not set up yet. IT will give you the server address and a one-time "
    "enrolment code. Enrolling downloads this home's records, so that the PC keeps working "
    "when the network is down."
)


class ProgressRelay(QObject):
    """Carries the download progress from the worker thread to the progress bar."""

    progressed = Signal(int, int)

    def report(self, done: int, target: int) -> None:
        self.progressed.emit(done, target)


def field_for(error: WcnError) -> str | None:
    """Which field of this form an error is about."""
    field = getattr(error, "field", None)
    if isinstance(field, str):
        return field
    if error.code.startswith("enrol_code"):
        return "code"
    if error.code == "offline":
        return "server"
    return None


class EnrolmentScreen(QWidget):
    enrolled = Signal(object)  # DesktopServices

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self._relay = ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.errors = FieldErrors()

        title = QLabel("Set up this PC")
        set_role(title, "title")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://care.example.org")
        self.server_edit.setAccessibleName("Server address")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("ABCD-EFGH-JKLM")
        self.code_edit.setAccessibleName("Enrolment code")
        self.enrol_button = QPushButton("&Enrol this PC")
        set_role(self.enrol_button, "primary")
        self.enrol_button.clicked.connect(self.submit)
        self.server_edit.returnPressed.connect(self.code_edit.setFocus)
        self.code_edit.returnPressed.connect(self.submit)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setFormat("%v of %m records")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        server_label = QLabel("Server &address")
        server_label.setBuddy(self.server_edit)
        code_label = QLabel("Enrolment &code")
        code_label.setBuddy(self.code_edit)
        form = QVBoxLayout()
        form.setSpacing(4)
        form.addWidget(server_label)
        form.addWidget(self.server_edit)
        form.addWidget(self.errors.add("server", self.server_edit))
        form.addSpacing(8)
        form.addWidget(code_label)
        form.addWidget(self.code_edit)
        form.addWidget(self.errors.add("code", self.code_edit))
        card = QFrame()
        card.setObjectName("Card")
        card.setFixedWidth(560)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 24, 32, 24)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addLayout(form)
        inner.addWidget(self.enrol_button)
        inner.addWidget(self.progress)
        inner.addWidget(self.status_label)
        row = QHBoxLayout()  # centred without alignment flags, so wrapped text gets its height
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def submit(self) -> None:
        if not self.enrol_button.isEnabled():
            return
        self.errors.clear()
        server, code = self.server_edit.text(), self.code_edit.text()
        launch = self._ui.launch
        relay = self._relay

        def work() -> DesktopServices:
            context = enrol(
                server,
                code,
                launch.data_dir,
                key_dir=launch.key_dir,
                http=launch.http,
                progress=relay.report,
            )
            return DesktopServices(context)

        self._set_working(True)
        self.status_label.setText("Contacting the server…")
        self._ui.runner.run(work, self._done, on_failure=self._failed)

    def _set_working(self, working: bool) -> None:
        self.enrol_button.setEnabled(not working)
        self.server_edit.setReadOnly(working)
        self.code_edit.setReadOnly(working)
        self.progress.setVisible(working)
        if working:
            self.progress.setRange(0, 0)  # busy until the first progress report

    @Slot(int, int)
    def _show_progress(self, done: int, target: int) -> None:
        self.status_label.setText("Downloading this home's records…")
        if target > 0:
            self.progress.setRange(0, target)
            self.progress.setValue(min(done, target))

    def _done(self, services: DesktopServices) -> None:
        self._set_working(False)
        device = services.context.device
        self.status_label.setText(f"This PC is now set up for {device.home_name}.")
        self.enrolled.emit(services)

    def _failed(self, error: WcnError) -> None:
        self._set_working(False)
        self.status_label.clear()
        self.errors.show(field_for(error), error.message)
        # The code was accepted but the first download broke off: the PC is enrolled and
        # the next sync carries on from where this one stopped.
        self._ui.runner.run(lambda: open_services(self._ui.launch), self._maybe_enrolled)

    def _maybe_enrolled(self, services: DesktopServices | None) -> None:
        if services is not None:
            self.enrolled.emit(services)
