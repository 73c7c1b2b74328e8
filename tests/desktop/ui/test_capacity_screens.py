"""Capacity and consent in the app, driven through its widgets: a two-stage MCA assessment
(refused at the first unanswered question), a best-interests decision for a decision the
resident lacks capacity for, a DoLS application with its expiry warnings and the outcome's
notification, and attorneys and deputies. Bad input is shown at the field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.resident_care import ResidentCareScreen
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in

TODAY = dt.date.today()


def open_capacity(
    qtbot: QtBot, window: MainWindow, server: InProcessServer, role: str
) -> ResidentCareScreen:
    """Sign in with ``role``, open the first resident, press "Capacity"."""
    sign_in(qtbot, window, server.staff(role).username, DEMO_PASSWORD)
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    qtbot.waitUntil(lambda: window.record.profile is not None, timeout=WAIT_MS)
    button = next(
        b
        for b in window.record.findChildren(type(window.record.back_button))
        if b.text() == "Capacit&y"
    )
    button.click()
    care = window.care
    assert window.workspace.currentWidget() is care
    assert care.tabs.currentWidget() is care.capacity
    qtbot.waitUntil(lambda: care.profile is not None, timeout=WAIT_MS)
    return care


def texts(items: QListWidget) -> list[str]:
    return [items.item(i).text() for i in range(items.count())]


def test_mca_two_stage_test_then_a_best_interests_decision(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_capacity(qtbot, window, wcn_server, "nurse")
    panel = care.capacity.mca
    form = panel.form
    qtbot.waitUntil(lambda: texts(panel.history) == ["No capacity assessments recorded yet."])
    assert not panel.bi_button.isEnabled()

    form.save_button.click()  # nothing answered
    assert form.errors.message("decision") == "Still to answer: the decision being assessed."
    form.decision_edit.setText("Whether to have bed rails at night")
    form.set_answer("can_understand", True)
    form.save_button.click()
    assert "retain" in form.errors.message("can_retain")
    assert not form.stage_two.isEnabled()  # no inability yet: stage 2 does not arise
    form.set_answer("can_retain", False)
    form.set_answer("can_use_or_weigh", False)
    form.set_answer("can_communicate", True)
    assert form.stage_two.isEnabled()
    assert form.outcome_label.text() == "Not finished yet"
    form.save_button.click()
    assert "impairment" in form.errors.message("impairment")
    form.set_answer("impairment", True)
    form.impairment_edit.setText("Vascular dementia")
    form.set_answer("because_of_impairment", True)
    form.save_button.click()
    assert "practicable steps" in form.errors.message("practicable_steps")
    form.steps_edit.setPlainText("Explained in the morning with pictures; daughter present.")
    assert form.outcome_label.text() == "Lacks capacity for this decision"
    assert "cannot retain" in form.reasons_label.text()
    form.save_button.click()
    qtbot.waitUntil(lambda: "Capacity: Whether to have bed rails" in texts(panel.history)[0])
    assert "Lacks capacity for this decision" in texts(panel.history)[0]
    assert window.message_bar.text.startswith("Saved: Whether to have bed rails at night.")
    assert form.decision_edit.text() == ""  # ready for the next decision
    qtbot.waitUntil(panel.bi_button.isEnabled, timeout=WAIT_MS)  # the new one is chosen
    assert "(Vascular dementia)" in texts(panel.history)[0]
    assert "Steps taken: Explained in the morning" in panel.history.toolTip()

    panel.bi_button.click()
    bi = panel.best_interests
    assert panel.stack.currentWidget() is panel.bi_page
    assert bi.decision_label.text() == "Decision: Whether to have bed rails at night"
    bi.save_button.click()
    qtbot.waitUntil(lambda: bi.errors.message("people_consulted") != "", timeout=WAIT_MS)
    bi.edits["people_consulted"].setPlainText("Daughter (LPA health and welfare); GP")
    bi.edits["options_considered"].setPlainText("Bed rails; low bed with a crash mat")
    bi.save_button.click()
    qtbot.waitUntil(lambda: bi.errors.message("outcome") != "", timeout=WAIT_MS)
    bi.edits["outcome"].setPlainText("Low bed and crash mat instead of rails.")
    bi.save_button.click()
    qtbot.waitUntil(
        lambda: "less restrictive" in bi.errors.message("less_restrictive_considered"),
        timeout=WAIT_MS,
    )
    bi.less_restrictive.setChecked(True)
    bi.save_button.click()
    qtbot.waitUntil(lambda: panel.history.count() == 2, timeout=WAIT_MS)
    assert "Best interests: Whether to have bed rails at night" in texts(panel.history)[0]
    assert "Decided: Low bed and crash mat" in texts(panel.history)[0]
    assert panel.stack.currentWidget() is panel.form_page


def test_a_person_able_to_decide_has_capacity_without_stage_two(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_capacity(qtbot, window, wcn_server, "senior_carer")
    panel = care.capacity.mca
    form = panel.form
    form.decision_edit.setText("Whether to go on the day trip")
    for name in ("can_understand", "can_retain", "can_use_or_weigh", "can_communicate"):
        form.set_answer(name, True)
    assert form.outcome_label.text() == "Has capacity for this decision"
    assert form.not_needed_label.isVisibleTo(form) and not form.stage_two.isEnabled()
    form.save_button.click()
    qtbot.waitUntil(lambda: "Has capacity" in "".join(texts(panel.history)), timeout=WAIT_MS)
    panel.history.setCurrentRow(0)
    assert not panel.bi_button.isEnabled()  # no best-interests decision for a capable person


def test_dols_dates_are_checked_at_the_field_and_expiry_is_warned(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_capacity(qtbot, window, wcn_server, "nurse")
    care.capacity.setCurrentWidget(care.capacity.dols)
    dols = care.capacity.dols
    qtbot.waitUntil(lambda: texts(dols.list) == [dols_none()], timeout=WAIT_MS)

    dols.extended_box.setChecked(True)  # an extension with no urgent authorisation
    dols.save_button.click()
    qtbot.waitUntil(lambda: dols.errors.message("urgent_extended") != "", timeout=WAIT_MS)
    dols.extended_box.setChecked(False)
    six_days_ago = TODAY - dt.timedelta(days=6)
    dols.body_edit.setText("Northshire County Council")
    dols.dates["applied_on"].set_value(six_days_ago)
    dols.dates["urgent_granted_on"].set_value(six_days_ago)
    assert dols.status_label.text().startswith("Urgent authorisation in force · ends")
    assert "extend the urgent authorisation" in dols.action_label.text()
    dols.save_button.click()
    qtbot.waitUntil(lambda: dols.current is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "⚠ Ask the supervisory body" in texts(dols.list)[0], timeout=WAIT_MS)

    dols.outcome_combo.setCurrentIndex(dols.outcome_combo.findData("granted"))
    dols.save_button.click()  # granted, but no dates
    qtbot.waitUntil(lambda: dols.errors.message("standard_ends_on") != "", timeout=WAIT_MS)
    dols.dates["standard_granted_on"].set_value(TODAY)
    dols.dates["standard_ends_on"].set_value(TODAY + dt.timedelta(days=400))
    dols.save_button.click()
    qtbot.waitUntil(
        lambda: "at most 12 months" in dols.errors.message("standard_ends_on"), timeout=WAIT_MS
    )
    dols.dates["standard_ends_on"].set_value(TODAY + dt.timedelta(days=20))
    assert "Request a further authorisation" in dols.action_label.text()  # inside 28 days
    dols.conditions_edit.setPlainText("Weekly visits to the day centre to continue.")
    dols.save_button.click()
    qtbot.waitUntil(lambda: not dols.notice_label.isHidden(), timeout=WAIT_MS)
    assert "notify the Care Quality Commission" in dols.notice_label.text()
    qtbot.waitUntil(
        lambda: "Standard authorisation in force" in texts(dols.list)[0], timeout=WAIT_MS
    )
    assert "Request a further authorisation" in texts(dols.list)[0]
    assert not dols.notice_label.isHidden()  # the refresh after the save keeps the notice

    window.top_bar.due_button.click()  # the renewal is on the dashboard, and opens here
    due = window.due
    qtbot.waitUntil(lambda: any(r.kind == "dols" for r in due.model.rows), timeout=WAIT_MS)
    due.kind_combo.setCurrentIndex(due.kind_combo.findData("dols"))
    due.table.doubleClicked.emit(due.proxy.index(0, 0))
    assert window.workspace.currentWidget() is care
    assert care.capacity.currentWidget() is dols
    qtbot.waitUntil(lambda: dols.current is not None, timeout=WAIT_MS)
    assert dols.conditions_edit.toPlainText() == "Weekly visits to the day centre to continue."


def dols_none() -> str:
    from desktop.ui.screens.dols_form import NONE_YET

    return NONE_YET


def test_attorneys_and_deputies(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_capacity(qtbot, window, wcn_server, "senior_carer")
    care.capacity.setCurrentWidget(care.capacity.representatives)
    reps = care.capacity.representatives
    qtbot.waitUntil(lambda: reps.list.count() == 1, timeout=WAIT_MS)
    reps.save_button.click()
    assert reps.errors.message("kind") == "Choose what kind of attorney or deputy this is."
    reps.kind_combo.setCurrentIndex(reps.kind_combo.findData("lpa_health_and_welfare"))
    reps.save_button.click()
    assert reps.errors.message("name") == "Write the attorney's or deputy's name."
    reps.name_edit.setText("Susan Clarke (daughter)")
    reps.contact_edit.setText("07700 900123")
    reps.registered.set_value(dt.date(2021, 5, 4))
    reps.seen_box.setChecked(True)
    reps.scope_edit.setPlainText("Health and welfare, including life-sustaining treatment.")
    reps.save_button.click()
    qtbot.waitUntil(lambda: "Susan Clarke" in texts(reps.list)[0], timeout=WAIT_MS)
    entry = texts(reps.list)[0]
    assert "LPA: health and welfare" in entry and "Registered 4 May 2021" in entry
    assert "document seen" in entry and "May decide: Health and welfare" in entry
    qtbot.waitUntil(lambda: reps.current is not None, timeout=WAIT_MS)
    assert not reps.kind_combo.isEnabled()

    reps.name_edit.clear()
    reps.save_button.click()
    assert reps.errors.message("name") != ""
    reps.name_edit.setText("Susan Clarke")
    reps.save_button.click()
    qtbot.waitUntil(lambda: texts(reps.list)[0].startswith("Susan Clarke ·"), timeout=WAIT_MS)
    reps.end_button.click()
    qtbot.waitUntil(lambda: "No attorney or deputy" in texts(reps.list)[0], timeout=WAIT_MS)


def test_a_carer_reads_capacity_records_but_cannot_write_them(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_capacity(qtbot, window, wcn_server, "care_assistant")
    capacity = care.capacity
    assert not capacity.mca.form.save_button.isVisibleTo(care)
    assert capacity.mca.read_only_label.isVisibleTo(care)
    capacity.setCurrentWidget(capacity.dols)
    assert not capacity.dols.save_button.isVisibleTo(care)
    capacity.setCurrentWidget(capacity.representatives)
    assert not capacity.representatives.save_button.isVisibleTo(care)


def test_a_refresh_keeps_what_is_being_typed_into_a_saved_dols_application(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    """Regression: a refresh (after any save, or a sync) reloaded the selected application
    over the form, so dates being typed in were lost."""
    care = open_capacity(qtbot, window, wcn_server, "nurse")
    care.capacity.setCurrentWidget(care.capacity.dols)
    dols = care.capacity.dols
    qtbot.waitUntil(lambda: texts(dols.list) == [dols_none()], timeout=WAIT_MS)
    dols.body_edit.setText("Northshire County Council")
    dols.dates["applied_on"].set_value(TODAY - dt.timedelta(days=2))
    dols.save_button.click()
    qtbot.waitUntil(lambda: dols.current is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dols.list.currentRow() == 0, timeout=WAIT_MS)

    dols.reference_edit.setText("NCC/2026/118")  # typing, not saved yet
    refreshed = []
    dols.refresh()
    window.ui.runner.run(lambda: None, lambda _: refreshed.append(True))  # queued after it
    qtbot.waitUntil(lambda: bool(refreshed), timeout=WAIT_MS)
    assert dols.reference_edit.text() == "NCC/2026/118"
    assert dols.is_dirty()


def test_a_refresh_keeps_a_new_attorney_being_typed(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    """Regression: a refresh emptied the form of an attorney not saved yet."""
    care = open_capacity(qtbot, window, wcn_server, "senior_carer")
    care.capacity.setCurrentWidget(care.capacity.representatives)
    reps = care.capacity.representatives
    qtbot.waitUntil(lambda: reps.list.count() == 1, timeout=WAIT_MS)
    reps.name_edit.setText("Susan Clarke (daughter)")
    refreshed = []
    reps.refresh()
    window.ui.runner.run(lambda: None, lambda _: refreshed.append(True))  # queued after it
    qtbot.waitUntil(lambda: bool(refreshed), timeout=WAIT_MS)
    assert reps.name_edit.text() == "Susan Clarke (daughter)"
