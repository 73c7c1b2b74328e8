"""Observations as a carer records them: readings typed in, each NEWS2 parameter's score and
the total with its band shown as they type, an unusual value confirmed, an impossible one
refused at its field, soft signs with the resident's baseline and the SBARD prompt, the
timeline's NEWS2 chip, and the trend charts with their empty state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDateTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop.services.notes import TimelineEntry
from desktop.ui.main_window import MainWindow
from desktop.ui.screens.observations_form import ObservationsForm
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in

SHOTS = Path("/tmp/wcn-observations")


def open_observations(
    qtbot: QtBot, window: MainWindow, server: InProcessServer, role: str = "care_assistant"
) -> ObservationsForm:
    sign_in(qtbot, window, server.staff(role).username, DEMO_PASSWORD)
    summary = window.residents.model.rows[0]
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    record = window.record
    qtbot.waitUntil(
        lambda: record.banner.name_label.text() == summary.display_name, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: record.timeline.rowCount() > 0, timeout=WAIT_MS)
    assert record.observations_button.isEnabled()
    record.observations_button.click()
    form = record.observations
    assert record.panel.currentWidget() is form
    qtbot.waitUntil(lambda: form.baseline is not None, timeout=WAIT_MS)
    return form


def type_readings(form: ObservationsForm, readings: dict[str, str]) -> None:
    for key, text in readings.items():
        form.edits[key].clear()
        QTest.keyClicks(form.edits[key], text)


def newest(window: MainWindow) -> TimelineEntry:
    entry = window.record.timeline.row_at(0)
    assert entry is not None
    return entry


def shot(window: MainWindow, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / f"{name}.png"))


def test_scores_show_as_you_type_and_a_high_score_calls_for_an_emergency_response(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    assert form.news2_box.total_label.text().startswith("NEWS2: enter the observations")
    type_readings(form, {"temperature": "38.4", "pulse": "112"})
    assert form.scores_shown() == {"temperature": "1", "pulse": "2"}
    assert form.news2_box.total_label.text() == "NEWS2 not calculated yet"
    type_readings(
        form,
        {"respiration_rate": "24", "systolic_bp": "118", "diastolic_bp": "70", "spo2": "92"},
    )
    form.air_choice.select("Air")
    form.level_choice.select("A: Alert")
    assert form.scale_choice.selected() == ["Scale 1"]  # the resident's usual scale
    assert form.scores_shown() == {
        "temperature": "1",
        "pulse": "2",
        "respiration_rate": "2",
        "systolic_bp": "0",
        "spo2": "2",
        "on_oxygen": "0",
        "consciousness": "0",
    }
    assert form.news2_box.total_label.text() == "NEWS2 7: high risk"
    assert form.news2_box.colour == "red"
    assert "Emergency response" in form.escalation_label.text()
    assert "red" not in form.chips["pulse"].styleSheet()  # a 2 is orange on the RCP chart
    shot(window, "entering")

    form.save_button.click()
    assert form.save_button.text() == "Saving…"
    qtbot.waitUntil(lambda: form.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert form.result.saved_label.text().startswith("Saved at")
    assert form.result.box.total_label.text() == "NEWS2 7: high risk"
    assert form.result.sbard_label.isVisible()
    assert "Situation" in form.result.sbard_label.text()
    qtbot.waitUntil(lambda: newest(window).kind_label == "Observations", timeout=WAIT_MS)
    entry = newest(window)
    assert (entry.score_label, entry.score_colour) == ("NEWS2 7", "red")
    assert entry.summary.startswith("NEWS2 7, high risk. Temperature 38.4 °C, pulse 112/min")
    assert window.message_bar.text.endswith("NEWS2 7.")
    shot(window, "saved")
    form.result.done_button.click()
    assert window.record.panel.currentIndex() == 0
    assert not form.is_dirty()


def test_an_unusual_value_is_confirmed_before_it_is_saved(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    before = newest(window)
    type_readings(form, {"pulse": "38"})
    assert form.scores_shown() == {"pulse": "3"}
    assert form.news2_box.total_label.text() == "NEWS2 incomplete: already low-medium risk"
    form.save_button.click()
    qtbot.waitUntil(form.confirm_frame.isVisible, timeout=WAIT_MS)
    assert form.confirm_label.text().startswith("Pulse 38 beats a minute is unusual")
    assert newest(window) == before  # nothing saved yet
    assert form.pages.currentIndex() == 0
    form.confirm_button.click()
    qtbot.waitUntil(lambda: form.pages.currentIndex() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: newest(window).record_id != before.record_id, timeout=WAIT_MS)
    assert newest(window).summary.endswith("Pulse 38/min.")
    assert newest(window).score_colour == "yellow"  # already low-medium with one 3


def test_an_impossible_value_is_refused_at_its_field(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    before = newest(window)
    type_readings(form, {"temperature": "60", "pulse": "80"})
    assert "temperature" not in form.scores_shown()  # not scored: it cannot be right
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("temperature") != "", timeout=WAIT_MS)
    assert form.errors.message("temperature").startswith("Temperature 60 °C is not possible")
    assert form.edits["temperature"].property("invalid") is True
    assert window.message_bar.text == form.errors.message("temperature")
    assert not form.confirm_frame.isVisible()
    assert form.pages.currentIndex() == 0
    assert newest(window) == before

    type_readings(form, {"temperature": "thirty seven"})
    form.save_button.click()
    qtbot.waitUntil(
        lambda: form.errors.message("temperature").startswith("The temperature must be a number"),
        timeout=WAIT_MS,
    )
    shot(window, "refused")

    type_readings(form, {"temperature": "37.0"})
    form.taken_edit.setDateTime(QDateTime.currentDateTime().addSecs(2 * 3600))
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("occurred_at") != "", timeout=WAIT_MS)
    assert "cannot be in the future" in form.errors.message("occurred_at")
    assert newest(window) == before


def test_soft_signs_with_the_baseline_prompt_an_sbard_handover(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server, role="nurse")
    record = window.record
    assert form.baseline_label.text().startswith("No baseline recorded")
    assert form.baseline_button.isEnabled()
    form.baseline_button.click()
    baseline = record.baseline
    assert record.panel.currentWidget() is baseline
    QTest.keyClicks(baseline.edits["usual_alertness"], "Chatty, knows staff by name")
    QTest.keyClicks(baseline.edits["usual_eating_drinking"], "Eats everything at lunch")
    baseline.save_button.click()
    qtbot.waitUntil(lambda: record.panel.currentWidget() is form, timeout=WAIT_MS)
    assert form.baseline_label.text() == (
        "Usually: Alertness, memory and confusion: Chatty, knows staff by name; "
        "Eating and drinking: Eats everything at lunch."
    )
    form.signs.select("Confused or drowsy")
    form.signs.select("Eating or drinking less")
    form.note_edit.setPlainText("Did not know her daughter this morning.")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert not form.result.box.isVisible()  # no readings: RESTORE2mini
    text = form.result.sbard_label.text()
    for heading in ("Situation", "Background", "Assessment", "Recommendation", "Decision"):
        assert f"<b>{heading}</b>" in text
    assert "Chatty, knows staff by name" in text
    qtbot.waitUntil(
        lambda: newest(window).summary.startswith("Soft signs: new or worse confusion"),
        timeout=WAIT_MS,
    )
    shot(window, "soft-signs")


def test_observations_can_be_marked_entered_in_error(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    record = window.record
    type_readings(form, {"weight_kg": "61.4"})
    form.save_button.click()
    qtbot.waitUntil(lambda: newest(window).summary == "Weight 61.4 kg.", timeout=WAIT_MS)
    form.result.done_button.click()
    record.timeline_view.setCurrentIndex(record.filter.index(0, 0))
    assert record.error_button.isEnabled()
    assert not record.amend_button.isEnabled()  # readings are not reworded: re-record them
    record.error_button.click()
    assert record.correction.title.text() == "Mark these observations as entered in error"
    record.correction.reason_edit.setText("Wrong resident")
    record.correction.save_button.click()
    qtbot.waitUntil(lambda: newest(window).status == "entered_in_error", timeout=WAIT_MS)


def test_trends_chart_weight_news2_and_fluids_with_an_empty_state(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    record = window.record
    record.views.setCurrentIndex(1)
    trends = record.trends
    qtbot.waitUntil(lambda: trends.trends is not None, timeout=WAIT_MS)
    assert trends.weight_chart.empty  # the demo records no weights
    assert trends.weight_chart.description == "No weight recorded in this period."
    assert not trends.news2_chart.empty  # the demo's full sets of observations
    assert trends.news2_chart.accessibleDescription().startswith("NEWS2: latest")

    type_readings(form, {"weight_kg": "61.4"})
    form.save_button.click()
    qtbot.waitUntil(lambda: not trends.weight_chart.empty, timeout=WAIT_MS)
    assert trends.weight_chart.description.startswith("Weight: latest 61.4 kg")
    shot(window, "trends")

    trends.span_choice.select("Last 12 months")
    qtbot.waitUntil(
        lambda: trends.trends is not None and trends.trends.span.value == "months",
        timeout=WAIT_MS,
    )
    assert trends.trends is not None and len(trends.trends.weight.points) == 12
    assert trends.span_choice.selected() == ["Last 12 months"]
    shot(window, "trends-months")


def test_every_control_of_the_form_and_the_trends_is_big_enough_to_tap(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    form = open_observations(qtbot, window, wcn_server)
    record = window.record
    record.views.setCurrentIndex(1)
    qtbot.waitUntil(lambda: record.trends.trends is not None, timeout=WAIT_MS)
    every: list[QPushButton | QLineEdit] = [
        *window.findChildren(QPushButton),
        *window.findChildren(QLineEdit),
    ]
    controls = [
        c
        for c in every
        if c.isVisible()
        and c.isEnabled()
        and (form.isAncestorOf(c) or record.trends.isAncestorOf(c))
    ]
    assert len(controls) > 15
    assert not [(c.text(), c.height()) for c in controls if c.height() < 40]
