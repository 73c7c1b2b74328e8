"""The residents of this home by unit and room, with their alerts and who has not been seen
today; find one by name, room or NHS number and open their record. Prospective residents
(pre-admission) are listed apart, and managers and seniors admit from here."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.residents import ResidentProfile, ResidentSummary
from desktop.ui.context import UiContext
from desktop.ui.models.residents import Column, ResidentFilterModel, ResidentTableModel
from desktop.ui.models.rows import ID_ROLE, ROW_ROLE
from desktop.ui.screens.profile_form import ProfileForm
from desktop.ui.theme import Theme, set_role
from desktop.ui.widgets.chips import alert_kind
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.touch import enable_touch_scrolling

ROW_PX = 56
NO_RESIDENTS = (
    "There are no residents on this PC yet.\nPress “Sync now” at the bottom of the screen to "
    "fetch them; if the list stays empty, ask the home manager to admit residents."
)


NO_PROSPECTIVE = (
    "No prospective residents.\nTo record someone coming for a pre-admission assessment, "
    "press “Admit a resident…” and tick “Prospective”."
)


def no_match(text: str) -> str:
    return (
        f"No resident matches “{text}”.\nSearch by first name, surname, room number or NHS "
        "number (at least three digits), or choose “All units”."
    )


class AlertChipsDelegate(QStyledItemDelegate):
    """Paints a resident's alerts as small coloured chips (DNACPR and allergies in red)."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style()
        style.drawControl(style.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        row = index.data(ROW_ROLE)
        if not isinstance(row, ResidentSummary):
            return
        c = self._theme.colours
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        rect: QRect = option.rect
        x = rect.left() + 4
        height = metrics.height() + 8
        y = rect.top() + (rect.height() - height) // 2
        for alert in row.alerts:
            kind = alert_kind(alert)
            text = alert if len(alert) <= 28 else alert[:27] + "…"
            width = metrics.horizontalAdvance(text) + 16
            if x + width > rect.right():
                break
            background, foreground = {
                "danger": ("danger", "danger_text"),
                "warning": ("warning", "warning_text"),
                "info": ("info", "info_text"),
            }[kind]
            chip = QRect(x, y, width, height)
            painter.setPen(c.q("border") if kind == "info" else Qt.PenStyle.NoPen)
            painter.setBrush(c.q(background))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(c.q(foreground))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
            x += width + 6
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(320, ROW_PX)


class ResidentsScreen(QWidget):
    resident_opened = Signal(str)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.loaded = False
        self.model = ResidentTableModel(self)
        self.proxy = ResidentFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.prospective_model = ResidentTableModel(self)  # pre-admission, listed apart
        self.prospective_proxy = ResidentFilterModel(self)
        self.prospective_proxy.setSourceModel(self.prospective_model)

        title = QLabel("Residents")
        set_role(title, "title")
        self.count_label = QLabel()
        set_role(self.count_label, "muted")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search by name, room or NHS number  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search residents")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.returnPressed.connect(self._open_first_match)
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        self.unit_combo.addItem("All units", "")
        self.unit_combo.currentIndexChanged.connect(self._unit_chosen)

        self.table = QTableView()
        self.table.setAccessibleName("Residents")
        self.table.setModel(self.proxy)
        self.table.setItemDelegateForColumn(Column.ALERTS, AlertChipsDelegate(ui.theme, self.table))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setIconSize(QSize(36, 36))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_PX)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.ROOM, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.UNIT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.ALERTS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.TODAY, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        enable_touch_scrolling(self.table)

        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.empty_label, "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        self.prospective_button = QPushButton("Prospective")
        self.prospective_button.setCheckable(True)
        self.prospective_button.setToolTip(
            "People coming for a pre-admission assessment, not admitted yet"
        )
        self.prospective_button.toggled.connect(self._prospective_toggled)
        self.admit_button = QPushButton("Admit a resident…")
        set_role(self.admit_button, "primary")
        self.admit_button.clicked.connect(self.start_admit)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.prospective_button)
        top.addWidget(self.admit_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(self.unit_combo, 1)
        self.list_page = QWidget()
        list_layout = QVBoxLayout(self.list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(top)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.stack, 1)
        self.admit_form = ProfileForm(ui)
        self.admit_form.saved.connect(self._admitted)
        self.admit_form.cancelled.connect(self.show_list)
        self.admit_page = scrolled(self.admit_form)
        self.admit_page.setMaximumWidth(760)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.list_page)
        self.pages.addWidget(self.admit_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.pages, 1)
        self.empty_label.setText("Loading the residents…")
        self.stack.setCurrentWidget(self.empty_label)

    def refresh(self) -> None:
        residents = self._ui.services.residents
        self._ui.runner.run(residents.list_residents, self._show)
        self._ui.runner.run(residents.prospective, self._show_prospective)
        self.admit_button.setVisible(self._ui.may_write("resident", ["status"]))

    def _show_prospective(self, residents: list[ResidentSummary]) -> None:
        self.prospective_model.set_rows(residents)
        self.prospective_button.setText(
            f"Prospective ({len(residents)})" if residents else "Prospective"
        )
        self._update_state()

    @property
    def showing_prospective(self) -> bool:
        return self.prospective_button.isChecked()

    def _prospective_toggled(self, on: bool) -> None:
        self.table.setModel(self.prospective_proxy if on else self.proxy)
        self._update_state()

    # --- admitting -------------------------------------------------------------------------

    def start_admit(self) -> None:
        self.pages.setCurrentWidget(self.admit_page)
        self.admit_form.start_admit()

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_page)

    def _admitted(self, profile: ResidentProfile) -> None:
        self.show_list()
        if profile.fields.get("status") == "prospective":
            self.prospective_button.setChecked(True)
        self.refresh()
        self.resident_opened.emit(profile.resident_id)

    def is_dirty(self) -> bool:
        return self.pages.currentWidget() is self.admit_page and self.admit_form.is_dirty()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def reset(self) -> None:
        """Back to the whole list (another person signed in)."""
        self.search_edit.clear()
        self.unit_combo.setCurrentIndex(0)
        self.prospective_button.setChecked(False)
        self.admit_form.reset()
        self.show_list()

    def _show(self, residents: list[ResidentSummary]) -> None:
        self.loaded = True
        self.model.set_rows(residents)
        units = sorted({(r.unit_name, r.unit_id) for r in residents})
        chosen = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        self.unit_combo.addItem("All units", "")
        for name, unit_id in units:
            self.unit_combo.addItem(name, unit_id)
        found = self.unit_combo.findData(chosen)
        self.unit_combo.setCurrentIndex(max(0, found))
        self.unit_combo.blockSignals(False)
        self.proxy.set_unit(str(self.unit_combo.currentData() or ""))
        self._update_state()

    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        self.prospective_proxy.set_search(text)
        self._update_state()

    def _unit_chosen(self, _index: int) -> None:
        unit = str(self.unit_combo.currentData() or "")
        self.proxy.set_unit(unit)
        self.prospective_proxy.set_unit(unit)
        self._update_state()

    def _update_state(self) -> None:
        if self.showing_prospective:
            shown, total = self.prospective_proxy.rowCount(), self.prospective_model.rowCount()
            self.count_label.setText(f"{total} prospective, not admitted yet")
            empty = NO_PROSPECTIVE
        else:
            shown, total = self.proxy.rowCount(), self.model.rowCount()
            not_seen = sum(1 for r in self.model.rows if not r.seen_today)
            self.count_label.setText(
                f"{shown} of {total} shown · {not_seen} not seen today"
                if self.proxy.searching
                else f"{total} residents · {not_seen} not seen today"
            )
            empty = NO_RESIDENTS
        if shown:
            self.stack.setCurrentWidget(self.table)
            return
        self.empty_label.setText(empty if total == 0 else no_match(self.search_edit.text().strip()))
        self.stack.setCurrentWidget(self.empty_label)

    def _open_first_match(self) -> None:
        proxy = self.prospective_proxy if self.showing_prospective else self.proxy
        if proxy.rowCount() >= 1:
            self._activated(proxy.index(0, 0))

    def _activated(self, index: QModelIndex) -> None:
        resident_id = index.data(ID_ROLE)
        if isinstance(resident_id, str):
            self.resident_opened.emit(resident_id)
