"""The Qt binding must not leak or drop references: PySide6 6.12.0 released one reference to
None on every call of a Qt method returning nothing, so a ward PC's app aborted with
"none_dealloc" after enough repaints (on CPython 3.11, where None is not immortal)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("Margaret")
    assert abs(sys.getrefcount(None) - before) < 100
