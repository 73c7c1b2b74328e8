"""The app's main window on an enrolled PC, driven as a person would: through its widgets,
waiting for the operation runner with ``qtbot.waitUntil`` (never sleeping)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.ui.app import build_window
from desktop.ui.context import Launch
from desktop.ui.main_window import MainWindow
from tests.desktop.conftest import InProcessServer

WAIT_MS = 10_000


class MakeWindow(Protocol):
    def __call__(
        self, data_dir: Path, *, http: httpx.Client | None = None, sync_interval_ms: int = 0
    ) -> MainWindow: ...


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

    def _make(
        data_dir: Path, *, http: httpx.Client | None = None, sync_interval_ms: int = 0
    ) -> MainWindow:
        launch = Launch(
            data_dir,
            http=http or wcn_server.http,
            sync_interval_ms=sync_interval_ms,
            demo_hint="Demo: every password is CareDemo-2026",
        )
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
    """Tap the name, type the password, press Enter; wait for the residents list, and for the
    sign-in to finish (it starts the lock timer last: a test that then shortens the timer
    must not have it set back to the home's minutes)."""
    window.sign_in.choose(username)
    assert window.sign_in.username_edit.text() == username
    window.sign_in.password_edit.setText(password)
    window.sign_in.password_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.workspace, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.residents.model.rowCount() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.inactivity.active, timeout=WAIT_MS)


def unreachable() -> httpx.Client:
    """A client for a server that cannot be reached (the network is down)."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.Client(transport=httpx.MockTransport(refuse))
