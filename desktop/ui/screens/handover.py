"""The Handover screen: choose the unit and the shift, and see for each resident what changed
(flags in red and amber, the details beside), the general remarks at the top, "Add remark",
and "Print / Save PDF". It loads through the runner and reloads whenever something changes."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from PySide6.QtCore import QDate, QItemSelection, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.services.handover import (
    ALL_UNITS,
    SHIFT_LABELS,
    HandoverReport,
    ResidentHandover,
    Shift,
    ShiftKind,
    UnitChoice,
    default_shift,
    handover_pdf,
    shift_for,
)
from desktop.ui.context import UiContext
from desktop.ui.models.handover import HandoverModel
from desktop.ui.screens.handover_detail import WITHDRAW, remark_line, resident_html
from desktop.ui.screens.remark_dialog import RemarkDialog
from desktop.ui.theme import TOUCH_PX, set_role
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.medication.scheduling import UK

NOTHING = "Nothing was recorded for {unit} in this shift, and nobody has added a remark."
NOBODY = "Nobody in {unit} has anything to hand over for this shift."
LOADING = "Building the handover…"


class HandoverScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.report: HandoverReport | None = None
        self._units_loaded = False
        self.model = HandoverModel(self)

        title = QLabel("Handover")
        set_role(title, "title")
        self.summary_label = QLabel(LOADING)
        self.summary_label.setWordWrap(True)
        set_role(self.summary_label, "muted")
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.shift_combo = QComboBox()
        self.shift_combo.setAccessibleName("Shift")
        for kind, label in SHIFT_LABELS.items():
            self.shift_combo.addItem(label, kind.value)
        self.date_edit = QDateEdit()
        self.date_edit.setAccessibleName("Shift starting on")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setMinimumHeight(TOUCH_PX - 8)
        self.unit_combo.setMinimumWidth(180)
        self.show_all = QCheckBox("Everyone")
        self.show_all.setToolTip("Also list residents with nothing to hand over")
        self.remark_button = QPushButton("Add &remark…")
        self.remark_button.setToolTip("A remark for the next shift, about a resident or the unit")
        self.remark_button.clicked.connect(self.add_remark)
        self.print_button = QPushButton("&Print / Save PDF…")
        set_role(self.print_button, "primary")
        self.print_button.clicked.connect(self.print_report)
        self._apply_shift(default_shift(_now()))
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.shift_combo.currentIndexChanged.connect(self._shift_kind_changed)
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.show_all.toggled.connect(lambda _on: self._show_rows())

        self.general_label = QLabel()
        self.general_label.setWordWrap(True)
        self.general_label.setTextFormat(Qt.TextFormat.RichText)
        self.general_label.setObjectName("Card")
        self.general_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.general_label.linkActivated.connect(self._link)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.empty_label, "empty")
        self.table = QTableView()
        self.table.setAccessibleName("Residents to hand over, flags first in each row")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 190)  # wraps: the flags get the room
        self.table.selectionModel().selectionChanged.connect(self._selected)
        enable_touch_scrolling(self.table)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("What to hand over for the chosen resident")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(lambda url: self._link(url.toString()))
        enable_touch_scrolling(self.detail)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)

        controls = QHBoxLayout()
        controls.addWidget(title)
        controls.addSpacing(12)
        for label, widget in (("&Unit", self.unit_combo), ("S&hift", self.shift_combo)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            controls.addWidget(caption)
            controls.addWidget(widget)
        controls.addWidget(self.date_edit)
        controls.addStretch(1)
        controls.addWidget(self.show_all)
        actions = QHBoxLayout()
        actions.addWidget(self.summary_label, 1)
        actions.addWidget(self.remark_button)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(controls)
        layout.addLayout(actions)
        layout.addWidget(self.general_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.splitter, 1)
        self.general_label.setVisible(False)
        self.empty_label.setVisible(False)

    # --- choosing ----------------------------------------------------------------------------

    @property
    def unit_id(self) -> str | None:
        data = self.unit_combo.currentData()
        return data if isinstance(data, str) and data else None

    @property
    def shift(self) -> Shift:
        kind = ShiftKind(str(self.shift_combo.currentData()))
        picked = self.date_edit.date()
        day = dt.date(picked.year(), picked.month(), picked.day())
        return shift_for(kind, day, _now())

    def _apply_shift(self, shift: Shift) -> None:
        for widget in (self.shift_combo, self.date_edit):
            widget.blockSignals(True)
        self.shift_combo.setCurrentIndex(self.shift_combo.findData(shift.kind.value))
        day = shift.start.astimezone(UK).date()
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setEnabled(shift.kind is not ShiftKind.LAST_12_HOURS)
        for widget in (self.shift_combo, self.date_edit):
            widget.blockSignals(False)

    def choose(self, kind: ShiftKind, day: dt.date | None = None) -> None:
        """Show the ``kind`` of shift starting on ``day`` (the last 12 hours need no day)."""
        self._apply_shift(shift_for(kind, day or _now().astimezone(UK).date(), _now()))
        self.refresh()

    def choose_unit(self, unit_id: str | None) -> None:
        index = self.unit_combo.findData(unit_id or "")
        if index >= 0:
            self.unit_combo.setCurrentIndex(index)

    def _shift_kind_changed(self) -> None:
        kind = ShiftKind(str(self.shift_combo.currentData()))
        self.date_edit.setEnabled(kind is not ShiftKind.LAST_12_HOURS)
        self.refresh()

    def reset(self) -> None:
        """Back to the shift being handed over now (on sign-in)."""
        self._apply_shift(default_shift(_now()))
        self.table.clearSelection()

    # --- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._ui.is_open:
            return
        self.remark_button.setVisible(self._ui.may_write("handover_remark"))
        handover = self._ui.services.handover
        if not self._units_loaded:
            self._ui.runner.run(handover.units, self._show_units)
            return
        shift, unit = self.shift, self.unit_id
        self._ui.runner.run(lambda: handover.report(shift, unit), self._show)

    def _show_units(self, units: list[UnitChoice]) -> None:
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for unit in units:
            self.unit_combo.addItem(unit.name, unit.unit_id)
        self.unit_combo.addItem(ALL_UNITS, "")
        self.unit_combo.blockSignals(False)
        self._units_loaded = True
        self.refresh()

    def _show(self, report: HandoverReport) -> None:
        self.report = report
        flagged = len(report.flagged)
        people = len(report.residents)
        self.summary_label.setText(
            f"{report.unit_name} · {report.shift.label} · {people} resident(s), "
            f"{flagged} with flags"
        )
        colours = self._ui.theme.colours
        remarks = report.general_remarks
        self.general_label.setVisible(bool(remarks))
        if remarks:
            lines = "".join(remark_line(r, colours, self._user_id()) for r in remarks)
            self.general_label.setText(f"<b>General remarks</b><ul>{lines}</ul>")
        self._show_rows()

    def _show_rows(self) -> None:
        report = self.report
        if report is None:
            return
        rows = [r for r in report.residents if self.show_all.isChecked() or r.changed]
        selected = self.selected()
        self.model.set_rows(rows)
        unit = escape(report.unit_name)
        if report.nothing_happened:
            self.empty_label.setText(NOTHING.format(unit=unit))
        elif not rows:
            self.empty_label.setText(NOBODY.format(unit=unit))
        self.empty_label.setVisible(report.nothing_happened or not rows)
        self.splitter.setVisible(bool(rows))
        if rows:
            row = self.model.row_of(selected.resident_id) if selected else -1
            self.table.selectRow(max(row, 0))
        self._selected()

    def selected(self) -> ResidentHandover | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selected(self, *_args: QItemSelection) -> None:
        person = self.selected()
        if person is None:
            self.detail.clear()
            return
        self.detail.setHtml(resident_html(person, self._ui.theme.colours, self._user_id()))

    # --- remarks and printing ----------------------------------------------------------------

    def add_remark(self) -> None:
        report = self.report
        if report is None:
            return
        residents = [
            (r.resident_id, f"{r.name} ({r.room})" if r.room else r.name) for r in report.residents
        ]
        chosen = self.selected()
        answer = RemarkDialog.ask(residents, chosen.resident_id if chosen else None, self)
        if answer is None:
            return
        resident_id, text = answer
        shift, unit = report.shift, report.unit_id
        handover = self._ui.services.handover
        self._ui.runner.run(
            lambda: handover.add_remark(shift, text, unit_id=unit, resident_id=resident_id),
            lambda _id: self._ui.notify("Remark added to the handover."),
            changes=("handover",),
        )

    def _user_id(self) -> str | None:
        return self._ui.user.user_id if self._ui.user is not None else None

    def _link(self, link: str) -> None:
        if link.startswith(WITHDRAW):
            self.withdraw_remark(link.removeprefix(WITHDRAW))

    @staticmethod
    def ask_reason(parent: QWidget) -> str | None:
        """Why a remark is withdrawn, or None if cancelled; tests replace this."""
        reason, accepted = QInputDialog.getText(
            parent, "Withdraw the remark", "Why is it being withdrawn?"
        )
        return reason if accepted else None

    def withdraw_remark(self, remark_id: str) -> None:
        """Mark one of your remarks entered in error, with a reason (it is kept, not deleted)."""
        reason = self.ask_reason(self)
        if reason is None:
            return
        handover = self._ui.services.handover
        self._ui.runner.run(
            lambda: handover.withdraw_remark(remark_id, reason),
            lambda _id: self._ui.notify("Remark withdrawn from the handover."),
            changes=("handover",),
        )

    @staticmethod
    def ask_path(parent: QWidget, suggested: str) -> str:
        """Where to save the PDF; tests replace this."""
        path, _filter = QFileDialog.getSaveFileName(
            parent, "Save the handover", suggested, "PDF (*.pdf)"
        )
        return path

    def print_report(self) -> None:
        report = self.report
        if report is None:
            return
        start = report.shift.start.astimezone(UK)
        unit = report.unit_name.replace(" ", "-").lower()
        path = self.ask_path(self, f"handover-{unit}-{start:%Y-%m-%d-%H%M}.pdf")
        if path:
            self.save_pdf(path)

    def save_pdf(self, path: str | Path) -> None:
        """Write the handover shown now to ``path`` as a PDF (off the GUI thread)."""
        report = self.report
        if report is None:
            return
        target = Path(path)

        def save() -> str:
            target.write_bytes(handover_pdf(report))
            return str(target)

        self._ui.runner.run(save, lambda saved: self._ui.notify(f"Handover saved: {saved}"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
