"""First run: enrolling the PC from the app, with clear errors."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from tests.desktop.conftest import SERVER_URL, InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, unreachable


def at_enrolment(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.enrolment, timeout=WAIT_MS)


def submit(qtbot: QtBot, window: MainWindow, server: str, code: str) -> None:
    screen = window.enrolment
    screen.server_edit.setText(server)
    screen.code_edit.setText(code)
    screen.enrol_button.click()
    qtbot.waitUntil(screen.enrol_button.isEnabled, timeout=WAIT_MS)


def test_enrol_downloads_the_home_then_asks_who_is_signing_in(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, wcn_server: InProcessServer
) -> None:
    window = make_window(tmp_path / "new-pc")
    at_enrolment(qtbot, window)
    assert window.sync_bar.state_label.text() == "This PC is not set up yet: nothing to sync"
    screen = window.enrolment
    screen.server_edit.setText(SERVER_URL)
    screen.code_edit.setText(wcn_server.issue_code())
    with qtbot.waitSignal(screen.enrolled, timeout=WAIT_MS):
        screen.enrol_button.click()
        assert not screen.enrol_button.isEnabled()
        assert screen.progress.isVisible()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.sign_in, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    assert window.top_bar.home_label.text() == wcn_server.home.fields["name"]
    assert window.message_bar.text.startswith("This PC is set up for")
    assert screen.progress.value() == screen.progress.maximum() > 0


def test_wrong_used_and_expired_codes_are_explained(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, wcn_server: InProcessServer
) -> None:
    window = make_window(tmp_path / "new-pc")
    at_enrolment(qtbot, window)
    screen = window.enrolment

    submit(qtbot, window, SERVER_URL, "ABCD-EFGH-JKLM")
    assert screen.errors.message("code").startswith("That enrolment code is not valid")
    assert window.message_bar.text == screen.errors.message("code")

    used = wcn_server.issue_code()
    submit(qtbot, window, SERVER_URL, used)  # enrols: a second window would be refused
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.sign_in, timeout=WAIT_MS)
    other = make_window(tmp_path / "second-pc")
    at_enrolment(qtbot, other)
    submit(qtbot, other, SERVER_URL, used)
    assert other.enrolment.errors.message("code").startswith(
        "That enrolment code has already been used"
    )

    expired = wcn_server.issue_code(minutes=-1)
    submit(qtbot, other, SERVER_URL, expired)
    assert other.enrolment.errors.message("code").startswith("That enrolment code has expired")
    assert other.pages.currentWidget() is other.enrolment


def test_bad_address_and_unreachable_server(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(tmp_path / "new-pc", http=unreachable())
    at_enrolment(qtbot, window)
    screen = window.enrolment
    submit(qtbot, window, "care.example.org", "ABCD-EFGH-JKLM")
    assert screen.errors.message("server").startswith("The server address must start with")
    submit(qtbot, window, "https://care.example.org", "")
    assert screen.errors.message("code") == "Type the enrolment code IT gave you."
    submit(qtbot, window, "https://care.example.org", "ABCD-EFGH-JKLM")
    assert screen.errors.message("server").startswith(
        "The server at https://care.example.org cannot be reached."
    )
    assert not (tmp_path / "new-pc").exists() or not any((tmp_path / "new-pc").iterdir())
