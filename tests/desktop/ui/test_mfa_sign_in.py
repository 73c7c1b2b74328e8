"""A manager's sign-in with an authenticator app, driven through the widgets against the real
sync server app: first-time setup (QR code and key, first code, recovery codes shown once),
the code step on later sign-ins (on-screen pad), and the same PC signing them in offline with
its own check, with clear errors and the lock-out."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.mfa_code import CodeEntry
from desktop.ui.screens.sign_in import CODE_PAGE, PASSWORD_PAGE
from shared import totp
from shared.demo_data import DEMO_PASSWORD, DemoStaff
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, unreachable


@pytest.fixture
def manager(wcn_server: InProcessServer) -> DemoStaff:
    return wcn_server.staff("home_manager")


def type_password(window: MainWindow, username: str) -> None:
    window.sign_in.choose(username)
    window.sign_in.password_edit.setText(DEMO_PASSWORD)
    window.sign_in.password_edit.returnPressed.emit()


def tap_code(window: MainWindow, code: str) -> None:
    """Type the code on the on-screen pad, then tap Sign in."""
    entry = window.sign_in.code_entry
    entry.pin_pad.press("Clear")
    for digit in code:
        entry.pin_pad.press(digit)
    assert entry.code_edit.text() == code
    entry.confirm_button.click()


def code_error_says(entry: CodeEntry, text: str) -> Callable[[], bool]:
    return lambda: text in entry.errors.message("code")


def in_workspace(window: MainWindow) -> bool:
    return window.pages.currentWidget() is window.workspace


def set_up_authenticator(qtbot: QtBot, window: MainWindow, manager: DemoStaff) -> tuple[str, int]:
    """The first-time setup, as the manager does it; returns the key and the step used."""
    type_password(window, manager.username)
    setup = window.sign_in.mfa_setup
    qtbot.waitUntil(lambda: window.sign_in.steps.currentWidget() is setup, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Getting" not in setup.key_label.text(), timeout=WAIT_MS)
    secret = setup.key_label.text().replace(" ", "")
    assert len(secret) == 32
    assert window.message_bar.text == ""  # a right password is a step, not an error
    if importlib.util.find_spec("segno") is not None:
        modules = setup.qr_view.modules
        assert len(modules) == len(modules[0]) >= 21 + 8  # a real QR symbol and its quiet zone
        assert not setup.qr_view.isHidden() and setup.no_qr_label.isHidden()
    else:  # no QR library: the key as text, and a sentence saying so
        assert setup.qr_view.isHidden() and not setup.no_qr_label.isHidden()

    setup.entry.code_edit.setText("12345")
    setup.entry.confirm_button.click()
    assert setup.entry.errors.message("code") == "Type all six digits of the code, with no spaces."
    step = totp.current_step()
    wrong = "000000" if totp.code_at(secret, step) != "000000" else "111111"
    setup.entry.code_edit.setText(wrong)
    setup.entry.code_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: setup.entry.errors.message("code") != "", timeout=WAIT_MS)
    assert setup.entry.errors.message("code").startswith("That code is not right")

    setup.entry.code_edit.setText(totp.code_at(secret, step))
    setup.entry.confirm_button.click()
    qtbot.waitUntil(lambda: setup.steps.currentIndex() == 1, timeout=WAIT_MS)
    codes = setup.codes_label.text().splitlines()
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    assert not setup.continue_button.isEnabled()
    assert not in_workspace(window)
    setup.written_down.setChecked(True)
    setup.continue_button.click()
    qtbot.waitUntil(lambda: in_workspace(window), timeout=WAIT_MS)
    assert setup.codes_label.text() == ""  # shown once
    assert window.ui.services.session.last_recovery_codes == []
    return secret, step


def test_a_manager_sets_up_the_app_then_signs_in_with_its_code(
    qtbot: QtBot, window: MainWindow, manager: DemoStaff
) -> None:
    secret, step = set_up_authenticator(qtbot, window, manager)
    assert window.top_bar.user_label.text().startswith(f"{manager.display_name}\n")
    assert window.sign_in.mfa_setup.key_label.text() == ""  # nothing of it left behind
    window.lock()
    type_password(window, manager.username)
    sign_in = window.sign_in
    qtbot.waitUntil(lambda: sign_in.secret_stack.currentIndex() == CODE_PAGE, timeout=WAIT_MS)
    assert "six-digit code" in sign_in.code_entry.prompt.text()
    assert sign_in.password_edit.text() == ""
    assert window.message_bar.text == ""
    tap_code(window, totp.code_at(secret, step))  # used at setup: refused
    qtbot.waitUntil(lambda: sign_in.code_entry.errors.message("code") != "", timeout=WAIT_MS)
    assert "already used" in sign_in.code_entry.errors.message("code")
    tap_code(window, totp.code_at(secret, step + 1))
    qtbot.waitUntil(lambda: in_workspace(window), timeout=WAIT_MS)
    assert sign_in.secret_stack.currentIndex() == PASSWORD_PAGE


def test_back_from_the_code_forgets_the_half_done_sign_in(
    qtbot: QtBot, window: MainWindow, manager: DemoStaff
) -> None:
    set_up_authenticator(qtbot, window, manager)
    window.lock()
    type_password(window, manager.username)
    sign_in = window.sign_in
    qtbot.waitUntil(lambda: sign_in.secret_stack.currentIndex() == CODE_PAGE, timeout=WAIT_MS)
    sign_in.code_entry.back_button.click()
    assert sign_in.secret_stack.currentIndex() == PASSWORD_PAGE
    qtbot.waitUntil(lambda: not window.ui.services.session.waiting_for_code, timeout=WAIT_MS)


def test_offline_the_pc_checks_the_code_itself(
    qtbot: QtBot,
    make_window: MakeWindow,
    window: MainWindow,
    manager: DemoStaff,
    pc_data_dir: Path,
) -> None:
    secret, step = set_up_authenticator(qtbot, window, manager)
    window.shutdown()
    offline = make_window(pc_data_dir, http=unreachable())
    qtbot.waitUntil(lambda: offline.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    sign_in = offline.sign_in
    entry = sign_in.code_entry

    type_password(offline, manager.username)
    qtbot.waitUntil(lambda: sign_in.secret_stack.currentIndex() == CODE_PAGE, timeout=WAIT_MS)
    right = totp.code_at(secret, step + 1)
    wrong = "123456" if right != "123456" else "654321"
    tap_code(offline, wrong)
    qtbot.waitUntil(lambda: entry.errors.message("code") != "", timeout=WAIT_MS)
    assert entry.errors.message("code") == (
        "That code is not right, or was already used: wait for the next code. "
        "4 attempt(s) left before a short lock."
    )
    assert offline.message_bar.text == entry.errors.message("code")

    entry.recovery_button.click()
    assert not entry.pin_pad.isVisible() and entry.code_edit.maxLength() == 40
    entry.code_edit.setText("ABCD-EFGH-JKLM-NPQR")
    entry.confirm_button.click()
    qtbot.waitUntil(lambda: "cannot be reached" in entry.errors.message("code"), timeout=WAIT_MS)
    entry.recovery_button.click()
    assert entry.pin_pad.isVisible()

    tap_code(offline, right)
    qtbot.waitUntil(lambda: in_workspace(offline), timeout=WAIT_MS)
    assert offline.top_bar.user_label.text().startswith(f"{manager.display_name}\n")

    # Lock-out: five wrong codes in a row, then even the password is refused for a while.
    offline.lock()
    type_password(offline, manager.username)
    qtbot.waitUntil(lambda: sign_in.secret_stack.currentIndex() == CODE_PAGE, timeout=WAIT_MS)
    for left in ("4", "3", "2", "1"):
        tap_code(offline, wrong)
        qtbot.waitUntil(code_error_says(entry, f"{left} attempt(s) left"), timeout=WAIT_MS)
    tap_code(offline, wrong)
    qtbot.waitUntil(lambda: sign_in.secret_stack.currentIndex() == PASSWORD_PAGE, timeout=WAIT_MS)
    assert sign_in.errors.message("password") == (
        "Too many wrong attempts: this account is locked for 5 minutes."
    )
    type_password(offline, manager.username)
    qtbot.waitUntil(lambda: "try again in" in sign_in.errors.message("password"), timeout=WAIT_MS)
    assert not in_workspace(offline)


def test_a_set_up_left_on_the_screen_closes_itself_and_signs_out(
    qtbot: QtBot, window: MainWindow, manager: DemoStaff
) -> None:
    """A shared PC: the recovery codes (with the manager signed in behind them) do not stay
    on the screen for the next person."""
    setup = window.sign_in.mfa_setup
    type_password(window, manager.username)
    qtbot.waitUntil(lambda: len(setup.key_label.text().replace(" ", "")) == 32, timeout=WAIT_MS)
    secret = setup.key_label.text().replace(" ", "")
    setup.timeout_ms = 200
    setup.entry.code_edit.setText(totp.code_at(secret, totp.current_step()))
    setup.entry.confirm_button.click()
    qtbot.waitUntil(lambda: setup.steps.currentIndex() == 1, timeout=WAIT_MS)
    assert setup.codes_label.text() != ""
    qtbot.waitUntil(lambda: window.sign_in.steps.currentIndex() == 0, timeout=WAIT_MS)
    assert setup.codes_label.text() == "" and setup.key_label.text() == ""
    assert "left for 5 minutes" in window.sign_in.errors.message("password")
    qtbot.waitUntil(lambda: window.ui.services.session.current is None, timeout=WAIT_MS)
    assert not in_workspace(window)
    # The app was set up: the next sign-in asks for its code.
    type_password(window, manager.username)
    qtbot.waitUntil(
        lambda: window.sign_in.secret_stack.currentIndex() == CODE_PAGE, timeout=WAIT_MS
    )
