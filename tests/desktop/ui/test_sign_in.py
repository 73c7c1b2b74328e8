"""Signing in, locking and switching user on a shared PC."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.pin_dialog import PinDialog
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def test_staff_list_shows_names_and_roles(
    window: MainWindow, wcn_server: InProcessServer, qtmodeltester: object
) -> None:
    carer = wcn_server.staff("care_assistant")
    names = [s.display_name for s in window.sign_in.model.rows]
    assert carer.display_name in names
    assert "IT Administrator" not in names
    assert window.sign_in.hint_label.text().startswith("Demo:")
    assert window.top_bar.user_label.text() == "Nobody is signed in"
    qtmodeltester.check(window.sign_in.model)  # type: ignore[attr-defined]


def test_sign_in_shows_who_is_signed_in(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    carer = wcn_server.staff("care_assistant")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    assert window.top_bar.user_label.text() == f"{carer.display_name}\nCare assistant"
    assert window.workspace.currentWidget() is window.residents


def test_wrong_password_is_shown_at_the_field_and_in_the_bar(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    carer = wcn_server.staff("care_assistant")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    window.lock()
    window.sign_in.password_edit.setText("not-my-password")
    window.sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: window.message_bar.text != "", timeout=WAIT_MS)
    assert window.message_bar.text.startswith("That is not right.")
    assert window.sign_in.errors.message("password") == window.message_bar.text
    assert "Traceback" not in window.message_bar.text
    assert window.pages.currentWidget() is window.sign_in


def test_a_form_survives_the_lock_for_the_same_person(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    carer = wcn_server.staff("care_assistant")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    record = window.record
    record.quick_buttons["mood"].click()
    form = record.forms["mood"]
    form.choices.select("Calm")
    form.text_edit.setPlainText("Chatting about the garden")

    window.inactivity.set_timeout_ms(1)  # nobody touches the PC
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.sign_in, timeout=WAIT_MS)
    assert window.top_bar.user_label.text() == f"Locked ({carer.display_name})"
    assert "Locked." in window.sign_in.status_label.text()
    assert window.sign_in.username_edit.text() == carer.username

    window.sign_in.password_edit.setText(DEMO_PASSWORD)
    window.sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.workspace, timeout=WAIT_MS)
    assert window.workspace.currentWidget() is record
    assert record.current_form is form
    assert form.choices.selected() == ["Calm"]
    assert form.text_edit.toPlainText() == "Chatting about the garden"


def test_someone_else_signing_in_does_not_inherit_the_form(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    carer, senior = wcn_server.staff("care_assistant"), wcn_server.staff("senior_carer")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    window.record.quick_buttons["general"].click()
    window.record.forms["general"].text_edit.setPlainText("Half-written")
    window.top_bar.lock_button.click()
    sign_in(qtbot, window, senior.username, DEMO_PASSWORD)
    assert window.workspace.currentWidget() is window.residents
    assert not window.record.is_dirty()
    assert (
        window.message_bar.text
        == f"{carer.display_name}'s unsaved form was closed, because someone else signed in."
    )


def test_pin_sign_in_after_setting_a_pin(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    carer = wcn_server.staff("care_assistant")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    monkeypatch.setattr(PinDialog, "ask", classmethod(lambda cls, parent: "2580"))
    window.top_bar.pin_button.click()
    qtbot.waitUntil(
        lambda: window.message_bar.text == "Your PIN is set for this PC.", timeout=WAIT_MS
    )
    window.lock()
    qtbot.waitUntil(lambda: any(s.has_pin for s in window.sign_in.model.rows), timeout=WAIT_MS)
    window.sign_in.choose(carer.username)
    assert window.sign_in.secret_stack.currentIndex() == 1  # the PIN pad
    for digit in "2580":
        window.sign_in.pin_pad.press(digit)
    window.sign_in.pin_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.workspace, timeout=WAIT_MS)
    assert window.ui.user is not None and window.ui.user.username == carer.username
