"""The sync status bar, Sync now, background sync, and the review queue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.services.sync_status import SyncStatus
from desktop.ui.main_window import MainWindow
from desktop.ui.models.reviews import ReviewListModel
from desktop.ui.widgets.sync_bar import STALE_TEXT, SyncBar
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, sign_in, unreachable


def record_a_note(qtbot: QtBot, window: MainWindow, resident_row: int = 0) -> str:
    window.residents.table.clicked.emit(window.residents.proxy.index(resident_row, 0))
    record = window.record
    qtbot.waitUntil(lambda: record.profile is not None, timeout=WAIT_MS)
    record.quick_buttons["general"].click()
    record.forms["general"].text_edit.setPlainText("Settled after lunch.")
    record.forms["general"].save_button.click()
    qtbot.waitUntil(lambda: window.message_bar.text.startswith("Saved:"), timeout=WAIT_MS)
    return record.resident_id


def test_status_bar_shows_waiting_changes_until_sync_now(
    qtbot: QtBot, window: MainWindow, wcn_server: InProcessServer
) -> None:
    sign_in(qtbot, window, wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    bar = window.sync_bar
    qtbot.waitUntil(lambda: bar.status is not None, timeout=WAIT_MS)
    assert "nothing waiting" in bar.state_label.text()
    record_a_note(qtbot, window)  # opening the record is audited too: two changes
    qtbot.waitUntil(lambda: "2 change(s) waiting" in bar.state_label.text(), timeout=WAIT_MS)
    assert bar.last_label.text().startswith("Last sync: Today")
    assert not bar.stale_label.isVisibleTo(window)

    bar.sync_button.click()
    qtbot.waitUntil(lambda: bar.state_label.text() == "Online · nothing waiting", timeout=WAIT_MS)
    assert bar.sync_button.isEnabled()


def test_offline_sync_explains_and_keeps_the_changes(
    qtbot: QtBot, make_window: MakeWindow, pc_data_dir: Path, wcn_server: InProcessServer
) -> None:
    window = make_window(pc_data_dir, http=unreachable())
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    # This person signed in on the PC before (in another test run of the day): offline
    # sign-in needs that, so sign in once against the real server first.
    online = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: online.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    carer = wcn_server.staff("care_assistant")
    sign_in(qtbot, online, carer.username, DEMO_PASSWORD)
    online.shutdown()

    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    record_a_note(qtbot, window)
    window.sync_bar.sync_button.click()
    qtbot.waitUntil(
        lambda: window.sync_bar.state_label.text().startswith("Offline"), timeout=WAIT_MS
    )
    assert "2 change(s) waiting" in window.sync_bar.state_label.text()
    assert "cannot be reached" in window.message_bar.text
    assert "cannot be reached" in window.sync_bar.error_label.text()


def test_background_sync_runs_without_asking(
    qtbot: QtBot, make_window: MakeWindow, pc_data_dir: Path
) -> None:
    window = make_window(pc_data_dir, sync_interval_ms=60_000)
    qtbot.waitUntil(
        lambda: window.sync_bar.state_label.text().startswith("Online"), timeout=WAIT_MS
    )
    assert window.message_bar.text == ""


def test_stale_warning_is_shown(qtbot: QtBot) -> None:
    bar = SyncBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.show_status(SyncStatus(False, 3, None, "The server cannot be reached.", stale=True))
    assert bar.state_label.text() == "Offline · 3 change(s) waiting"
    assert bar.last_label.text() == "Last sync: never"
    assert bar.stale_label.isVisible() and bar.stale_label.text() == STALE_TEXT
    bar.set_syncing(True)
    assert bar.state_label.text() == "Syncing… · 3 change(s) waiting"
    assert not bar.sync_button.isEnabled()


def test_review_queue_lists_an_item_and_a_senior_resolves_it(
    qtbot: QtBot,
    window: MainWindow,
    wcn_server: InProcessServer,
    enrol_pc: Callable[[str], DesktopServices],
    qtmodeltester: object,
) -> None:
    carer, senior = wcn_server.staff("care_assistant"), wcn_server.staff("senior_carer")
    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    resident_id = record_a_note(qtbot, window)

    office = enrol_pc("office-pc")  # meanwhile, in the office, the resident is discharged
    office.session.sign_in(senior.username, DEMO_PASSWORD)
    office.residents.discharge(resident_id, "hospital")
    office.sync.sync_now()

    window.sync_bar.sync_button.click()  # the note now looks recorded after the discharge
    qtbot.waitUntil(lambda: window.top_bar.reviews_button.text() == "Reviews (1)", timeout=WAIT_MS)
    window.top_bar.reviews_button.click()
    reviews = window.reviews
    qtbot.waitUntil(lambda: reviews.model.rowCount() == 1, timeout=WAIT_MS)
    qtmodeltester.check(reviews.model)  # type: ignore[attr-defined]
    reviews.table.setCurrentIndex(reviews.model.index(0, 0))
    assert "after the resident was discharged" in reviews.detail_label.text()
    assert reviews.read_only_label.isVisible()  # a care assistant cannot resolve
    assert not reviews.resolve_button.isVisible()

    window.lock()
    sign_in(qtbot, window, senior.username, DEMO_PASSWORD)
    window.top_bar.reviews_button.click()
    qtbot.waitUntil(lambda: reviews.model.rowCount() == 1, timeout=WAIT_MS)
    reviews.table.setCurrentIndex(reviews.model.index(0, 0))
    assert reviews.resolve_button.isVisible()
    reviews.resolve_button.click()
    qtbot.waitUntil(lambda: reviews.errors.message("outcome") != "", timeout=WAIT_MS)
    reviews.outcome_edit.setPlainText("Checked with the nurse: the note was from before discharge.")
    reviews.resolve_button.click()
    qtbot.waitUntil(lambda: reviews.model.rowCount() == 0, timeout=WAIT_MS)
    assert window.top_bar.reviews_button.text() == "Reviews"
    assert reviews.list_stack.currentWidget() is reviews.empty_label


def test_review_model_passes_the_model_tester(qtmodeltester: object) -> None:
    qtmodeltester.check(ReviewListModel())  # type: ignore[attr-defined]
