"""Stock, controlled-drug receipts and disposals, the pharmacy MAR import and the missed-doses
report on the Medicines page, driven as a senior would: bad input is refused at its field and
nothing is half-saved; the import is all or nothing and needs a second senior."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.ui.screens.missed_doses import MissedDosesPanel
from desktop.ui.screens.pharmacy_import import PharmacyImportPanel
from shared.demo_data import DemoProvider
from shared.medication.scheduling import UK
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow
from tests.desktop.ui.medication_ward import Ward, medicines_provider, open_ward

TODAY = dt.datetime.now(dt.UTC).astimezone(UK).date()
HEADER = (
    "nhs_number,medicine,strength,form,route,dose,times,frequency,start_date,quantity_received\n"
)


@pytest.fixture(scope="module")
def demo_provider() -> DemoProvider:
    return medicines_provider()


@pytest.fixture
def people() -> dict[str, str]:
    return {}


@pytest.fixture
def ward(
    make_window: MakeWindow,
    pc_data_dir: Path,
    wcn_server: InProcessServer,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    *,
    people: dict[str, str],
) -> Ward:
    def find(services: DesktopServices) -> None:
        for resident in services.residents.list_residents():
            people.setdefault("first", resident.resident_id)
            people[f"nhs{len(people)}"] = resident.nhs_number
            if services.medication.controlled.pages(resident.resident_id):
                people.setdefault("cd", resident.resident_id)

    return open_ward(make_window, pc_data_dir, wcn_server, qtbot, monkeypatch, prepare=find)


def idle(qtbot: QtBot, ward: Ward) -> None:
    qtbot.waitUntil(lambda: ward.window.runner.pending == 0, timeout=WAIT_MS)


def test_stock_is_recorded_with_errors_at_the_field(
    qtbot: QtBot, ward: Ward, people: dict[str, str], qtmodeltester: object
) -> None:
    window, medication = ward.window, ward.window.medication
    medication.tabs.setCurrentWidget(medication.stock)
    panel = medication.stock
    qtbot.waitUntil(lambda: panel.low_model.rowCount() >= 1, timeout=WAIT_MS)
    qtmodeltester.check(panel.low_model)  # type: ignore[attr-defined]
    assert panel.form.isVisible()  # a nurse records stock
    panel.picker.choose(people["first"])
    qtbot.waitUntil(lambda: panel.medicine_combo.count() > 0, timeout=WAIT_MS)
    idle(qtbot, ward)
    name = panel.medicine_combo.currentText().split(" (")[0]
    in_stock = float(panel.medicine_combo.currentText().split("(")[1].split(" ")[0])

    panel.save_button.click()  # nothing chosen
    assert "Choose what happened" in panel.errors.message("kind")
    panel.kind.select("Wasted")
    panel.quantity_spin.setValue(in_stock + 1)
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("note") != "", timeout=WAIT_MS)
    assert "Say why" in panel.errors.message("note")
    panel.note_edit.setText("Dropped on the floor")
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("quantity") != "", timeout=WAIT_MS)
    assert f"Only {in_stock:g} are in stock" in panel.errors.message("quantity")

    panel.quantity_spin.setValue(1)
    panel.save_button.click()
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith(f"Stock recorded: {name}"), timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: f"({in_stock - 1:g} in stock)" in panel.medicine_combo.currentText(),
        timeout=WAIT_MS,
    )


def test_a_controlled_drug_receipt_and_disposal_are_witnessed(
    qtbot: QtBot, ward: Ward, people: dict[str, str]
) -> None:
    window, medication = ward.window, ward.window.medication
    medication.tabs.setCurrentWidget(medication.register)
    register = medication.register
    qtbot.waitUntil(lambda: register.resident_combo.count() > 0, timeout=WAIT_MS)
    register.resident_combo.setCurrentIndex(register.resident_combo.findData(people["cd"]))
    qtbot.waitUntil(lambda: register.model.rowCount() == 1, timeout=WAIT_MS)
    balance = register.pages[0].balance
    moves = register.movements

    moves.receive_button.click()  # no quantity
    assert "more than 0" in moves.errors.message("quantity")
    moves.quantity_spin.setValue(10)
    moves.party_edit.setText("Riverside Pharmacy")
    moves.receive_button.click()
    qtbot.waitUntil(lambda: register.model.rowCount() == 2, timeout=WAIT_MS)
    assert window.message_bar.text.startswith("Receipt recorded: 10")
    assert "Receipt: 10" in ward.asked[-1]
    qtbot.waitUntil(
        lambda: register.balance_label.text().startswith(f"Balance: {balance + 10:g}"),
        timeout=WAIT_MS,
    )

    moves.quantity_spin.setValue(balance + 11)
    moves.dispose_button.click()  # no reason
    assert "Say why" in moves.errors.message("note")
    moves.reason_edit.setText("Expired")
    moves.dispose_button.click()
    qtbot.waitUntil(lambda: moves.errors.message("quantity") != "", timeout=WAIT_MS)
    assert f"holds only {balance + 10:g}" in moves.errors.message("quantity")
    assert register.model.rowCount() == 2  # nothing half-saved

    moves.quantity_spin.setValue(2)
    moves.dispose_button.click()
    qtbot.waitUntil(lambda: register.model.rowCount() == 3, timeout=WAIT_MS)
    line = register.model.rows[-1]
    assert (line.kind, line.quantity, line.note) == ("disposal", 2, "Expired")
    assert line.witness_id == ward.witness.user_id


def test_the_pharmacy_import_shows_rejected_lines_then_imports_all_with_a_checker(
    qtbot: QtBot,
    ward: Ward,
    people: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    qtmodeltester: object,
) -> None:
    window, medication = ward.window, ward.window.medication
    medication.tabs.setCurrentWidget(medication.imports)
    panel = medication.imports
    bad = tmp_path / "riverside-bad.csv"
    bad.write_text(
        HEADER
        + f"{people['nhs1']},Ramipril,2.5 mg,capsule,oral,1 capsule,08:00,daily,{TODAY},28\n"
        + f"{people['nhs1']},Mystery,1 mg,lozenge,oral,1,08:00,daily,{TODAY},\n"
        + f"{people['nhs1']},Aspirin,75 mg,tablet,oral,1 tablet,08:00,daily,31/02/2025,\n",
        encoding="utf-8",
    )
    good = tmp_path / "riverside-may.csv"
    good.write_text(
        HEADER
        + f"{people['nhs1']},Ramipril,2.5 mg,capsule,oral,1 capsule,08:00,daily,{TODAY},28\n"
        + f"{people['nhs2']},Aspirin,75 mg,tablet,oral,1 tablet,08:00,daily,{TODAY},28\n",
        encoding="utf-8",
    )
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text")

    chosen = [str(binary)]
    monkeypatch.setattr(PharmacyImportPanel, "ask_path", staticmethod(lambda _p: chosen[0]))
    panel.choose_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("file") != "", timeout=WAIT_MS)
    assert "not a CSV text file" in panel.errors.message("file")

    chosen[0] = str(bad)
    panel.choose_button.click()
    qtbot.waitUntil(lambda: panel.rejected_model.rowCount() == 2, timeout=WAIT_MS)
    qtmodeltester.check(panel.rejected_model)  # type: ignore[attr-defined]
    assert [r.line_no for r in panel.rejected_model.rows] == [3, 4]
    assert "lozenge" in panel.rejected_model.index(0, 1).data()
    assert "not a date" in panel.rejected_model.index(1, 1).data()
    assert panel.rejected_table.isVisible() and not panel.import_button.isEnabled()
    assert "nothing can be imported" in panel.summary_label.text()

    chosen[0] = str(good)
    panel.source_edit.setText("Riverside Pharmacy, May")
    panel.choose_button.click()
    qtbot.waitUntil(lambda: panel.lines_model.rowCount() == 2, timeout=WAIT_MS)
    qtmodeltester.check(panel.lines_model)  # type: ignore[attr-defined]
    assert not panel.rejected_table.isVisible() and panel.import_button.isEnabled()
    assert panel.lines_model.index(0, 2).data() == "Ramipril 2.5 mg"
    panel.import_button.click()
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith("Pharmacy MAR imported: 2"), timeout=WAIT_MS
    )
    assert "Second check of the pharmacy MAR 'Riverside Pharmacy, May'" in ward.asked[-1]
    assert panel.lines_model.rowCount() == 0 and not panel.import_button.isEnabled()
    listing = window.ui.services.medication.prescriptions.medication_list
    with_ramipril = [
        rid
        for rid in (people["first"],)
        if any(line.medicine == "Ramipril 2.5 mg" for line in listing(rid).lines)
    ]
    assert with_ramipril == [people["first"]]


def test_the_missed_doses_report_with_a_bad_period_and_a_pdf(
    qtbot: QtBot, ward: Ward, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, medication = ward.window, ward.window.medication
    medication.tabs.setCurrentWidget(medication.missed)
    panel = medication.missed
    idle(qtbot, ward)
    panel.start_edit.setDate(panel.end_edit.date().addDays(1))
    panel.show_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("end") != "", timeout=WAIT_MS)
    assert "before its start" in panel.errors.message("end")

    panel.start_edit.setDate(panel.end_edit.date().addDays(-6))
    panel.show_button.click()
    idle(qtbot, ward)
    assert panel.errors.message("end") == ""
    shown = panel.model.rowCount()
    assert shown == len(panel.report.lines if panel.report else [])
    assert panel.stack.currentWidget() is (panel.table if shown else panel.empty_label)

    pdf = tmp_path / "missed.pdf"
    monkeypatch.setattr(MissedDosesPanel, "ask_path", staticmethod(lambda _p, _s: str(pdf)))
    panel.pdf_button.click()
    qtbot.waitUntil(lambda: pdf.exists() and pdf.stat().st_size > 0, timeout=WAIT_MS)
    assert pdf.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith("Missed doses report saved"), timeout=WAIT_MS
    )
