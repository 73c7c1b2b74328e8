"""Admitting, moving and discharging residents and editing a profile, driven through the
widgets: every bad value (names, date of birth, NHS number check digit, unit, room) is shown
at its field before anything is saved; a room already taken asks first; a prospective
resident is listed apart until admitted."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.residents import NO_PROSPECTIVE
from desktop.ui.widgets.profile_actions import discharge_note
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def names(window: MainWindow) -> set[str]:
    return {r.display_name for r in window.residents.model.rows}


def test_a_senior_admits_a_resident_with_every_error_shown_at_its_field(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, qtmodeltester: object
) -> None:
    sign_in(qtbot, window, wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    screen = window.residents
    assert screen.admit_button.isVisible()
    before = screen.model.rowCount()
    taken = screen.model.rows[0]
    screen.admit_button.click()
    form = screen.admit_form
    assert screen.pages.currentWidget() is screen.admit_page
    qtbot.waitUntil(lambda: form.unit_combo.count() > 1, timeout=WAIT_MS)

    form.save_button.click()
    assert form.errors.message("first_name") == "Write the first name."
    form.edits["first_name"].setText("Edith")
    form.edits["last_name"].setText("Barnes")
    form.save_button.click()
    assert form.errors.message("date_of_birth") == "Enter the date of birth."
    form.edits["date_of_birth"].setText("31/02/1939")
    form.save_button.click()
    assert "must be a date" in form.errors.message("date_of_birth")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    form.edits["date_of_birth"].setText(tomorrow.strftime("%d/%m/%Y"))
    form.edits["date_of_birth"].editingFinished.emit()  # leaving the field checks it
    assert form.errors.message("date_of_birth") == "Date of birth cannot be in the future."
    form.edits["date_of_birth"].setText("14/07/1939")
    form.edits["nhs_number"].setText("943 476 5918")
    form.edits["nhs_number"].editingFinished.emit()
    assert "check digit is wrong" in form.errors.message("nhs_number")
    form.save_button.click()
    assert "check digit is wrong" in form.errors.message("nhs_number")
    form.edits["nhs_number"].setText("943 476 5919")
    form.save_button.click()
    assert form.errors.message("unit_id") == "Choose the unit."
    assert screen.model.rowCount() == before  # nothing was saved

    form.unit_combo.setCurrentIndex(form.unit_combo.findData(taken.unit_id))
    form.edits["room"].setText(taken.room)
    form.edits["allergies"].setText("Penicillin (rash)")
    form.save_button.click()  # someone's room already
    qtbot.waitUntil(lambda: not form.room_confirm.isHidden(), timeout=WAIT_MS)
    assert "already" in form.errors.message("room")
    form.room_confirm.click()
    record = window.record
    qtbot.waitUntil(lambda: window.workspace.currentWidget() is record, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: record.banner.name_label.text() == "Edith Barnes", timeout=WAIT_MS)
    assert "NHS 943 476 5919" in record.banner.details_label.text()
    assert "Allergy: Penicillin (rash)" in record.banner.chip_texts
    assert window.message_bar.text == "Admitted: Edith Barnes."
    window.show_residents()
    qtbot.waitUntil(lambda: "Edith Barnes" in names(window), timeout=WAIT_MS)
    qtmodeltester.check(screen.prospective_model)  # type: ignore[attr-defined]


def test_a_prospective_resident_is_listed_apart_then_admitted(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    screen = window.residents
    screen.prospective_button.click()
    assert screen.stack.currentWidget() is screen.empty_label
    assert screen.empty_label.text() == NO_PROSPECTIVE
    screen.prospective_button.click()
    screen.admit_button.click()
    form = screen.admit_form
    qtbot.waitUntil(lambda: form.unit_combo.count() > 1, timeout=WAIT_MS)
    form.edits["first_name"].setText("Arthur")
    form.edits["last_name"].setText("Penn")
    form.edits["date_of_birth"].setText("02/11/1936")
    form.unit_combo.setCurrentIndex(1)
    form.prospective_box.setChecked(True)
    assert form.save_button.text() == "Save prospective resident"
    form.save_button.click()
    record = window.record
    qtbot.waitUntil(lambda: record.banner.name_label.text() == "Arthur Penn", timeout=WAIT_MS)
    assert "Prospective, not admitted" in record.banner.details_label.text()
    assert record.profile_actions.status_label.text().startswith("Not admitted yet")
    assert record.profile_actions.admit_button.isVisibleTo(
        record
    ) and not record.profile_actions.move_button.isVisibleTo(record)
    resident_id = record.resident_id
    window.show_residents()
    qtbot.waitUntil(lambda: screen.prospective_button.text() == "Prospective (1)", timeout=WAIT_MS)
    assert "Arthur Penn" not in names(window)  # not on the floor list
    assert screen.showing_prospective
    assert screen.table.model() is screen.prospective_proxy
    assert screen.prospective_proxy.rowCount() == 1

    window.open_resident(resident_id)
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    record.profile_actions.admit_button.click()
    move = record.move_form
    assert move.title.text() == "Admit Arthur Penn"
    qtbot.waitUntil(lambda: move.unit_combo.count() > 0, timeout=WAIT_MS)
    move.room_edit.setText("33")
    move.submit_button.click()
    qtbot.waitUntil(record.profile_actions.status_label.isHidden, timeout=WAIT_MS)
    assert window.message_bar.text == "Admitted: Arthur Penn, room 33."
    assert record.profile_actions.move_button.isVisibleTo(record)
    window.show_residents()
    qtbot.waitUntil(lambda: "Arthur Penn" in names(window), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.prospective_button.text() == "Prospective", timeout=WAIT_MS)


def test_moving_room_and_discharge_from_the_record(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    rows = window.residents.model.rows
    subject, other = rows[0], rows[1]
    window.open_resident(subject.resident_id)
    record = window.record
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    record.profile_actions.move_button.click()
    move = record.move_form
    qtbot.waitUntil(lambda: move.unit_combo.count() > 0, timeout=WAIT_MS)
    move.submit_button.click()  # no room
    assert move.errors.message("room") == "Write the room they are moving to."
    move.unit_combo.setCurrentIndex(move.unit_combo.findData(subject.unit_id))
    move.room_edit.setText(subject.room)
    move.submit_button.click()
    qtbot.waitUntil(lambda: "now" in move.errors.message("room"), timeout=WAIT_MS)
    move.unit_combo.setCurrentIndex(move.unit_combo.findData(other.unit_id))
    move.room_edit.setText(other.room)
    move.submit_button.click()
    qtbot.waitUntil(lambda: not move.confirm_button.isHidden(), timeout=WAIT_MS)
    move.cancel_button.click()
    record.profile_actions.move_button.click()
    qtbot.waitUntil(lambda: move.unit_combo.count() > 0, timeout=WAIT_MS)
    move.room_edit.setText("40A")
    move.submit_button.click()
    qtbot.waitUntil(lambda: "Room 40A" in record.banner.details_label.text(), timeout=WAIT_MS)
    assert window.message_bar.text.startswith(f"Moved: {subject.display_name} is now in room 40A")

    record.profile_actions.discharge_button.click()
    assert move.title.text() == f"Discharge {subject.display_name}"
    assert "Their records are kept" in move.explain_label.text()
    assert move.fields.isHidden() and not move.discharge_fields.isHidden()
    assert move.left_on_edit.date() == QDate.currentDate()  # today, unless changed
    assert move.left_on_edit.maximumDate() == QDate.currentDate()
    move.submit_button.click()  # no reason: refused at the field, nothing sent
    assert move.errors.message("discharge_reason") == "Choose why they left."
    assert move.is_dirty() is False
    move.reason_combo.setCurrentIndex(move.reason_combo.findData("other"))
    assert move.death_hint.isHidden()
    move.submit_button.click()  # "somewhere else" without saying where: the service refuses
    qtbot.waitUntil(lambda: move.errors.message("discharge_note") != "", timeout=WAIT_MS)
    assert move.errors.message("discharge_note") == "Say where they went."
    move.reason_combo.setCurrentIndex(move.reason_combo.findData("died"))
    assert not move.death_hint.isHidden()
    assert move.is_dirty()
    move.left_on_edit.setDate(QDate.currentDate().addDays(-1))
    move.submit_button.click()
    qtbot.waitUntil(lambda: window.workspace.currentWidget() is window.residents, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: subject.resident_id not in {r.resident_id for r in window.residents.model.rows},
        timeout=WAIT_MS,
    )
    assert window.message_bar.text.startswith(f"Discharged: {subject.display_name}. Also record")
    profile = window.ui.services.residents.refresh(subject.resident_id)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert profile.fields["discharged_on"] == yesterday.isoformat()
    assert profile.fields["discharge_reason"] == "died"
    assert discharge_note(profile.fields) == (
        f"Discharged on {yesterday.day} {yesterday:%b %Y}: Died. No longer on the residents list."
    )


def test_editing_the_profile_checks_each_field_and_keeps_identity_for_seniors(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, qapp: QApplication
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    assert not window.residents.admit_button.isVisible()
    subject = window.residents.model.rows[0]
    window.open_resident(subject.resident_id)
    record = window.record
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    assert not record.profile_actions.move_button.isVisibleTo(record)
    assert not record.profile_actions.discharge_button.isVisibleTo(record)
    record.profile_actions.edit_button.click()
    form = record.profile_form
    assert not form.edits["nhs_number"].isEnabled()  # identity: seniors only
    assert not form.edits["date_of_birth"].isEnabled()
    form.edits["diet"].setText("Soft and bite-sized (IDDSI 6)")
    form.save_button.click()
    qtbot.waitUntil(
        lambda: "Diet: Soft and bite-sized (IDDSI 6)" in record.banner.chip_texts, timeout=WAIT_MS
    )
    assert window.message_bar.text == f"Saved: {subject.display_name}'s profile."

    window.lock()
    sign_in(qtbot, window, wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    window.open_resident(subject.resident_id)
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    record.profile_actions.edit_button.click()
    assert form.edits["nhs_number"].isEnabled()
    form.edits["last_name"].clear()
    form.save_button.click()
    assert form.errors.message("last_name") == "Write the surname."
    form.edits["last_name"].setText(str(record.profile.fields["last_name"]))  # type: ignore[union-attr]
    form.edits["nhs_number"].setText("123")
    form.save_button.click()
    assert form.errors.message("nhs_number") == "An NHS number has 10 digits; this has 3."
    form.edits["nhs_number"].setText("401 023 2137")
    form.edits["date_of_birth"].setText("01/01/2999")
    form.save_button.click()
    assert form.errors.message("date_of_birth") == "Date of birth cannot be in the future."
    form.edits["date_of_birth"].setText("01/01/1940")
    form.save_button.click()
    qtbot.waitUntil(
        lambda: "NHS 401 023 2137" in record.banner.details_label.text(), timeout=WAIT_MS
    )
    assert "Born 1 Jan 1940" in record.banner.details_label.text()


def test_moving_never_acts_on_the_previous_resident_while_the_next_loads(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    first, second = window.residents.model.rows[:2]
    record = window.record
    window.open_resident(first.resident_id)
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    window.show_residents()
    window.open_resident(second.resident_id)
    assert record.profile is None  # the first resident's is gone at once
    record.start_move("discharge")  # tapped before the second has loaded: nothing happens
    assert record.panel.currentWidget() is not record.move_form
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    record.start_move("discharge")
    assert record.move_form.title.text() == f"Discharge {second.display_name}"


def test_the_discharge_note_says_what_is_known() -> None:
    assert discharge_note({"status": "discharged"}) == (
        "Discharged. No longer on the residents list."  # discharged before dates were kept
    )
    assert (
        discharge_note(
            {"discharged_on": "2026-11-03", "discharge_reason": "other", "discharge_note": "Spain"}
        )
        == "Discharged on 3 Nov 2026: Somewhere else (Spain). No longer on the residents list."
    )
