"""Starting the app: ``run_app(args)`` from ``writecarenotes`` with no subcommand.

``--self-check`` builds the main window offscreen, opens the store, and exits 0 (or 1 with
the reason on stderr): the installer's smoke test. Nothing interactive is shown.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.services.enrolment import default_data_dir
from desktop.ui.context import Launch
from desktop.ui.display_settings import DisplaySettings
from desktop.ui.main_window import MainWindow
from desktop.ui.theme import Theme

SELF_CHECK_TIMEOUT_MS = 60_000


def launch_from(args: argparse.Namespace) -> Launch:
    data_dir = getattr(args, "data_dir", None)
    return Launch(
        data_dir=Path(data_dir) if data_dir else default_data_dir(),
        key_dir=getattr(args, "key_dir", None),
        demo_hint=getattr(args, "demo_hint", None),
    )


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("WriteCareNotes")
    app.setOrganizationName("WriteCareNotes")
    app.setStyle("Fusion")
    return app


def build_window(launch: Launch, app: QApplication) -> MainWindow:
    theme = Theme(app)
    remembered = DisplaySettings(launch.data_dir).load()  # as the last person left it
    if remembered is None:
        theme.apply()
    else:  # styled before any widget exists: cheap
        theme.set_display(remembered.font_index, remembered.high_contrast)
    return MainWindow(launch, theme)


def run_app(args: argparse.Namespace) -> int:
    self_check = bool(getattr(args, "self_check", False))
    if self_check:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = application()
    window = build_window(launch_from(args), app)
    if self_check:
        return _self_check(app, window)
    window.show()
    window.start()
    try:
        return app.exec()
    finally:
        window.shutdown()


def _self_check(app: QApplication, window: MainWindow) -> int:
    outcome: list[bool] = []

    def finished(opened: bool) -> None:
        outcome.append(opened)
        app.exit(0)

    window.ready.connect(finished)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: app.exit(0))
    give_up.start(SELF_CHECK_TIMEOUT_MS)
    window.start()
    app.exec()
    give_up.stop()
    problem = window.open_error if outcome != [True] else ""
    enrolled = window.ui.is_open
    window.shutdown()
    window.deleteLater()
    if problem or not outcome:
        sys.stderr.write(f"writecarenotes: self-check failed: {problem or 'timed out'}\n")
        return 1
    state = "the store opened" if enrolled else "not enrolled yet (the enrolment screen is ready)"
    sys.stdout.write(f"WriteCareNotes self-check passed: {state}.\n")
    return 0
