"""The authenticator pictures for the user guide, taken by ``desktop.ui.screenshots``: a home
manager's first sign-in (setting up the app, then the recovery codes) and the code step of a
later sign-in. ``shoot(name)`` saves the window once the app is idle."""

from __future__ import annotations

from collections.abc import Callable

from desktop.ui.main_window import MainWindow
from shared import totp
from shared.demo_data import DEMO_PASSWORD

Shoot = Callable[[str], None]
Wait = Callable[[str, Callable[[], bool]], None]


def take_mfa_screens(window: MainWindow, shoot: Shoot, wait_until: Wait) -> None:
    window.lock()
    sign_in = window.sign_in
    manager = next(s for s in sign_in.model.rows if s.role == "home_manager")
    sign_in.choose(manager.username)
    sign_in.password_edit.setText(DEMO_PASSWORD)
    sign_in.submit_password()
    setup = sign_in.mfa_setup
    wait_until("the new key", lambda: len(setup.key_label.text().replace(" ", "")) == 32)
    secret = setup.key_label.text().replace(" ", "")
    shoot("mfa-setup")

    setup.entry.code_edit.setText(totp.code_at(secret, totp.current_step()))
    setup.entry.submit()
    wait_until("the recovery codes", lambda: setup.steps.currentIndex() == 1)
    setup.written_down.setChecked(True)
    shoot("mfa-recovery-codes")
    setup.continue_button.click()
    wait_until("the manager signed in", lambda: window.ui.user is not None)

    window.lock()
    sign_in.choose(manager.username)
    sign_in.password_edit.setText(DEMO_PASSWORD)
    sign_in.submit_password()
    entry = sign_in.code_entry
    wait_until("the code step", lambda: sign_in.secret_stack.currentWidget() is entry)
    for digit in totp.code_at(secret, totp.current_step() + 1)[:3]:
        entry.pin_pad.press(digit)
    window.message_bar.clear()
    shoot("mfa-code")
    entry.back_button.click()
