"""The authenticator-code step of a manager's sign-in: six digits from the on-screen pad or the
keyboard, or (for a lost phone) one of their recovery codes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.pin_pad import PinPad

CODE_HINT = "6-digit code"
RECOVERY_HINT = "ABCD-EFGH-JKLM-NPQR"


class CodeEntry(QWidget):
    """Asks for the code; ``submitted`` carries what was typed, ``cancelled`` means Back."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        *,
        allow_recovery: bool = True,
        confirm_text: str = "&Sign in",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._confirm_text = confirm_text
        self.errors = FieldErrors()
        self.recovery = False
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        set_role(self.prompt, "heading")
        self.code_edit = QLineEdit()
        self.code_edit.setAccessibleName("Authenticator code")
        self.code_edit.returnPressed.connect(self.submit)
        big = QFont(self.code_edit.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 4)
        self.code_edit.setFont(big)
        self.pin_pad = PinPad(self.code_edit)
        self.confirm_button = QPushButton(confirm_text)
        set_role(self.confirm_button, "primary")
        self.confirm_button.clicked.connect(self.submit)
        self.back_button = QPushButton("&Back")
        self.back_button.setToolTip("Start again with your name and password")
        self.back_button.clicked.connect(self.cancelled.emit)
        self.recovery_button = QPushButton("Use a &recovery code")
        self.recovery_button.setToolTip("For a lost or broken phone: each recovery code works once")
        self.recovery_button.clicked.connect(lambda: self.set_recovery(not self.recovery))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.prompt)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.errors.add("code", self.code_edit))
        layout.addWidget(self.pin_pad)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button, 1)
        buttons.addWidget(self.back_button, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.recovery_button)
        # Only once it has a parent: shown before, a button would be a window of its own.
        self.recovery_button.setVisible(allow_recovery)
        layout.addStretch(1)
        self.set_recovery(False)

    def start(self, prompt: str) -> None:
        self.prompt.setText(prompt)
        self.set_recovery(False)
        self.set_working(False)
        self.errors.clear()
        self.code_edit.setFocus()

    def set_recovery(self, recovery: bool) -> None:
        self.recovery = recovery
        self.code_edit.clear()
        self.code_edit.setMaxLength(40 if recovery else 6)
        self.code_edit.setPlaceholderText(RECOVERY_HINT if recovery else CODE_HINT)
        self.code_edit.setAccessibleName("Recovery code" if recovery else "Authenticator code")
        self.code_edit.setAccessibleDescription(
            "One of your recovery codes, like ABCD-EFGH-JKLM-NPQR"
            if recovery
            else "The six-digit code your authenticator app shows now"
        )
        self.pin_pad.setVisible(not recovery)
        self.recovery_button.setText(
            "Use the &authenticator app" if recovery else "Use a &recovery code"
        )
        self.errors.clear()
        self.code_edit.setFocus()

    def submit(self) -> None:
        if not self.confirm_button.isEnabled():
            return
        code = self.code_edit.text().strip()
        if not self.recovery and not (len(code) == 6 and code.isdigit()):
            self.errors.show("code", "Type all six digits of the code, with no spaces.")
            return
        self.errors.clear()
        self.set_working(True)
        self.submitted.emit(code)

    def set_working(self, working: bool) -> None:
        self.confirm_button.setEnabled(not working)
        self.confirm_button.setText("Checking…" if working else self._confirm_text)

    def refused(self, message: str) -> None:
        self.set_working(False)
        self.errors.show("code", message)
        self.code_edit.selectAll()
