"""The Medicines page, driven as a nurse would: the round (two taps for "Given"), a
controlled drug with a colleague witnessing on the same PC, the medicines list with
allergies, and the CD register. All database work goes through the operation runner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.services.medication import PrescriptionInput
from desktop.store import records as records_repo
from desktop.ui.main_window import MainWindow
from desktop.ui.models.medication import CdRegisterModel, MedicineListModel, RoundModel
from desktop.ui.screens.medication_round import round_summary
from desktop.ui.screens.witness_dialog import WitnessDialog
from shared.demo_data import DEMO_PASSWORD
from shared.medication.scheduling import UK
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, sign_in

NOW = dt.datetime.now(dt.UTC)


def medicine(name: str, *, controlled: bool = False) -> PrescriptionInput:
    due = NOW.astimezone(UK).strftime("%H:%M")
    return PrescriptionInput(
        name, "tablet", "oral", "1 tablet", {"kind": "daily", "times": [due]},
        NOW.astimezone(UK).date() - dt.timedelta(days=1), strength="5 mg", dose_quantity=1,
        controlled_drug=controlled,
    )  # fmt: skip


@pytest.fixture
def ward(
    make_window: MakeWindow, pc_data_dir: Path, wcn_server: InProcessServer, qtbot: QtBot
) -> tuple[MainWindow, str]:
    """The app with two medicines due now for the first resident (one a controlled drug), a
    senior carer who has signed in on this PC before, and a nurse signed in on the round."""
    services = DesktopServices.open(pc_data_dir, http=wcn_server.http)
    try:
        services.session.sign_in(wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
        services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
        resident = services.residents.list_residents()[0].resident_id
        services.medication.prescriptions.add(resident, medicine("Amlodipine"))
        pid = services.medication.prescriptions.add(
            resident, medicine("Oxycodone", controlled=True)
        )
        services.medication.controlled.receive(
            pid,
            28,
            witness=services.session.verify_witness(
                wcn_server.staff("senior_carer").username, DEMO_PASSWORD
            ),
        )
    finally:
        services.close()
    window = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    window.top_bar.medicines_button.click()
    panel = window.medication.round
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 2, timeout=WAIT_MS)
    return window, resident


def row_of(model: RoundModel, name: str) -> int:
    return next(i for i, item in enumerate(model.rows) if item.medicine.startswith(name))


def test_the_round_records_given_in_two_taps(
    qtbot: QtBot, ward: tuple[MainWindow, str], qtmodeltester: object
) -> None:
    window, _resident = ward
    panel = window.medication.round
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    assert window.top_bar.medicines_button.isChecked()
    panel.choose(row_of(panel.model, "Amlodipine"))  # tap 1: the dose
    item = panel.selected()
    assert item is not None and item.status == "due"
    assert panel.resident_label.text().startswith(item.resident.name)
    assert panel.chips.texts == (item.resident.allergies,)
    assert panel.given_button.isVisible() and panel.given_button.height() >= 72
    panel.given_button.click()  # tap 2: Given
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith("Given: Amlodipine"), timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: all(not i.medicine.startswith("Amlodipine") for i in panel.model.rows),
        timeout=WAIT_MS,
    )
    panel.show_done.setChecked(True)
    done = panel.model.rows[row_of(panel.model, "Amlodipine")]
    assert done.status == "done" and done.recorded.startswith("Given by")
    assert panel.summary_label.text().startswith("1 to give")


def test_the_round_summary_counts_what_is_waiting_and_how_much_is_overdue() -> None:
    assert round_summary(0, 0) == "Nothing to give now"
    assert round_summary(2, 0) == "2 to give"
    assert round_summary(5, 3) == "5 to give, 3 of them overdue"


def test_a_controlled_drug_is_witnessed_by_a_colleague_on_the_same_pc(
    qtbot: QtBot, ward: tuple[MainWindow, str], wcn_server: InProcessServer
) -> None:
    window, resident = ward
    panel = window.medication.round
    senior = wcn_server.staff("senior_carer")
    nurse = window.ui.user
    seen: list[str] = []

    def witness() -> None:
        qtbot.waitUntil(
            lambda: isinstance(QApplication.activeModalWidget(), WitnessDialog), timeout=WAIT_MS
        )
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, WitnessDialog)
        assert "Oxycodone" in dialog.purpose_label.text()
        qtbot.waitUntil(lambda: dialog.person_combo.count() >= 1, timeout=WAIT_MS)
        dialog.choose(senior.username)
        dialog.secret_edit.setText("not-the-password")
        dialog.confirm_button.click()
        qtbot.waitUntil(lambda: dialog.problem_label.text() != "", timeout=WAIT_MS)
        seen.append(dialog.problem_label.text())
        dialog.secret_edit.setText(DEMO_PASSWORD)
        dialog.confirm_button.click()

    panel.choose(row_of(panel.model, "Oxycodone"))
    QTimer.singleShot(0, witness)
    panel.given_button.click()
    qtbot.waitUntil(lambda: window.message_bar.text.startswith("Given: Oxycodone"), timeout=WAIT_MS)
    assert "not right" in seen[0]
    assert window.ui.user == nurse  # the nurse is still the one signed in

    with window.ui.services.context.store.read() as conn:
        doses = records_repo.for_resident(conn, resident, ("medication_administration",))
        lines = records_repo.for_resident(conn, resident, ("cd_register_entry",))
    given = next(d for d in doses if d.fields["outcome"] == "given")
    assert given.fields["witness_id"] == senior.user_id
    assert [
        line.fields["balance_after"] for line in lines if line.fields["kind"] == "administration"
    ] == [27]

    window.medication.tabs.setCurrentWidget(window.medication.register)
    register = window.medication.register
    qtbot.waitUntil(lambda: register.model.rowCount() == 2, timeout=WAIT_MS)
    assert register.balance_label.text().startswith("Balance: 27")


def test_the_witness_must_be_someone_else(qtbot: QtBot, ward: tuple[MainWindow, str]) -> None:
    window, _resident = ward
    dialog = WitnessDialog(window.ui, "Test")
    qtbot.addWidget(dialog)
    assert window.ui.user is not None
    dialog.choose(window.ui.user.username)
    dialog.secret_edit.setText(DEMO_PASSWORD)
    dialog.confirm()
    qtbot.waitUntil(lambda: "someone else" in dialog.problem_label.text(), timeout=WAIT_MS)
    assert dialog.witness is None and window.message_bar.text == ""


def test_medicines_list_shows_allergies_and_a_senior_discontinues(
    qtbot: QtBot, ward: tuple[MainWindow, str], qtmodeltester: object
) -> None:
    window, _resident = ward
    window.medication.tabs.setCurrentWidget(window.medication.medicines)
    panel = window.medication.medicines
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    allergies = panel.model.index(0, 3).data()
    assert allergies == panel.model.index(1, 3).data() == panel.allergy_label.text()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    panel.discontinue_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("reason") != "", timeout=WAIT_MS)
    panel.reason_edit.setText("Stopped by GP")
    panel.discontinue_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert window.message_bar.text.startswith("Discontinued:")


def test_models_pass_the_model_tester(qtmodeltester: object) -> None:
    for model in (RoundModel(), MedicineListModel(), CdRegisterModel(lambda _id: "")):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
