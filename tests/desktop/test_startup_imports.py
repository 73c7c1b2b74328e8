"""What the app loads before the sign-in screen: the PDF library is loaded when something is
printed, not at start (it was a quarter of the import time)."""

from __future__ import annotations

import subprocess
import sys


def test_starting_the_app_does_not_load_the_pdf_library() -> None:
    probe = (
        "import sys, desktop.ui.app, desktop.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fpdf'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]"
