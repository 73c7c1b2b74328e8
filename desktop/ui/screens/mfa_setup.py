"""A manager's or admin's first sign-in: set up an authenticator app (scan the QR code or type
the key), prove it with its first code, then see the recovery codes, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.session import CurrentUser
from desktop.ui.context import UiContext
from desktop.ui.screens.mfa_code import CodeEntry
from desktop.ui.theme import set_role
from desktop.ui.widgets.qr_code import QrCodeView, qr_modules
from shared.errors import WcnError

if TYPE_CHECKING:
    from shared.protocol import MfaEnrolResponse

INTRO = (
    "Managers and IT staff prove who they are with a code from an app on their work phone "
    "(for example Microsoft Authenticator or Google Authenticator). You do this once; after "
    "that, this PC asks for the app's code each time you sign in, even when it is offline."
)
STEPS = (
    "1. In the app, add an account and scan the QR code (or type the key under it).\n"
    "2. Type the six-digit code the app shows for WriteCareNotes."
)
# A shared PC: a set-up left half done (key or recovery codes on the screen, the person signed
# in behind them) closes itself after this long.
SETUP_TIMEOUT_MS = 5 * 60 * 1000
TIMED_OUT = (
    "The authenticator set-up closed because it was left for 5 minutes. Sign in again. If the "
    "app was set up but you did not write down the recovery codes, ask IT to reset it."
)
KEEP_CODES = (
    "If you lose your phone, each of these codes signs you in once instead of the app's code. "
    "Write them down now and keep them somewhere safe and private: they are not shown again."
)


def grouped(secret: str) -> str:
    """The key in groups of four, as people copy it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class MfaSetupPage(QWidget):
    finished = Signal(object)  # CurrentUser, once the recovery codes have been seen
    cancelled = Signal()
    timed_out = Signal(str)  # the sentence to show

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._user: CurrentUser | None = None
        self.timeout_ms = SETUP_TIMEOUT_MS
        self.expiry = QTimer(self)
        self.expiry.setSingleShot(True)
        self.expiry.timeout.connect(self._expired)
        title = QLabel("Set up your authenticator app")
        set_role(title, "title")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)

        self.qr_view = QrCodeView()
        self.key_label = QLabel()
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAccessibleName("Key for your authenticator app")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(self.font().pointSizeF() * 1.2)
        self.key_label.setFont(mono)
        self.no_qr_label = QLabel(
            "This PC cannot draw the QR code: type the key into the app (choose "
            "'enter a setup key', time-based)."
        )
        self.no_qr_label.setWordWrap(True)
        set_role(self.no_qr_label, "hint")
        self.no_qr_label.setVisible(False)
        left = QVBoxLayout()
        left.addWidget(self.qr_view, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(QLabel("Or type this key into the app:"))
        left.addWidget(self.key_label)
        left.addWidget(self.no_qr_label)
        left.addStretch(1)
        steps = QLabel(STEPS)
        steps.setWordWrap(True)
        self.entry = CodeEntry(allow_recovery=False, confirm_text="&Confirm")
        self.entry.submitted.connect(self._confirm)
        self.entry.cancelled.connect(self.cancelled.emit)
        right = QVBoxLayout()
        right.addWidget(steps)
        right.addWidget(self.entry, 1)
        setup_page = QWidget()
        columns = QHBoxLayout(setup_page)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.codes_label = QLabel()
        self.codes_label.setFont(mono)
        self.codes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.codes_label.setAccessibleName("Your recovery codes")
        keep = QLabel(KEEP_CODES)
        keep.setWordWrap(True)
        set_role(keep, "warning")
        self.written_down = QCheckBox("I have written these codes down and will keep them safe")
        self.written_down.setMinimumHeight(44)
        self.continue_button = QPushButton("&Continue")
        set_role(self.continue_button, "primary")
        self.continue_button.setEnabled(False)
        self.written_down.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._continue)
        codes_heading = QLabel("Your recovery codes")
        set_role(codes_heading, "heading")
        codes_page = QWidget()
        codes = QVBoxLayout(codes_page)
        codes.setContentsMargins(0, 0, 0, 0)
        codes.addWidget(codes_heading)
        codes.addWidget(keep)
        codes.addWidget(self.codes_label)
        codes.addWidget(self.written_down)
        codes.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        codes.addStretch(1)

        self.steps = QStackedWidget()
        self.steps.addWidget(setup_page)
        self.steps.addWidget(codes_page)
        card = QFrame()
        card.setObjectName("Card")
        inside = QVBoxLayout(card)
        inside.setContentsMargins(20, 16, 20, 16)
        inside.addWidget(self.steps)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(card, 1)

    def begin(self) -> None:
        """Ask the server for a new key (the password was right a moment ago)."""
        self._user = None
        self.expiry.start(self.timeout_ms)
        self.steps.setCurrentIndex(0)
        self.qr_view.set_modules([])
        self.key_label.setText("Getting a new key from the server…")
        self.written_down.setChecked(False)
        self.entry.start("Then type the code from the app here:")
        self.entry.set_working(True)
        session = self._ui.services.session
        self._ui.runner.run(session.start_mfa_setup, self._show_key, on_failure=self._no_key)

    def _show_key(self, setup: MfaEnrolResponse) -> None:
        self.key_label.setText(grouped(setup.secret))
        modules = qr_modules(setup.provisioning_uri)
        self.qr_view.setVisible(modules is not None)
        self.no_qr_label.setVisible(modules is None)
        self.qr_view.set_modules(modules or [])
        self.entry.set_working(False)
        self.entry.code_edit.setFocus()

    def _no_key(self, error: WcnError) -> None:
        self.key_label.setText("No key yet: press Back and sign in again.")
        self.entry.refused(error.message)
        self.entry.confirm_button.setEnabled(False)

    def _confirm(self, code: str) -> None:
        session = self._ui.services.session
        self._ui.runner.run(
            lambda: session.finish_sign_in(code),
            self._confirmed,
            on_failure=lambda error: self.entry.refused(error.message),
        )

    def _confirmed(self, user: CurrentUser) -> None:
        self._user = user
        codes = self._ui.services.session.last_recovery_codes
        self.codes_label.setText("\n".join(codes))
        self.expiry.start(self.timeout_ms)
        self.steps.setCurrentIndex(1)
        self.written_down.setFocus()

    def _continue(self) -> None:
        if self._user is not None:
            self._forget()
            self.finished.emit(self._user)

    def stop(self) -> None:
        """Leave the page (Back, or the PC locked): nothing of it stays on the screen."""
        self._forget()
        self.key_label.clear()
        self.qr_view.set_modules([])

    def _forget(self) -> None:
        self.expiry.stop()
        self.codes_label.clear()  # shown once
        self._ui.services.session.last_recovery_codes = []

    def _expired(self) -> None:
        self.stop()
        self.timed_out.emit(TIMED_OUT)
