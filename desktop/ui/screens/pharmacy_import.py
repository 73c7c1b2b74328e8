"""Importing the pharmacy's MAR (a CSV file, format in the user guide): choose the file, see
every line as it will be added and every rejected line with why, then a second senior checks
the transcription against the pharmacy's paper and confirms with their own password or PIN.
A file with any rejected line imports nothing; a good file imports completely."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import InvalidInput
from desktop.services.medication.pharmacy_import import MAX_BYTES, ImportPreview, ImportResult
from desktop.ui.context import UiContext
from desktop.ui.models.medication_panels import ImportLineModel, RejectionModel
from desktop.ui.screens.medication_widgets import table
from desktop.ui.screens.witness_dialog import WitnessDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError

START = "Choose the CSV file the pharmacy sent. Nothing is added until a second senior checks it."


def read_csv(path: str) -> str:
    """The file's text (runs on the worker); a file that is not a CSV MAR is a field error."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise InvalidInput("The file is too large for a MAR (over 2 MB).", field="file")
        return file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "That file is not a CSV text file. Save the pharmacy's MAR as CSV (UTF-8) and "
            "choose it again.",
            field="file",
        ) from None
    except OSError as exc:
        raise InvalidInput(f"That file cannot be read: {exc.strerror}.", field="file") from None


class PharmacyImportPanel(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.errors = FieldErrors()
        self.csv_text = ""
        self.preview: ImportPreview | None = None
        self.lines_model = ImportLineModel(self)
        self.rejected_model = RejectionModel(self)
        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.clicked.connect(self.choose_file)
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setAccessibleName("File")
        self.file_edit.setPlaceholderText("No file chosen")
        self.source_edit = QLineEdit()
        self.source_edit.setAccessibleName("Pharmacy and cycle")
        self.source_edit.setPlaceholderText("Pharmacy and cycle, e.g. 'Riverside Pharmacy, May'")
        self.summary_label = QLabel(START)
        self.summary_label.setWordWrap(True)
        self.lines_table = table(self.lines_model, "Medicines to import", stretch=2)
        self.rejected_label = QLabel("Rejected lines: fix them in the file and choose it again")
        set_role(self.rejected_label, "field-error")
        self.rejected_table = table(self.rejected_model, "Rejected lines")
        self.rejected_table.setMaximumHeight(180)
        self.import_button = QPushButton("Import (a second senior checks)…")
        set_role(self.import_button, "primary")
        self.import_button.clicked.connect(self.apply)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.errors.add("file", self.file_edit))
        layout.addWidget(self.summary_label)
        layout.addWidget(self.rejected_label)
        layout.addWidget(self.rejected_table)
        layout.addWidget(self.lines_table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.source_edit, 1)
        bottom.addWidget(self.import_button)
        layout.addLayout(bottom)
        layout.addWidget(self.errors.add("witness", self.import_button))
        self._show_preview(None)

    def refresh(self) -> None:
        senior = self._ui.may_write("mar_transcription")
        self.choose_button.setEnabled(senior)
        if not senior:
            self.summary_label.setText("Only a senior carer, nurse or manager imports a MAR.")

    @staticmethod
    def ask_path(parent: QWidget) -> str:
        """The CSV file to import; tests replace this."""
        path, _filter = QFileDialog.getOpenFileName(
            parent, "Pharmacy MAR file", "", "CSV files (*.csv);;All files (*)"
        )
        return path

    def choose_file(self) -> None:
        path = self.ask_path(self)
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        self.errors.clear()
        self.file_edit.setText(path)
        if not self.source_edit.text():
            self.source_edit.setText(Path(path).stem)
        imports = self._ui.services.medication.imports

        def check() -> tuple[str, ImportPreview]:
            text = read_csv(path)
            return text, imports.preview(text)

        self._ui.runner.run(check, self._previewed, on_failure=self._failed)

    def _previewed(self, result: tuple[str, ImportPreview]) -> None:
        self.csv_text, preview = result
        self._show_preview(preview)

    def _show_preview(self, preview: ImportPreview | None) -> None:
        self.preview = preview
        self.lines_model.set_rows(preview.lines if preview else [])
        self.rejected_model.set_rows(preview.rejected if preview else [])
        rejected = bool(preview and preview.rejected)
        self.rejected_label.setVisible(rejected)
        self.rejected_table.setVisible(rejected)
        self.import_button.setEnabled(bool(preview and preview.lines and not rejected))
        if preview is None:
            return
        if rejected:
            self.summary_label.setText(
                f"{len(preview.rejected)} line(s) rejected, so nothing can be imported until "
                f"the file is fixed. {len(preview.lines)} line(s) were fine."
            )
        else:
            residents = len({line.resident_id for line in preview.lines})
            self.summary_label.setText(
                f"{len(preview.lines)} medicine(s) for {residents} resident(s) ready. Check "
                "each line against the pharmacy's MAR, then import with a second senior."
            )

    def apply(self) -> None:
        preview, text, source = self.preview, self.csv_text, self.source_edit.text().strip()
        if preview is None or preview.rejected or not preview.lines:
            return
        checker = WitnessDialog.ask(
            self._ui,
            f"Second check of the pharmacy MAR '{source or 'import'}': {len(preview.lines)} "
            "medicine(s). Check every line against the pharmacy's MAR before confirming.",
            self,
        )
        if checker is None:
            return
        imports = self._ui.services.medication.imports
        self.import_button.setEnabled(False)
        self._ui.runner.run(
            lambda: imports.apply(text, source or "Pharmacy MAR", checker),
            self._imported,
            on_failure=self._failed,
            changes=("medication",),
        )

    def _imported(self, result: ImportResult) -> None:
        count = len(result.prescription_ids)
        self._ui.notify(f"Pharmacy MAR imported: {count} medicine(s) added, checked by two.")
        self.csv_text = ""
        self.file_edit.clear()
        self.source_edit.clear()
        self._show_preview(None)
        self.summary_label.setText(f"Imported {count} medicine(s). " + START)

    def _failed(self, error: WcnError) -> None:
        if self.preview is not None and not self.preview.rejected:
            self.import_button.setEnabled(True)
        field = getattr(error, "field", None)
        if not self.errors.show(field if isinstance(field, str) else None, error.message):
            self.summary_label.setText(error.message)
