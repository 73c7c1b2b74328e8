"""What the app loads before the sign-in screen: the PDF library is loaded when something is
printed, not at start (it was a quarter of the import time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_starting_the_app_does_not_load_the_pdf_library() -> None:
    probe = (
        "import sys, desktop.ui.app, desktop.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fpdf'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]"


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
