"""Adding a remark to the handover: about one resident or about the unit in general, in a few
sentences. Saving goes through the runner; the dialog only collects the words."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.theme import set_role
from shared.entities.handover import MAX_REMARK_LENGTH

GENERAL = "The unit in general"


class RemarkDialog(QDialog):
    def __init__(
        self,
        residents: list[tuple[str, str]],
        resident_id: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a remark to the handover")
        self.about_combo = QComboBox()
        self.about_combo.setAccessibleName("About")
        self.about_combo.addItem(GENERAL, None)
        for rid, name in residents:
            self.about_combo.addItem(name, rid)
        if resident_id is not None:
            self.about_combo.setCurrentIndex(max(0, self.about_combo.findData(resident_id)))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setAccessibleName("Remark")
        self.text_edit.setPlaceholderText(
            "What the next shift needs to know, e.g. 'Daughter visiting at 7 pm: wants a word "
            "with the nurse about the GP visit.'"
        )
        self.text_edit.setTabChangesFocus(True)
        self.count_label = QLabel()
        set_role(self.count_label, "hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Add remark")
        set_role(self.save_button, "primary")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.text_edit.textChanged.connect(self._counted)
        form = QFormLayout()
        form.addRow("About", self.about_combo)
        form.addRow("Remark", self.text_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self._counted()

    def _counted(self) -> None:
        length = len(self.text_edit.toPlainText().strip())
        over = length > MAX_REMARK_LENGTH
        self.count_label.setText(
            f"{length:,} of {MAX_REMARK_LENGTH:,} characters"
            + (": too long, shorten it." if over else "")
        )
        set_role(self.count_label, "field-error" if over else "hint")
        self.save_button.setEnabled(0 < length <= MAX_REMARK_LENGTH)

    def values(self) -> tuple[str | None, str]:
        about = self.about_combo.currentData()
        return (about if isinstance(about, str) else None, self.text_edit.toPlainText().strip())

    @classmethod
    def ask(
        cls,
        residents: list[tuple[str, str]],
        resident_id: str | None,
        parent: QWidget | None = None,
    ) -> tuple[str | None, str] | None:
        """(resident id or None for a general remark, the text), or None if cancelled (tests
        replace this)."""
        dialog = cls(residents, resident_id, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
