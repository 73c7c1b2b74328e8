"""A resident's record: the banner, recording care, food and fluid with the 24-hour total,
the timeline, and corrections that keep their history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.services.notes import TimelineEntry
from desktop.ui.main_window import MainWindow
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.models.timeline import TimelineFilterModel, TimelineModel
from desktop.ui.screens import resident_record
from desktop.ui.screens.fluid_form import FluidForm
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def open_first_resident(qtbot: QtBot, window: MainWindow, server: InProcessServer) -> str:
    sign_in(qtbot, window, server.staff("care_assistant").username, DEMO_PASSWORD)
    summary = window.residents.model.rows[0]
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    record = window.record
    qtbot.waitUntil(
        lambda: record.banner.name_label.text() == summary.display_name, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: record.timeline.rowCount() > 0, timeout=WAIT_MS)
    return summary.resident_id


def newest(window: MainWindow) -> TimelineEntry:
    entry = window.record.timeline.row_at(0)
    assert entry is not None
    return entry


def test_banner_always_states_dnacpr_and_allergies(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    resident_id = open_first_resident(qtbot, window, wcn_server)
    seed = next(r for r in wcn_server.residents() if r.record_id == resident_id)
    chips = window.record.banner.chip_texts
    assert ("DNACPR in place" if seed.fields["dnacpr"] else "No DNACPR recorded") in chips
    assert any("allerg" in chip.lower() for chip in chips)
    assert f"Room {seed.fields['room']}" in window.record.banner.details_label.text()


def test_food_and_fluid_updates_the_24_hour_total(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    record = window.record
    record.quick_buttons["food_fluid"].click()
    form = record.forms["food_fluid"]
    assert isinstance(form, FluidForm)
    qtbot.waitUntil(lambda: form.total is not None, timeout=WAIT_MS)
    assert form.total is not None
    before = form.total.total_ml

    QTest.keyClicks(form.food_edit, "porridge")
    form.eaten.select("Most")
    form.preset_buttons[3].click()  # 200 ml
    assert form.amount_spin.value() == 200
    form.save_button.click()
    assert form.save_button.text() == "Saving…"  # not "Saved" until the service returned
    qtbot.waitUntil(lambda: form.saved_label.text().startswith("Saved at"), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: form.total is not None and form.total.total_ml == before + 200, timeout=WAIT_MS
    )
    assert f"{before + 200:,} ml of" in form.total_label.text()
    assert form.low_label.isVisible() == form.total.low
    qtbot.waitUntil(lambda: newest(window).summary == "200 ml Ate most: porridge.", timeout=WAIT_MS)
    assert form.amount_spin.value() == 0  # ready for the next drink


def test_implausible_amount_is_explained_at_the_field(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    window.record.quick_buttons["food_fluid"].click()
    form = window.record.forms["food_fluid"]
    assert isinstance(form, FluidForm)
    form.amount_spin.setValue(5000)
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("fluid_ml") != "", timeout=WAIT_MS)
    assert form.errors.message("fluid_ml") == "5000 ml at once is not plausible: check the amount."
    assert window.message_bar.text == form.errors.message("fluid_ml")
    assert form.amount_spin.property("invalid") is True
    assert form.saved_label.text() == ""


def test_a_note_appears_in_the_timeline_and_an_amendment_keeps_history(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    record = window.record
    record.quick_buttons["mood"].click()
    form = record.forms["mood"]
    form.choices.select("Calm")
    form.text_edit.setPlainText("Enjoyed the brass band on the radio.")
    form.save_button.click()
    qtbot.waitUntil(
        lambda: newest(window).summary == "Calm. Enjoyed the brass band on the radio.",
        timeout=WAIT_MS,
    )
    assert window.message_bar.text.startswith("Saved: Mood and wellbeing for")
    assert record.panel.currentIndex() == 0  # back to the quick-record buttons

    record.timeline_view.setCurrentIndex(record.filter.index(0, 0))
    assert record.amend_button.isEnabled()
    record.amend_button.click()
    correction = record.correction
    qtbot.waitUntil(lambda: correction.text_edit.toPlainText() != "", timeout=WAIT_MS)
    assert correction.text_edit.toPlainText() == "Calm. Enjoyed the brass band on the radio."

    correction.text_edit.setPlainText("Calm. Enjoyed the brass band on the television.")
    correction.save_button.click()  # no reason given
    qtbot.waitUntil(lambda: correction.errors.message("reason") != "", timeout=WAIT_MS)
    assert correction.errors.message("reason") == "Say why the note is being amended."

    correction.reason_edit.setText("Typing error")
    correction.save_button.click()
    qtbot.waitUntil(
        lambda: newest(window).summary == "Calm. Enjoyed the brass band on the television.",
        timeout=WAIT_MS,
    )
    entry = newest(window)
    assert entry.history == ("Calm. Enjoyed the brass band on the radio.",)
    assert record.selected_entry() == entry


def test_entered_in_error_stays_struck_through(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    record = window.record
    record.quick_buttons["general"].click()
    form = record.forms["general"]
    form.text_edit.setPlainText("Wrong resident: meant for room 2.")
    form.save_button.click()
    qtbot.waitUntil(
        lambda: newest(window).summary == "Wrong resident: meant for room 2.", timeout=WAIT_MS
    )
    record.timeline_view.setCurrentIndex(record.filter.index(0, 0))
    record.error_button.click()
    record.correction.reason_edit.setText("Recorded for the wrong resident")
    record.correction.save_button.click()
    qtbot.waitUntil(lambda: newest(window).status == "entered_in_error", timeout=WAIT_MS)
    assert newest(window).summary == "Wrong resident: meant for room 2."
    qtbot.waitUntil(lambda: record.selected_entry() is not None, timeout=WAIT_MS)
    assert not record.amend_button.isEnabled()


def test_empty_note_is_refused_in_plain_english(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    window.record.quick_buttons["repositioning"].click()
    form = window.record.forms["repositioning"]
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("position") != "", timeout=WAIT_MS)
    assert form.errors.message("position") == "Record the new position."
    form.choices.select("Left side")
    form.save_button.click()
    qtbot.waitUntil(lambda: newest(window).kind_label == "Repositioning", timeout=WAIT_MS)
    assert newest(window).summary.startswith("Repositioned: left side. (next turn due ")
    assert "Next turn due at" in window.message_bar.text


def test_timeline_filter_by_kind(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    record = window.record
    everything = record.filter.rowCount()
    record.kind_combo.setCurrentIndex(record.kind_combo.findText("Food and fluid"))
    shown = [record.filter.index(r, 0).data(ROW_ROLE) for r in range(record.filter.rowCount())]
    assert all(isinstance(e, TimelineEntry) and e.kind_label == "Food and fluid" for e in shown)
    assert len(shown) <= everything
    record.kind_combo.setCurrentIndex(0)
    assert record.filter.rowCount() == everything


def test_older_records_load_as_the_timeline_scrolls(
    qtbot: QtBot,
    window: MainWindow,
    wcn_server: InProcessServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(resident_record, "PAGE", 4)
    resident_id = open_first_resident(qtbot, window, wcn_server)
    record = window.record
    everything = window.ui.services.notes.timeline(resident_id, limit=1000)
    assert len(everything) > 8
    for _ in range(len(everything)):  # the carer scrolls down, page after page
        qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)
        if not record.timeline.canFetchMore(QModelIndex()):
            break
        record.timeline_view.scrollToBottom()
        record.timeline.fetchMore(QModelIndex())
    assert [e.record_id for e in record.timeline.rows] == [e.record_id for e in everything]
    assert not record.timeline.canFetchMore(QModelIndex())


def test_timeline_models_pass_the_model_tester(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, qtmodeltester: object
) -> None:
    open_first_resident(qtbot, window, wcn_server)
    model = TimelineModel()
    model.set_page(window.record.timeline.rows, has_more=False)
    proxy = TimelineFilterModel()
    proxy.setSourceModel(model)
    proxy.set_kind("Food and fluid")
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
