"""Care planning in the app, driven through its widgets: writing a care plan section, scoring
an assessment (and saving an incomplete one), recording a fall with a body map and seeing the
notification prompt, drafting and sending the notification, and the reviews-due dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.assessment_forms import SHORT_NAMES
from desktop.ui.screens.notification_draft import TELL_SENIOR
from desktop.ui.screens.resident_care import NO_RESPECT, ResidentCareScreen
from desktop.ui.screens.respect_dialog import RespectDialog
from desktop.ui.screens.reviews_due import DueModel
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def first(items: QListWidget) -> str:
    item = items.item(0)
    return item.text() if item is not None else ""


def open_care(
    qtbot: QtBot, window: MainWindow, server: InProcessServer, role: str, tab: str
) -> ResidentCareScreen:
    """Sign in with ``role``, open the first resident, and press the care planning button."""
    sign_in(qtbot, window, server.staff(role).username, DEMO_PASSWORD)
    window.residents.table.clicked.emit(window.residents.proxy.index(0, 0))
    qtbot.waitUntil(lambda: window.record.profile is not None, timeout=WAIT_MS)
    labels = {"care_plan": "Care p&lan", "assessments": "Assessme&nts", "incidents": "&Incident…"}
    button = next(
        b
        for b in window.record.findChildren(type(window.record.back_button))
        if b.text() == labels[tab]
    )
    button.click()
    care = window.care
    assert window.workspace.currentWidget() is care
    qtbot.waitUntil(lambda: care.profile is not None, timeout=WAIT_MS)
    return care


def test_a_nurse_writes_and_changes_a_care_plan_section(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "nurse", "care_plan")
    assert any("DNACPR" in chip for chip in care.banner.chip_texts)  # the banner is here too
    editor = care.care_plan
    qtbot.waitUntil(lambda: len(editor.sections) == 11, timeout=WAIT_MS)
    editor.area_list.setCurrentRow(1)  # eating and drinking
    assert editor.title.text() == "Eating and drinking"
    assert editor.save_button.text() == "Save section"
    editor.edits["needs"].setPlainText("Soft diet; needs prompting to finish meals.")
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.errors.message("actions") != "", timeout=WAIT_MS)
    editor.edits["actions"].setPlainText("Sit with her at lunch; offer snacks at 3 pm.")
    editor.edits["family_involvement"].setPlainText("Daughter agreed the plan by phone.")
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.sections["eating_and_drinking"].written, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Written by" in first(editor.history), timeout=WAIT_MS)
    assert window.message_bar.text.startswith("Saved: Eating and drinking.")
    assert "Review due" in editor.area_list.item(1).text()

    editor.edits["goals"].setPlainText("Keep her weight steady.")
    editor.save_button.click()  # no reason given
    qtbot.waitUntil(lambda: editor.errors.message("reason") != "", timeout=WAIT_MS)
    editor.reason_edit.setText("Agreed with the dietitian")
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.history.count() == 2, timeout=WAIT_MS)
    newest = first(editor.history)
    assert "Changed by" in newest and "Why: Agreed with the dietitian" in newest
    assert "Goals: Keep her weight steady." in newest


def test_scoring_an_assessment_and_saving_an_incomplete_one(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "senior_carer", "assessments")
    form = care.assessments
    form.tool_buttons.select(SHORT_NAMES["painad"])
    assert form.tool == "painad"
    assert form.score_label.text() == "No score yet"
    form.inputs["breathing"].buttons.select("1")  # type: ignore[union-attr]
    form.save_button.click()
    qtbot.waitUntil(lambda: "Incomplete, no score" in first(form.history), timeout=WAIT_MS)
    for name, points in (
        ("breathing", "1"),
        ("negative_vocalisation", "1"),
        ("facial_expression", "2"),
        ("body_language", "0"),
        ("consolability", "1"),
    ):
        form.inputs[name].buttons.select(points)  # type: ignore[union-attr]
    assert form.score_label.text() == "PAINAD 5: moderate"
    form.save_button.click()
    qtbot.waitUntil(lambda: "PAINAD 5: moderate" in first(form.history), timeout=WAIT_MS)
    assert not form.proposal_label.isVisible()
    for name in form.inputs:
        form.inputs[name].buttons.select("2")  # type: ignore[union-attr]
    form.save_button.click()
    qtbot.waitUntil(form.proposal_label.isVisible, timeout=WAIT_MS)
    assert "Pain management section" in form.proposal_label.text()
    form.review_button.click()
    assert care.tabs.currentWidget() is care.care_plan
    qtbot.waitUntil(lambda: care.care_plan.title.text() == "Pain management", timeout=WAIT_MS)


def test_recording_a_fall_with_a_body_map_prompts_the_notification(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "nurse", "incidents")
    form = care.incident_form
    form.kind_buttons.select("Fall")
    form.seen_buttons.select("Not seen")
    form.severity_buttons.select("Serious")
    form.description_edit.setPlainText("Found on the floor by the bed; pain in the right hip.")
    body = form.body_map
    QTest.mouseClick(
        body, Qt.MouseButton.LeftButton, pos=body.point_for("front", 0.42, 0.55).toPoint()
    )
    QTest.mouseClick(  # off the body: no mark
        body, Qt.MouseButton.LeftButton, pos=body.point_for("front", 0.02, 0.9).toPoint()
    )
    assert len(form.marks) == 1 and form.marks[0].side == "front"
    form.save_button.click()  # the mark is not described yet
    qtbot.waitUntil(lambda: "describe" in form.errors.message("body_map"), timeout=WAIT_MS)
    form.describe_mark(0, "Swelling and bruising, right hip")
    form.save_button.click()
    prompt = care.prompt
    qtbot.waitUntil(prompt.isVisible, timeout=WAIT_MS)
    assert prompt.title.text() == "This incident must be notified"
    assert "serious_injury" in prompt.draft_buttons
    assert form.marks == []  # the form is empty for the next one

    prompt.draft_buttons["serious_injury"].click()
    panel = care.notification
    qtbot.waitUntil(lambda: panel.view is not None, timeout=WAIT_MS)
    assert panel.edits["service_name"].text() == "Oakwood House"
    assert "Swelling and bruising, right hip" in panel.edits["injury"].text()
    assert "Care Quality Commission" in panel.regulator_label.text()
    assert "Not sent yet" in panel.urgency_label.text()
    panel.sent_button.click()  # neither when nor how
    qtbot.waitUntil(lambda: panel.errors.message("sent_at") != "", timeout=WAIT_MS)
    panel.sent_known.setCurrentIndex(1)
    panel.sent_button.click()  # when, but not how
    qtbot.waitUntil(lambda: panel.errors.message("sent_method") != "", timeout=WAIT_MS)
    panel.method_combo.setCurrentIndex(panel.method_combo.findData("online_form"))
    panel.sent_button.click()
    qtbot.waitUntil(lambda: panel.sent_summary.text().startswith("Sent"), timeout=WAIT_MS)
    assert not panel.sent_button.isVisible()


def test_a_carer_is_told_to_fetch_a_senior_and_has_no_dashboard(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "care_assistant", "incidents")
    assert not window.top_bar.due_button.isVisible()
    form = care.incident_form
    form.kind_buttons.select("Safeguarding")
    form.description_edit.setPlainText(
        "Resident said a visitor shouted at her and grabbed her arm."
    )
    form.save_button.click()
    qtbot.waitUntil(care.prompt.isVisible, timeout=WAIT_MS)
    assert care.prompt.draft_buttons == {}
    assert any(
        TELL_SENIOR in label.text() for label in care.prompt.findChildren(type(care.prompt.title))
    )
    assert not care.care_plan.save_button.isVisibleTo(care)


def test_the_reviews_due_dashboard_lists_and_opens_what_is_due(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer, qtmodeltester: object
) -> None:
    care = open_care(qtbot, window, wcn_server, "nurse", "incidents")
    form = care.incident_form
    form.kind_buttons.select("Fall")
    form.seen_buttons.select("Seen by someone")
    form.severity_buttons.select("Minor")
    form.description_edit.setPlainText("Slipped from the chair, seen by staff; graze on elbow.")
    form.save_button.click()
    qtbot.waitUntil(care.prompt.isVisible, timeout=WAIT_MS)

    assert window.top_bar.due_button.isVisible()
    window.top_bar.due_button.click()
    due = window.due
    qtbot.waitUntil(lambda: due.model.rowCount() > 0, timeout=WAIT_MS)
    qtmodeltester.check(due.model)  # type: ignore[attr-defined]
    kinds = {row.kind for row in due.model.rows}
    assert {"observations", "falls", "incident_review", "rescore"} <= kinds
    due.kind_combo.setCurrentIndex(due.kind_combo.findData("falls"))
    assert due.proxy.rowCount() == 1
    due.table.doubleClicked.emit(due.proxy.index(0, 0))
    assert window.workspace.currentWidget() is care
    qtbot.waitUntil(lambda: care.assessments.tool == "falls", timeout=WAIT_MS)
    assert care.tabs.currentWidget() is care.assessments


def test_due_model_passes_the_model_tester(qtmodeltester: object) -> None:
    qtmodeltester.check(DueModel())  # type: ignore[attr-defined]


def test_recording_a_respect_form_puts_dnacpr_on_the_banner(
    qtbot: QtBot,
    window: MainWindow,
    wcn_server: InProcessServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    row = next(i for i, r in enumerate(window.residents.model.rows) if "DNACPR" not in r.alerts)
    resident = window.residents.model.rows[row]
    window.open_resident(resident.resident_id)
    qtbot.waitUntil(lambda: window.record.profile is not None, timeout=WAIT_MS)
    window.record.care_requested.emit(resident.resident_id, "care_plan")
    care = window.care
    qtbot.waitUntil(lambda: care.profile is not None, timeout=WAIT_MS)
    assert "No DNACPR recorded" in care.banner.chip_texts
    assert care.respect_label.text() == NO_RESPECT
    form = {
        "form": "respect",
        "cpr": "do_not_attempt_cpr",
        "form_location": "Front of the care file",
        "completed_by": "Dr R Patel, GP",
        "completed_on": dt.date.today(),
        "review_on": None,
    }
    monkeypatch.setattr(RespectDialog, "ask", classmethod(lambda cls, current, parent: form))
    care.respect_button.click()
    qtbot.waitUntil(lambda: "DNACPR in place" in care.banner.chip_texts, timeout=WAIT_MS)
    assert care.respect_label.text() == (
        "ReSPECT form: CPR not to be attempted · kept: Front of the care file"
    )


def test_post_fall_observations_and_the_review_are_recorded(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    care = open_care(qtbot, window, wcn_server, "nurse", "incidents")
    form = care.incident_form
    form.kind_buttons.select("Fall")
    form.seen_buttons.select("Seen by someone")
    form.severity_buttons.select("None")
    form.when_edit.setDateTime(form.when_edit.dateTime().addSecs(-2 * 3600))
    form.description_edit.setPlainText("Sat down hard beside the chair; no injury seen.")
    form.save_button.click()
    qtbot.waitUntil(care.prompt.isVisible, timeout=WAIT_MS)
    assert care.prompt.title.text() == "Saved. No statutory notification is called for."
    care.follow_up_button.click()
    follow = care.follow_up
    qtbot.waitUntil(lambda: follow.current is not None, timeout=WAIT_MS)
    assert follow.progress_label.text().startswith("0 of 9 observations done, ")
    follow.observe_button.click()  # nothing written
    qtbot.waitUntil(lambda: follow.errors.message("findings") != "", timeout=WAIT_MS)
    follow.findings_edit.setText("Alert and chatty; no pain.")
    follow.observe_button.click()
    qtbot.waitUntil(
        lambda: follow.progress_label.text().startswith("1 of 9 observations done"),
        timeout=WAIT_MS,
    )
    follow.review_button.click()  # no findings
    qtbot.waitUntil(lambda: follow.errors.message("review") != "", timeout=WAIT_MS)
    follow.review_findings.setPlainText("Chair too low; replaced with a higher one.")
    follow.action_edit.setText("Check chair heights in the lounge")
    follow.owner_edit.setText("Maintenance")
    follow.close_box.setChecked(True)
    follow.review_button.click()
    qtbot.waitUntil(
        lambda: follow.review_status.text() == "This incident has been closed.", timeout=WAIT_MS
    )
