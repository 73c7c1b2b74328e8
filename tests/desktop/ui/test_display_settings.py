"""Text size and high contrast are remembered for each person on the shared PC, and the last
ones used come back at the next start, before anyone signs in. (Each change re-styles every
widget, which is slow offscreen: the test makes as few as it can.)"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.ui.display_settings import Display, DisplaySettings
from desktop.ui.theme import DEFAULT_FONT_INDEX, FONT_SIZES, HIGH_CONTRAST, NORMAL
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, sign_in


def test_settings_are_kept_per_person_and_survive_a_restart(
    qtbot: QtBot,
    make_window: MakeWindow,
    pc_data_dir: Path,
    wcn_server: InProcessServer,
    qapp: QApplication,
) -> None:
    carer, nurse = wcn_server.staff("care_assistant"), wcn_server.staff("nurse")
    bigger = FONT_SIZES[DEFAULT_FONT_INDEX + 1]
    window = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    theme = window.ui.theme
    assert theme.point_size == FONT_SIZES[DEFAULT_FONT_INDEX] and theme.colours is NORMAL

    sign_in(qtbot, window, carer.username, DEMO_PASSWORD)
    window.top_bar.bigger_text_requested.emit()  # the carer: bigger text
    assert theme.point_size == bigger
    window.lock()
    sign_in(qtbot, window, nurse.username, DEMO_PASSWORD)  # nothing remembered: unchanged
    assert theme.point_size == bigger
    window.top_bar.contrast_action.trigger()  # the nurse: high contrast too
    assert theme.colours is HIGH_CONTRAST
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)
    window.shutdown()
    central = window.takeCentralWidget()  # its widgets would be re-styled with the next ones
    assert central is not None
    with qtbot.waitSignal(central.destroyed, timeout=WAIT_MS):
        central.deleteLater()

    again = make_window(pc_data_dir)  # the app starts again: as the nurse left it
    qtbot.waitUntil(lambda: again.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    theme = again.ui.theme
    assert theme.point_size == bigger and theme.colours is HIGH_CONTRAST
    assert qapp.font().pointSize() == bigger
    assert again.top_bar.contrast_action.isChecked()
    sign_in(qtbot, again, carer.username, DEMO_PASSWORD)  # the carer's own come back
    assert theme.point_size == bigger and theme.colours is NORMAL
    assert not again.top_bar.contrast_action.isChecked()
    assert NORMAL.window in qapp.styleSheet()


def test_a_missing_or_damaged_file_means_the_defaults(tmp_path: Path) -> None:
    settings = DisplaySettings(tmp_path / "new-pc")
    assert settings.load() is None and settings.load("someone") is None
    settings.save("u1", Display(font_index=99, high_contrast=True))
    assert settings.load("u1") == Display(len(FONT_SIZES) - 1, True)  # clamped on load
    assert settings.load() == Display(len(FONT_SIZES) - 1, True)
    assert settings.load("u2") is None
    settings.path.write_text("[last]\nfont_index=big\n", encoding="utf-8")
    assert DisplaySettings(tmp_path / "new-pc").load() is None
