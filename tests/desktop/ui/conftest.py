"""The app's main window on an enrolled PC, driven as a person would: through its widgets,
waiting for the operation runner with ``qtbot.waitUntil`` (never sleeping)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from PySide6.QtWidgets import QApplication

from desktop.ui.app import build_window
from desktop.ui.context import Launch
from desktop.ui.main_window import MainWindow
from tests.desktop.conftest import InProcessServer

WAIT_MS = 10_000
MakeWindow = Callable[[Path], MainWindow]


@pytest.fixture(autouse=True)
def no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A failure nobody planned for is logged by the runner; in a test it is a bug."""
    caplog.set_level(logging.ERROR, logger="desktop.ui")
    yield
    errors = [r for r in caplog.get_records("call") if r.name.startswith("desktop.ui")]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
def make_window(
    qtbot: QtBot, qapp: QApplication, wcn_server: InProcessServer
) -> Iterator[MakeWindow]:
    windows: list[MainWindow] = []

    def _make(data_dir: Path) -> MainWindow:
        launch = Launch(data_dir, http=wcn_server.http, sync_interval_ms=0,
                        demo_hint="Demo: every password is CareDemo-2026")
        window = build_window(launch, qapp)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        window.start()
        return window

    yield _make
    for window in windows:
        window.shutdown()


@pytest.fixture
def window(make_window: MakeWindow, pc_data_dir: Path, qtbot: QtBot) -> MainWindow:
    """The app on an enrolled PC, at the sign-in screen with the staff list loaded."""
    made = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: made.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    return made


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    """Tap the name, type the password, press Enter; wait for the residents list."""
    window.sign_in.choose(username)
    assert window.sign_in.username_edit.text() == username
    window.sign_in.password_edit.setText(password)
    window.sign_in.password_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.workspace, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.residents.model.rowCount() > 0, timeout=WAIT_MS)


def idle(window: MainWindow) -> bool:
    return window.runner.pending == 0 and window.sync.runner.pending == 0
