"""The one place the app shows what went wrong (or that something was done): a bar at the top
of the main window, in words, never a traceback."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.ui.theme import restyle

INFO_SHOWN_MS = 6000


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setToolTip("Dismiss this message")
        close.setAccessibleName("Dismiss message")
        close.setFlat(True)
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(close)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.clear)
        self.setVisible(False)

    @property
    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    @property
    def kind(self) -> str:
        return str(self.property("kind") or "")

    def show_error(self, message: str) -> None:
        self._show(message, "error")
        self._hide_timer.stop()  # an error stays until read and dismissed, or replaced

    def show_info(self, message: str) -> None:
        self._show(message, "info")
        self._hide_timer.start(INFO_SHOWN_MS)

    def _show(self, message: str, kind: str) -> None:
        self._label.setText(message)
        self._label.setAccessibleName(message)
        self.setProperty("kind", kind)
        restyle(self)
        for child in self.findChildren(QLabel):
            restyle(child)
        self.setVisible(True)

    def clear(self) -> None:
        self._hide_timer.stop()
        self._label.clear()
        self.setVisible(False)
