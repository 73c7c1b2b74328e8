"""The app's version is always on screen, in the status bar, for IT and support calls."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop import __version__
from desktop.ui.app import build_window
from desktop.ui.context import Launch


def test_the_status_bar_shows_the_app_version(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, key_dir: Path
) -> None:
    window = build_window(Launch(tmp_path / "new-pc"), qapp)
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: window.pages.currentWidget() is window.enrolment, timeout=10_000)
        label = window.sync_bar.version_label
        assert label.text() == f"WriteCareNotes {__version__}"
        assert label.isVisible() and label.accessibleName() == "App version"
    finally:
        window.shutdown()
