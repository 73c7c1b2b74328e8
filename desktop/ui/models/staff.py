"""The staff of this home for the sign-in screen: a big tile per person, name and role."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPixmap

from desktop.services.session import StaffMember
from desktop.ui.formatting import role_label
from desktop.ui.models.rows import RowsModel
from desktop.ui.widgets.avatar import avatar_pixmap, initials_of

AVATAR_PX = 40


class StaffListModel(RowsModel[StaffMember]):
    headers = ("Staff",)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda s: s.user_id, parent)
        self._avatars: dict[str, QPixmap] = {}

    def cell(self, row: StaffMember, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.display_name}\n{role_label(row.role)}"
        if role == Qt.ItemDataRole.DecorationRole:
            if row.user_id not in self._avatars:
                self._avatars[row.user_id] = avatar_pixmap(
                    initials_of(row.display_name), row.user_id, AVATAR_PX, 2.0
                )
            return self._avatars[row.user_id]
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            pin = ", can use a PIN" if row.has_pin else ""
            return f"{row.display_name}, {role_label(row.role)}{pin}"
        return None
