"""Choosing a PIN for quick switching on this PC (after signing in with a password)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.theme import set_role


class PinDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set a PIN")
        intro = QLabel(
            "A PIN lets you sign in on this PC quickly. Use 4 to 8 digits that are hard to "
            "guess, and keep it to yourself."
        )
        intro.setWordWrap(True)
        self.pin_edit = QLineEdit()
        self.again_edit = QLineEdit()
        for edit, name in ((self.pin_edit, "New PIN"), (self.again_edit, "PIN again")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(8)
            edit.setAccessibleName(name)
        self.problem = QLabel()
        set_role(self.problem, "field-error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("New PIN"))
        layout.addWidget(self.pin_edit)
        layout.addWidget(QLabel("The same PIN again"))
        layout.addWidget(self.again_edit)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.pin_edit.text() != self.again_edit.text():
            self.problem.setText("The two PINs are not the same. Type them again.")
            self.again_edit.clear()
            self.again_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        """The PIN chosen, or None when cancelled. Tests replace this."""
        dialog = cls(parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.pin_edit.text()
        return None
