"""What the app loads before the sign-in screen: the PDF library is loaded when something is
printed, not at start (it was a quarter of the import time); the workspace screens, the
services signing in does not need, the sync engine and the image libraries are loaded when
first used (issue 5: they were most of the cold start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Loaded after the sign-in screen shows (a module here, or any module inside it).
LOADED_LATER = (
    "fpdf",
    "PIL",
    "segno",
    "desktop.ui.screens.enrolment",
    "desktop.ui.screens.residents",
    "desktop.ui.screens.resident_record",
    "desktop.ui.screens.review_queue",
    "desktop.ui.screens.resident_care",
    "desktop.ui.screens.reviews_due",
    "desktop.ui.screens.medication",
    "desktop.ui.screens.handover",
    "desktop.ui.screens.pin_dialog",
    "desktop.services.residents",
    "desktop.services.notes",
    "desktop.services.observations",
    "desktop.services.reviews",
    "desktop.services.medication",
    "desktop.services.care_plans",
    "desktop.services.assessments",
    "desktop.services.incidents",
    "desktop.services.incident_photos",
    "desktop.services.handover",
    "desktop.services.maintenance",
    "desktop.sync.engine",
    "desktop.sync.local_changes",
    "desktop.sync.client",  # the network client and the protocol: loaded by the first sync
    "shared.protocol",
    "httpx",
    "pydantic",
)

# Run in a new process: start the app on an enrolled PC (through the program's entry point,
# with no background sync), stop when the sign-in screen shows its staff list, and print
# how many people it lists and every module loaded by then.
TO_SIGN_IN = """
import sys
from pathlib import Path
import desktop.main
from PySide6.QtCore import QTimer
from desktop.ui.app import application, build_window
from desktop.ui.context import Launch
app = application()
window = build_window(Launch(Path(sys.argv[1]), sync_interval_ms=0), app)
window.show()
window.start()
def check():
    if window.sign_in.model.rowCount() > 0 or window.open_error:
        app.quit()
timer = QTimer()
timer.timeout.connect(check)
timer.start(10)
QTimer.singleShot(60_000, app.quit)
app.exec()
shown = window.pages.currentWidget() is window.sign_in
staff = window.sign_in.model.rowCount()
window.shutdown()
print(shown, staff, window.open_error)
print(" ".join(sorted(sys.modules)))
"""


def test_starting_the_app_does_not_load_the_pdf_library() -> None:
    probe = (
        "import sys, desktop.ui.app, desktop.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fpdf'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]"


def test_the_sign_in_screen_shows_before_the_workspace_and_its_services_are_loaded(
    pc_data_dir: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", TO_SIGN_IN, str(pc_data_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    shown, modules = done.stdout.strip().splitlines()
    on_sign_in, staff, *error = shown.split(maxsplit=2)
    assert (on_sign_in, error) == ("True", [])
    assert int(staff) > 0
    inside = tuple(f"{name}." for name in LOADED_LATER)
    early = [m for m in modules.split() if m in LOADED_LATER or m.startswith(inside)]
    assert early == []


def test_the_self_check_prints_no_qt_warnings(tmp_path: Path) -> None:
    """Regression: a button made visible before it had a parent became a window of its own
    for a moment (Qt's offscreen plugin then warns about the window's size hints)."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop.main", "--self-check", "--data-dir", str(tmp_path / "pc")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "WCN_KEY_DIR": str(tmp_path / "keys"), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert (done.returncode, done.stderr) == (0, "")
