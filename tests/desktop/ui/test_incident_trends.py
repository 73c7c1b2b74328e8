"""Incident trends in the app: from the incidents tab a carer sees the resident's trends (and
no home button); a senior opens the home's trends, with a fall just reported counted in this
month's row, the falls summary below, and a unit chosen from the list; the empty state says
nothing has been recorded; the table model passes Qt's model checks."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop.services.incident_trends import IncidentTrends, MonthCounts
from desktop.ui.main_window import MainWindow
from desktop.ui.models.incident_trends import TOTAL_ROW_LABEL, IncidentTrendsModel
from desktop.ui.screens.incident_trends import NOTHING_YET
from shared import incidents as inc
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in
from tests.desktop.ui.test_care_planning import open_care


def test_a_carer_sees_the_residents_empty_trends(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "care_assistant", "incidents")
    assert not care.home_trends_button.isVisible()
    assert care.resident_trends_button.height() >= 44  # big enough to tap
    care.resident_trends_button.click()
    view = care.trends
    assert care.incidents.currentWidget() is view
    qtbot.waitUntil(lambda: view.trends is not None, timeout=WAIT_MS)
    assert view.trends is not None and view.trends.scope == "resident"
    assert view.empty_label.isVisible() and view.empty_label.text() == NOTHING_YET
    assert not view.summary_label.isVisible()
    assert not view.table.isVisible() and not view.unit_choice.isVisible()
    assert view.back_button.height() >= 44
    view.back_button.click()
    assert care.incidents.currentWidget() is care.incident_form


def test_a_senior_sees_a_reported_fall_in_the_home_trends(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "senior_carer", "incidents")
    assert care.home_trends_button.isVisible()
    form = care.incident_form
    form.kind_buttons.select("Fall")
    form.seen_buttons.select("Not seen")
    form.severity_buttons.select("None")
    form.description_edit.setPlainText("Found on the floor beside the bed, no injury seen.")
    form.save_button.click()
    qtbot.waitUntil(care.prompt.isVisible, timeout=WAIT_MS)

    care.home_trends_button.click()
    view = care.trends
    qtbot.waitUntil(lambda: view.trends is not None and view.trends.total == 1, timeout=WAIT_MS)
    model = view.model
    this_month = 0  # newest first
    fall_column = 1 + tuple(inc.KINDS).index("fall")
    assert model.index(this_month, fall_column).data() == "1"
    assert model.index(model.rowCount() - 1, 0).data() == TOTAL_ROW_LABEL
    assert model.index(model.rowCount() - 1, model.columnCount() - 1).data() == "1"
    assert view.table.isVisible() and not view.empty_label.isVisible()
    assert view.summary_label.isVisible()
    assert "Falls in the last 30 days: 1, up from 0" in view.summary_label.text()
    qtbot.waitUntil(lambda: view.unit_choice.count() > 1, timeout=WAIT_MS)

    view.unit_choice.setCurrentIndex(1)
    view.unit_choice.activated.emit(1)
    unit_name = view.unit_choice.itemText(1)
    qtbot.waitUntil(
        lambda: view.trends is not None and view.trends.title == unit_name, timeout=WAIT_MS
    )
    assert view.trends is not None and view.trends.scope == "unit"
    assert unit_name in view.title_label.text()


def test_the_trends_model_passes_qts_checks(qtmodeltester: ModelTester) -> None:
    model = IncidentTrendsModel()
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]
    months = tuple(
        MonthCounts(dt.date(2026, m, 1), {k: (m + i) % 3 for i, k in enumerate(inc.KINDS)})
        for m in range(1, 13)
    )
    model.set_trends(IncidentTrends("home", "Home", months, 2, 1, (), (("Night", 1),)))
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]
    assert model.rowCount() == 13 and model.columnCount() == len(inc.KINDS) + 2
    assert model.index(0, 0).data() == "Dec 2026" and model.index(11, 0).data() == "Jan 2026"
    assert (
        model.headerData(1 + tuple(inc.KINDS).index("skin_damage"), Qt.Orientation.Horizontal)
        == "Skin damage"
    )
    total = sum(m.total for m in months)
    assert model.index(12, model.columnCount() - 1).data() == str(total)
    model.set_trends(None)
    assert model.rowCount() == 0


def test_a_nurse_opens_the_home_trends_from_the_due_screen(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    window.top_bar.due_button.click()
    due = window.due
    due.trends_button.click()
    view = due.trends
    assert due.stack.currentWidget() is view
    qtbot.waitUntil(lambda: view.trends is not None, timeout=WAIT_MS)
    assert view.trends is not None and view.trends.scope == "home"
    assert view.empty_label.isVisible() and view.unit_choice.isVisible()
    due.refresh()  # a background refresh keeps the trends in view
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)
    assert due.stack.currentWidget() is view
    view.back_button.click()
    assert due.stack.currentWidget() in (due.table, due.empty_label)
