"""The user guide's handover pictures (called by ``desktop.ui.screenshots`` after the care
planning and eMAR ones, whose fall and medicines show up here): a senior's handover of the
shift with remarks, a flagged resident chosen, and page one of the printed PDF (rasterised
with poppler's ``pdftoppm`` when it is installed)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from desktop.services.app import DesktopServices
from desktop.services.handover import default_shift, handover_pdf
from desktop.ui.main_window import MainWindow
from shared.errors import WcnError

Save = Callable[[QWidget, Path, str], None]
WaitUntil = Callable[[str, Callable[[], bool]], None]


def _seed(services: DesktopServices, resident_id: str, unit_id: str) -> None:
    """A note, a PRN dose and remarks in the shift being handed over."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    shift = default_shift(now)
    when = min(now, shift.end) - dt.timedelta(minutes=20)
    services.notes.record_note(
        resident_id, "mood", "Anxious after the fall; settled with a cup of tea.", occurred_at=when
    )
    for neighbour in services.residents.list_residents():
        if neighbour.unit_id != unit_id:
            continue
        options = services.medication.prn.options(neighbour.resident_id)
        prn = next((o for o in options if o.medicine.startswith("Paracetamol")), None)
        if prn is None:
            continue
        try:
            services.medication.prn.record_prn(prn.prescription_id, "Headache", when=when)
        except WcnError:  # e.g. too soon after a dose the eMAR pictures gave
            continue
        break
    handover = services.handover
    handover.add_remark(
        shift,
        "Wrist X-ray booked at the General for 10:00 tomorrow: transport at 09:15.",
        unit_id=unit_id,
        resident_id=resident_id,
    )
    handover.add_remark(shift, "Hoist battery on charge in the sluice.", unit_id=unit_id)


def take_handover_screens(
    window: MainWindow,
    out: Path,
    save: Save,
    settle: Callable[[MainWindow], None],
    wait_until: WaitUntil,
) -> None:
    residents = window.residents.model.rows
    subject = next((r for r in residents if "DNACPR" in r.alerts), residents[0])
    services = window.ui.services
    seeded: list[None] = []
    window.runner.run(lambda: _seed(services, subject.resident_id, subject.unit_id), seeded.append)
    wait_until("the handover records", lambda: bool(seeded))
    window.resize(1280, 800)
    window.show_handover()
    screen = window.handover
    wait_until("the units", lambda: screen.unit_combo.count() > 1)
    screen.choose_unit(subject.unit_id)
    wait_until(
        "the handover",
        lambda: (
            screen.report is not None
            and screen.report.unit_id == subject.unit_id
            and screen.model.row_of(subject.resident_id) >= 0
        ),
    )
    screen.table.selectRow(screen.model.row_of(subject.resident_id))
    window.message_bar.clear()
    settle(window)
    save(window, out, "handover")

    pdftoppm = shutil.which("pdftoppm")
    report = screen.report
    if pdftoppm is None or report is None:
        sys.stdout.write("  (handover-pdf.png skipped: install poppler-utils for pdftoppm)\n")
        return
    with tempfile.TemporaryDirectory(prefix="wcn-handover-") as folder:
        pdf = Path(folder) / "handover.pdf"
        pdf.write_bytes(handover_pdf(report))
        page = [pdftoppm, "-png", "-r", "90", "-singlefile", "-f", "1", "-l", "1"]
        subprocess.run([*page, str(pdf), str(out / "handover-pdf")], check=True)
    sys.stdout.write(f"  {out / 'handover-pdf.png'}\n")
