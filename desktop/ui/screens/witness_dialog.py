"""A second member of staff confirms, on the same PC, that they witnessed a medicine being
given or counted: they pick their name and type their own password or PIN. The person signed
in stays signed in; the check runs through the operation runner like all database work."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.session import StaffMember, VerifiedWitness
from desktop.ui.context import UiContext
from desktop.ui.formatting import role_label
from desktop.ui.theme import set_role
from shared.errors import WcnError


class WitnessDialog(QDialog):
    def __init__(self, ui: UiContext, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Witness")
        self.setMinimumWidth(460)
        self._ui = ui
        self.witness: VerifiedWitness | None = None
        title = QLabel("A second member of staff confirms")
        set_role(title, "heading")
        self.purpose_label = QLabel(purpose)
        self.purpose_label.setWordWrap(True)
        self.person_combo = QComboBox()
        self.person_combo.setEditable(True)
        self.person_combo.setAccessibleName("Witness")
        editor = self.person_combo.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Witness's username")
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setAccessibleName("Witness's password or PIN")
        self.secret_edit.setPlaceholderText("Their password or PIN")
        self.secret_edit.returnPressed.connect(self.confirm)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        set_role(self.problem_label, "field-error")
        self.confirm_button = QPushButton("Confirm witness")
        set_role(self.confirm_button, "primary")
        self.confirm_button.clicked.connect(self.confirm)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.purpose_label)
        hint = QLabel("They must have signed in on this PC before. The record names you both.")
        hint.setWordWrap(True)
        set_role(hint, "hint")
        layout.addWidget(hint)
        layout.addWidget(QLabel("Witness"))
        layout.addWidget(self.person_combo)
        layout.addWidget(QLabel("Their password or PIN"))
        layout.addWidget(self.secret_edit)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        session = ui.services.session
        ui.runner.run(session.staff, self._show_staff, quiet=True)

    def _show_staff(self, staff: list[StaffMember]) -> None:
        me = self._ui.user.user_id if self._ui.user else ""
        for person in staff:
            if person.signed_in_here_before and person.user_id != me:
                label = f"{person.display_name} ({role_label(person.role)})"
                self.person_combo.addItem(label, person.username)
        self.person_combo.setCurrentIndex(-1)

    def chosen_username(self) -> str:
        index = self.person_combo.currentIndex()
        typed = self.person_combo.currentText().strip()
        if index >= 0 and self.person_combo.itemText(index) == typed:
            return str(self.person_combo.itemData(index))
        return typed

    def choose(self, username: str) -> None:
        index = self.person_combo.findData(username)
        if index >= 0:
            self.person_combo.setCurrentIndex(index)
        else:
            self.person_combo.setEditText(username)

    def confirm(self) -> None:
        if not self.confirm_button.isEnabled():
            return
        self.problem_label.clear()
        session, who, secret = (
            self._ui.services.session,
            self.chosen_username(),
            self.secret_edit.text(),
        )
        self.confirm_button.setEnabled(False)
        self._ui.runner.run(
            lambda: session.verify_witness(who, secret),
            self._verified,
            on_failure=self._refused,
            quiet=True,
        )

    def _verified(self, witness: VerifiedWitness) -> None:
        self.witness = witness
        self.confirm_button.setEnabled(True)
        self.accept()

    def _refused(self, error: WcnError) -> None:
        self.confirm_button.setEnabled(True)
        self.secret_edit.clear()
        self.secret_edit.setFocus()
        self.problem_label.setText(error.message)

    @classmethod
    def ask(cls, ui: UiContext, purpose: str, parent: QWidget | None) -> VerifiedWitness | None:
        """The verified witness, or None when cancelled. Tests replace this."""
        dialog = cls(ui, purpose, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.witness
        return None
