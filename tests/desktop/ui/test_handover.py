"""The Handover screen, driven as a nurse would at the change of shift: open it from the top
bar (or Alt+5), see the residents with their flags (a high NEWS2 in red), read one resident's
details, add a remark, save the PDF; an old quiet shift says nothing happened. All database
work goes through the operation runner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.services.handover import ShiftKind, default_shift
from desktop.sync.local_changes import Author
from desktop.ui.main_window import MainWindow
from desktop.ui.models.handover import RED, HandoverModel
from desktop.ui.screens.handover import HandoverScreen
from desktop.ui.screens.remark_dialog import RemarkDialog
from shared.demo_data import DEMO_PASSWORD
from shared.medication.scheduling import UK
from tests.desktop.conftest import InProcessServer
from tests.desktop.services.test_medication import pdf_text
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, sign_in

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SHIFT = default_shift(NOW)
WHEN = min(NOW, SHIFT.end) - dt.timedelta(minutes=5)  # inside the shift, never in the future
POORLY = {
    "respiration_rate": 24,
    "spo2": 93,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp": 102,
    "pulse": 118,
    "consciousness": "A",
    "temperature": 38.6,
}


@pytest.fixture
def ward(
    make_window: MakeWindow, pc_data_dir: Path, wcn_server: InProcessServer, qtbot: QtBot
) -> tuple[MainWindow, str]:
    """The app with a resident whose observations this shift score NEWS2 7, and a nurse
    signed in."""
    services = DesktopServices.open(pc_data_dir, http=wcn_server.http)
    try:
        user = services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
        resident = services.residents.list_residents()[0].resident_id
        with services.context.store.write() as conn:
            services.context.recorder.create(
                conn,
                "observation",
                {
                    "resident_id": resident,
                    "values": POORLY,
                    "news2": 7,
                    "occurred_at": WHEN.isoformat(),
                },
                Author(user.user_id, user.role),
            )
        services.notes.record_note(resident, "mood", "Drowsy and off her food", occurred_at=WHEN)
    finally:
        services.close()
    window = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return window, resident


def loaded(screen: HandoverScreen, kind: ShiftKind | None = None) -> bool:
    report = screen.report
    return report is not None and (kind is None or report.shift.kind is kind)


def test_a_nurse_produces_a_handover_adds_a_remark_and_saves_the_pdf(
    qtbot: QtBot,
    ward: tuple[MainWindow, str],
    qtmodeltester: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, resident = ward
    window.top_bar.handover_button.click()
    screen = window.handover
    assert window.workspace.currentWidget() is screen
    assert window.top_bar.handover_button.isChecked()
    qtbot.waitUntil(lambda: loaded(screen) and screen.model.rowCount() > 0, timeout=WAIT_MS)
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    report = screen.report
    assert report is not None and report.shift == SHIFT
    assert report.unit_name == screen.unit_combo.currentText()
    assert SHIFT.label in screen.summary_label.text()

    row = screen.model.row_of(resident)
    assert row >= 0
    flags = screen.model.index(row, 2)
    assert "NEWS2 7 at" in str(flags.data())
    assert flags.data(Qt.ItemDataRole.ForegroundRole) == RED
    screen.table.selectRow(row)
    detail = screen.detail.toPlainText()
    assert "NEWS2 7" in detail and "Drowsy and off her food" in detail

    answers = iter([(resident, "Daughter visiting at 7 pm."), (None, "Hoist battery on charge.")])
    monkeypatch.setattr(RemarkDialog, "ask", classmethod(lambda cls, *args: next(answers)))
    screen.remark_button.click()
    qtbot.waitUntil(
        lambda: any(r.text == "Daughter visiting at 7 pm." for r in screen.model.rows[row].remarks),
        timeout=WAIT_MS,
    )
    assert "Daughter visiting at 7 pm." in screen.detail.toPlainText()  # still selected
    screen.remark_button.click()
    qtbot.waitUntil(screen.general_label.isVisible, timeout=WAIT_MS)
    assert "Hoist battery on charge." in screen.general_label.text()
    assert window.message_bar.text == "Remark added to the handover."

    chosen = tmp_path / "handover.pdf"
    monkeypatch.setattr(HandoverScreen, "ask_path", staticmethod(lambda parent, name: str(chosen)))
    screen.print_button.click()
    # The file exists as soon as writing starts: wait for the screen to say it is saved.
    qtbot.waitUntil(lambda: window.message_bar.text == f"Handover saved: {chosen}", timeout=WAIT_MS)
    text = " ".join(pdf_text(chosen.read_bytes()).split())
    assert "Daughter visiting at 7 pm." in text and "Hoist battery on charge." in text
    assert "! NEWS2 7 at" in text and "Page 1 of" in text
    again = tmp_path / "again.pdf"
    screen.save_pdf(again)
    qtbot.waitUntil(lambda: window.message_bar.text == f"Handover saved: {again}", timeout=WAIT_MS)
    assert again.read_bytes() == chosen.read_bytes() or again.stat().st_size > 0


def test_alt_5_opens_the_handover_and_an_old_quiet_shift_says_so(
    qtbot: QtBot, ward: tuple[MainWindow, str]
) -> None:
    window, _resident = ward
    QTest.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    screen = window.handover
    assert window.workspace.currentWidget() is screen
    qtbot.waitUntil(lambda: loaded(screen), timeout=WAIT_MS)
    # (Whether the shift it opens on has records yet depends on the time of day.)

    old = NOW.astimezone(UK).date() - dt.timedelta(days=10)
    screen.choose(ShiftKind.NIGHT, old)
    # In the evening the screen opens on a night shift already: wait for the old one.
    qtbot.waitUntil(
        lambda: (
            loaded(screen, ShiftKind.NIGHT)
            and screen.report is not None
            and screen.report.shift.start.astimezone(UK).date() == old
        ),
        timeout=WAIT_MS,
    )
    assert screen.empty_label.isVisible()
    assert "Nothing was recorded for" in screen.empty_label.text()
    assert screen.date_edit.isEnabled()
    # Nobody recorded a drink that night: the low-fluid flags still show.
    assert screen.model.rowCount() > 0
    assert all("Low fluids" in row.flags[0].text for row in screen.model.rows)

    screen.shift_combo.setCurrentIndex(screen.shift_combo.findData("last_12_hours"))
    qtbot.waitUntil(lambda: loaded(screen, ShiftKind.LAST_12_HOURS), timeout=WAIT_MS)
    assert not screen.date_edit.isEnabled()
    assert not screen.empty_label.isVisible()  # the demo's notes of the last 12 hours

    units = [screen.unit_combo.itemData(i) for i in range(screen.unit_combo.count())]
    assert units[-1] == "" and screen.unit_combo.itemText(len(units) - 1) == "All units"
    screen.choose_unit(None)
    qtbot.waitUntil(
        lambda: screen.report is not None and screen.report.unit_id is None, timeout=WAIT_MS
    )


def test_the_handover_model_passes_the_model_tester(qtmodeltester: object) -> None:
    qtmodeltester.check(HandoverModel())  # type: ignore[attr-defined]


def test_the_remark_dialog_needs_words_and_refuses_too_many(qtbot: QtBot) -> None:
    dialog = RemarkDialog([("r1", "Colin Davis (1)"), ("r2", "Gwen Price (3)")], "r2")
    qtbot.addWidget(dialog)
    assert dialog.about_combo.currentText() == "Gwen Price (3)"
    assert not dialog.save_button.isEnabled()  # nothing written yet
    dialog.text_edit.setPlainText("   ")
    assert not dialog.save_button.isEnabled()
    dialog.text_edit.setPlainText("x" * 2001)
    assert not dialog.save_button.isEnabled()
    assert dialog.count_label.text() == "2,001 of 2,000 characters: too long, shorten it."
    dialog.text_edit.setPlainText("  Daughter phoning at 6 pm.  ")
    assert dialog.save_button.isEnabled()
    assert dialog.values() == ("r2", "Daughter phoning at 6 pm.")
    dialog.about_combo.setCurrentIndex(0)
    assert dialog.values() == (None, "Daughter phoning at 6 pm.")


def test_the_author_withdraws_a_remark_with_a_reason(
    qtbot: QtBot, ward: tuple[MainWindow, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _resident = ward
    window.show_handover()
    screen = window.handover
    qtbot.waitUntil(lambda: loaded(screen) and screen.model.rowCount() > 0, timeout=WAIT_MS)
    monkeypatch.setattr(
        RemarkDialog, "ask", classmethod(lambda cls, *args: (None, "Wrong unit, sorry"))
    )
    screen.remark_button.click()
    qtbot.waitUntil(screen.general_label.isVisible, timeout=WAIT_MS)
    report = screen.report
    assert report is not None
    remark = report.general_remarks[0]
    assert f"withdraw:{remark.remark_id}" in screen.general_label.text()
    reasons = iter([None, "Meant for the other unit"])
    monkeypatch.setattr(HandoverScreen, "ask_reason", staticmethod(lambda parent: next(reasons)))
    screen.general_label.linkActivated.emit(f"withdraw:{remark.remark_id}")  # cancelled
    assert screen.general_label.isVisible()
    screen.general_label.linkActivated.emit(f"withdraw:{remark.remark_id}")
    qtbot.waitUntil(lambda: not screen.general_label.isVisible(), timeout=WAIT_MS)
    assert window.message_bar.text == "Remark withdrawn from the handover."
