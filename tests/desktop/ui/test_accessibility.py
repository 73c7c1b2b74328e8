"""Touch-sized controls, keyboard shortcuts, bigger text and high contrast."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.theme import HIGH_CONTRAST, NORMAL
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in

TOUCH_MIN_PX = 44


def visible_controls(window: MainWindow) -> list[QPushButton | QLineEdit]:
    controls: list[QPushButton | QLineEdit] = [
        *window.findChildren(QPushButton),
        *window.findChildren(QLineEdit),
    ]
    return [c for c in controls if c.isVisible() and c.isEnabled()]


def test_every_visible_control_is_big_enough_to_tap(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    window.record.quick_buttons["food_fluid"].click()
    controls = visible_controls(window)
    assert len(controls) > 15
    small = [(c.text(), c.height()) for c in controls if c.height() < TOUCH_MIN_PX - 4]
    assert not small  # line edits are 40 px tall plus their focus border


def test_keyboard_shortcuts_move_around(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.currentWidget() is window.reviews
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.currentWidget() is window.residents
    assert window.residents.search_edit.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.sign_in
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)


def test_escape_goes_back_a_step(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    resident_id = window.residents.model.rows[0].resident_id
    window.open_care(resident_id, "care_plan")
    qtbot.waitUntil(lambda: window.care.resident_id == resident_id, timeout=WAIT_MS)
    window.activateWindow()
    window.care.setFocus()
    qtbot.waitUntil(window.care.hasFocus, timeout=WAIT_MS)
    QTest.keyClick(window.care, Qt.Key.Key_Escape)  # care planning: back to the record
    assert window.workspace.currentWidget() is window.record
    qtbot.waitUntil(lambda: window.record.profile is not None, timeout=WAIT_MS)
    window.record.setFocus()
    qtbot.waitUntil(window.record.hasFocus, timeout=WAIT_MS)
    QTest.keyClick(window.record, Qt.Key.Key_Escape)  # the record: back to the list
    assert window.workspace.currentWidget() is window.residents
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)


def test_bigger_text_and_high_contrast(
    qtbot: QtBot, window: MainWindow, qapp: QApplication
) -> None:
    theme = window.ui.theme
    before = qapp.font().pointSize()
    theme.bigger_text()
    assert qapp.font().pointSize() > before
    theme.smaller_text()
    assert qapp.font().pointSize() == before
    window.top_bar.contrast_action.trigger()
    assert theme.colours is HIGH_CONTRAST
    assert HIGH_CONTRAST.window in qapp.styleSheet()
    window.top_bar.contrast_action.trigger()
    assert theme.colours is NORMAL
