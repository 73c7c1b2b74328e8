"""Giving when-required (PRN) medicines and homely remedies on the Medicines page, as a nurse
would: the reason at the field, the last dose, the 24-hour total and when the next is allowed,
a dose too soon refused unless a senior gives a reason, the witness for a controlled drug, and
the "did it work?" follow-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.store import records as records_repo
from desktop.ui.models.medication_panels import (
    FollowUpModel,
    ImportLineModel,
    LowStockModel,
    MissedDoseModel,
    PrnOptionModel,
    RejectionModel,
    RemedyModel,
)
from desktop.ui.screens.medication_widgets import OverrideBox
from desktop.ui.widgets.field_errors import FieldErrors
from shared.demo_data import DemoProvider
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow
from tests.desktop.ui.medication_ward import Ward, medicines_provider, open_ward
from tests.desktop.ui.test_accessibility import TOUCH_MIN_PX


@pytest.fixture(scope="module")
def demo_provider() -> DemoProvider:
    return medicines_provider()


@pytest.fixture
def chosen() -> dict[str, str]:
    return {}


@pytest.fixture
def ward(
    make_window: MakeWindow,
    pc_data_dir: Path,
    wcn_server: InProcessServer,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    *,
    chosen: dict[str, str],
) -> Ward:
    def find(services: DesktopServices) -> None:
        for resident in services.residents.list_residents():
            for option in services.medication.prn.options(resident.resident_id):
                key = "morphine" if option.controlled_drug else "paracetamol"
                if key not in chosen:
                    chosen[key] = resident.resident_id
                    chosen[f"{key}_id"] = option.prescription_id
        chosen["anyone"] = services.residents.list_residents()[0].resident_id

    return open_ward(make_window, pc_data_dir, wcn_server, qtbot, monkeypatch, prepare=find)


def open_prn(qtbot: QtBot, ward: Ward, resident_id: str, prescription_id: str) -> int:
    """The PRN tab on the resident; the row of the medicine."""
    medication = ward.window.medication
    medication.tabs.setCurrentWidget(medication.prn)
    panel = medication.prn
    qtbot.waitUntil(lambda: panel.picker.combo.count() > 0, timeout=WAIT_MS)
    panel.picker.choose(resident_id)
    qtbot.waitUntil(lambda: panel.model.row_of(prescription_id) >= 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ward.window.runner.pending == 0, timeout=WAIT_MS)
    return panel.model.row_of(prescription_id)


def test_a_prn_dose_with_its_reason_limits_override_and_follow_up(
    qtbot: QtBot, ward: Ward, chosen: dict[str, str], qtmodeltester: object
) -> None:
    window, panel = ward.window, ward.window.medication.prn
    row = open_prn(qtbot, ward, chosen["paracetamol"], chosen["paracetamol_id"])
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    panel.choose(row)
    assert "4 h" in panel.detail_label.text() and "Allowed now" in panel.detail_label.text()
    assert panel.quantity_spin.minimum() == 1 and panel.quantity_spin.maximum() == 2

    panel.give_button.click()  # no reason yet
    qtbot.waitUntil(lambda: panel.errors.message("prn_reason") != "", timeout=WAIT_MS)
    assert "Say why" in panel.errors.message("prn_reason")
    assert panel.reason_edit.hasFocus() or panel.reason_edit.property("invalid")

    panel.reason_edit.setText("Pain in left knee, 6/10")
    panel.quantity_spin.setValue(2)
    panel.give_button.click()
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith("Given: Paracetamol"), timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: panel.follow_model.rowCount() == 1, timeout=WAIT_MS)
    option = panel.model.rows[panel.model.row_of(panel.model.rows[row].prescription_id)]
    assert option.given_24h == 2 and option.next_allowed is not None
    assert "2 given in the last 24 hours" in panel.detail_label.text()
    assert "Next allowed" in panel.detail_label.text()
    qtmodeltester.check(panel.follow_model)  # type: ignore[attr-defined]

    # Again at once: too soon. Refused, with the reason why and a senior override.
    panel.reason_edit.setText("Still sore")
    panel.give_button.click()
    qtbot.waitUntil(panel.override.isVisible, timeout=WAIT_MS)
    assert "Too soon" in panel.override.problems_label.text()
    assert panel.override.give_button.isVisible()  # the nurse is a senior
    panel.override.give_button.click()  # without saying why
    assert "Say why" in panel.errors.message("override_reason")
    panel.override.reason_edit.setText("GP Dr Shah agreed by phone")
    panel.override.give_button.click()
    qtbot.waitUntil(lambda: not panel.override.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.follow_model.rowCount() == 2, timeout=WAIT_MS)
    assert panel.follow_model.rows[0].overridden

    # The follow-up: the choice is needed, then the dose leaves the list.
    panel.follow_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("effectiveness") != "", timeout=WAIT_MS)
    panel.effect.select("Partly worked")
    panel.follow_note.setText("Pain 3/10")
    panel.follow_button.click()
    qtbot.waitUntil(lambda: panel.follow_model.rowCount() == 1, timeout=WAIT_MS)
    with window.ui.services.context.store.read() as conn:
        follow = records_repo.for_resident(conn, chosen["paracetamol"], ("prn_follow_up",))
    assert [f.fields["effectiveness"] for f in follow] == ["partly_effective"]


def test_a_controlled_prn_is_witnessed_and_written_in_the_register(
    qtbot: QtBot, ward: Ward, chosen: dict[str, str]
) -> None:
    window, panel = ward.window, ward.window.medication.prn
    panel.choose(open_prn(qtbot, ward, chosen["morphine"], chosen["morphine_id"]))
    assert panel.quantity_spin.suffix() == " ml"
    panel.reason_edit.setText("Breakthrough pain")
    panel.quantity_spin.setValue(5)
    panel.give_button.click()
    qtbot.waitUntil(lambda: window.message_bar.text.startswith("Given: Morphine"), timeout=WAIT_MS)
    assert "Morphine" in ward.asked[0]
    with window.ui.services.context.store.read() as conn:
        lines = records_repo.for_resident(conn, chosen["morphine"], ("cd_register_entry",))
    taken = [line for line in lines if line.fields["kind"] == "administration"]
    assert [(t.fields["quantity"], t.fields["balance_after"]) for t in taken] == [(5, 95)]
    assert taken[0].fields["witness_id"] == ward.witness.user_id


def test_a_homely_remedy_is_given_with_a_reason(
    qtbot: QtBot, ward: Ward, chosen: dict[str, str], qtmodeltester: object
) -> None:
    window, medication = ward.window, ward.window.medication
    medication.tabs.setCurrentWidget(medication.remedies)
    panel = medication.remedies
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.picker.combo.count() > 0, timeout=WAIT_MS)
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    panel.picker.choose(chosen["anyone"])
    panel.choose("Gaviscon Advance")
    assert panel.remedy_label.text().startswith("Gaviscon Advance")
    panel.give_button.click()
    qtbot.waitUntil(lambda: panel.errors.message("prn_reason") != "", timeout=WAIT_MS)
    panel.reason_edit.setText("Heartburn after supper")
    panel.quantity_spin.setValue(10)
    panel.give_button.click()
    qtbot.waitUntil(
        lambda: window.message_bar.text.startswith("Homely remedy given: Gaviscon"),
        timeout=WAIT_MS,
    )
    # Over its 24-hour maximum (40 ml): refused unless a senior says why.
    panel.reason_edit.setText("Heartburn again")
    panel.quantity_spin.setValue(35)
    panel.give_button.click()
    qtbot.waitUntil(panel.override.isVisible, timeout=WAIT_MS)
    assert "24-hour maximum" in panel.override.problems_label.text()
    with window.ui.services.context.store.read() as conn:
        doses = records_repo.for_resident(conn, chosen["anyone"], ("medication_administration",))
    assert [(d.fields["quantity"], d.fields["prn_reason"]) for d in doses] == [
        (10, "Heartburn after supper")
    ]


def test_every_control_of_the_new_tabs_is_big_enough_to_tap(qtbot: QtBot, ward: Ward) -> None:
    medication = ward.window.medication
    for panel in (
        medication.prn,
        medication.remedies,
        medication.stock,
        medication.register,
        medication.imports,
        medication.missed,
    ):
        medication.tabs.setCurrentWidget(panel)
        qtbot.waitUntil(lambda: ward.window.runner.pending == 0, timeout=WAIT_MS)
        controls = [
            c
            for kind in (QPushButton, QLineEdit, QAbstractSpinBox, QComboBox)
            for c in panel.findChildren(kind)
            if c.isVisible() and not isinstance(c.parent(), QAbstractSpinBox)  # its inner edit
        ]
        assert controls
        small = [(type(c).__name__, c.accessibleName(), c.height()) for c in controls]
        assert [s for s in small if s[2] < TOUCH_MIN_PX - 4] == [], panel


def test_only_seniors_see_the_override(qtbot: QtBot) -> None:
    box = OverrideBox(FieldErrors(), lambda: None)
    qtbot.addWidget(box)
    box.show()
    box.show_problems(["Too soon: the last dose was at 10:00."], "care_assistant")
    assert not box.reason_edit.isVisible() and box.senior_only.isVisible()
    box.show_problems(["Too soon: the last dose was at 10:00."], "nurse")
    assert box.reason_edit.isVisible() and not box.senior_only.isVisible()


def test_the_panels_models_pass_the_model_tester(qtmodeltester: object) -> None:
    for model in (
        PrnOptionModel(),
        FollowUpModel(),
        RemedyModel(),
        LowStockModel(),
        ImportLineModel(),
        RejectionModel(),
        MissedDoseModel(),
    ):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
