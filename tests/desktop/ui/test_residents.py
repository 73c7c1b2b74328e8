"""Finding a resident: the list by unit and room, alerts, search, the empty state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.models.residents import Column, ResidentTableModel
from desktop.ui.models.rows import ROW_ROLE
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def shown_names(window: MainWindow) -> list[str]:
    proxy = window.residents.proxy
    return [str(proxy.index(row, Column.NAME).data()) for row in range(proxy.rowCount())]


def test_list_is_by_unit_and_room_with_alerts(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    rows = window.residents.model.rows
    assert len(rows) == len(wcn_server.residents())
    keys = [(r.unit_name, int(r.room)) for r in rows]
    assert keys == sorted(keys)
    with_alerts = [r for r in rows if r.alerts]
    assert with_alerts, "the demo provider has residents with alerts"
    model = window.residents.model
    row = model.row_of(with_alerts[0].resident_id)
    assert model.index(row, Column.ALERTS).data() == ", ".join(with_alerts[0].alerts)
    assert "residents ·" in window.residents.count_label.text()


def test_search_by_name_room_and_nhs_number(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    target = window.residents.model.rows[3]
    search = window.residents.search_edit

    QTest.keyClicks(search, target.full_name.split()[-1].lower())
    assert target.display_name in shown_names(window)
    search.clear()
    QTest.keyClicks(search, target.nhs_number[-6:])
    assert shown_names(window) == [target.display_name]
    search.clear()
    QTest.keyClicks(search, f"room {target.room}")
    assert target.display_name in shown_names(window)

    search.clear()
    QTest.keyClicks(search, "zzzz")
    assert window.residents.stack.currentWidget() is window.residents.empty_label
    assert "No resident matches “zzzz”" in window.residents.empty_label.text()

    search.clear()
    QTest.keyClicks(search, target.nhs_number)
    QTest.keyClick(search, Qt.Key.Key_Return)  # Enter opens the only match
    qtbot.waitUntil(
        lambda: window.record.banner.name_label.text() == target.display_name, timeout=WAIT_MS
    )


def test_unit_filter(qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    combo = window.residents.unit_combo
    assert combo.count() == 3  # all units, and the home's two
    combo.setCurrentIndex(1)
    proxy = window.residents.proxy
    units = {proxy.index(r, 0).data(ROW_ROLE).unit_name for r in range(proxy.rowCount())}
    assert units == {combo.currentText()}


def test_resident_model_passes_the_model_tester(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, qtmodeltester: object
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    model = ResidentTableModel()
    model.set_rows(window.residents.model.rows)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(window.residents.proxy)  # type: ignore[attr-defined]
