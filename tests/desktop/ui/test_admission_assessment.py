"""A prospective resident's pre-admission assessment, then their admission and the admission
assessment, driven through the widgets; each missing answer is shown at its field."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.admission_form import NONE_YET
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, sign_in


def texts(items: QListWidget) -> list[str]:
    return [items.item(i).text() for i in range(items.count())]


def test_pre_admission_then_admission(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    screen = window.residents
    screen.admit_button.click()
    admit = screen.admit_form
    qtbot.waitUntil(lambda: admit.unit_combo.count() > 1, timeout=WAIT_MS)
    admit.edits["first_name"].setText("Arthur")
    admit.edits["last_name"].setText("Penn")
    admit.edits["date_of_birth"].setText("02/11/1936")
    admit.unit_combo.setCurrentIndex(1)
    admit.prospective_box.setChecked(True)
    admit.save_button.click()
    record = window.record
    qtbot.waitUntil(lambda: record.banner.name_label.text() == "Arthur Penn", timeout=WAIT_MS)

    window.open_care(record.resident_id, "admission")
    care = window.care
    form = care.admission
    assert care.tabs.currentWidget() is form
    qtbot.waitUntil(lambda: texts(form.history) == [NONE_YET], timeout=WAIT_MS)
    assert form.stage == "pre_admission"
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("needs") != "", timeout=WAIT_MS)
    assert form.errors.message("needs") == "Record the needs found, or what matters to the person."
    form.source_edit.setText("Visit at home with his son")
    form.need_edits["mobility_and_falls"].setText("Walks with a stick; two falls this year")
    form.matters_edit.setPlainText("His dog's photo by the bed; the racing on Saturdays.")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("can_meet_needs") != "", timeout=WAIT_MS)
    form.meet_buttons.select("No")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.message("decision_notes") != "", timeout=WAIT_MS)
    form.meet_buttons.clear()
    form.meet_buttons.select("Yes")
    form.save_button.click()
    qtbot.waitUntil(lambda: "Pre-admission assessment" in texts(form.history)[0], timeout=WAIT_MS)
    entry = texts(form.history)[0]
    assert "From: Visit at home with his son" in entry
    assert "The home can meet their needs" in entry
    assert "Mobility and falls: Walks with a stick" in entry
    assert form.source_edit.text() == ""  # ready for the next

    window.open_resident(record.resident_id)
    qtbot.waitUntil(
        lambda: record.profile_actions.admit_button.isVisibleTo(record), timeout=WAIT_MS
    )
    record.profile_actions.admit_button.click()
    qtbot.waitUntil(lambda: record.move_form.unit_combo.count() > 0, timeout=WAIT_MS)
    record.move_form.room_edit.setText("34")
    record.move_form.submit_button.click()
    qtbot.waitUntil(lambda: record.profile_actions.move_button.isVisibleTo(record), timeout=WAIT_MS)

    window.open_care(record.resident_id, "admission")
    form.stage_buttons.select("On admission")
    assert form.stage == "admission"
    form.need_edits["skin_integrity"].setText("Red heels on arrival; skin intact")
    form.save_button.click()  # on admission, "can we meet the needs" is not asked
    qtbot.waitUntil(lambda: form.history.count() == 2, timeout=WAIT_MS)
    assert "Admission assessment" in texts(form.history)[0]
    assert "Skin integrity: Red heels on arrival" in texts(form.history)[0]


def test_a_carer_reads_but_cannot_record_an_admission_assessment(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    resident = window.residents.model.rows[0].resident_id
    window.open_care(resident, "admission", audit=True)
    form = window.care.admission
    qtbot.waitUntil(lambda: form.history.count() == 1, timeout=WAIT_MS)
    assert not form.save_button.isVisibleTo(form) and form.read_only_label.isVisibleTo(form)
