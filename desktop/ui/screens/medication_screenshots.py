"""The user guide's eMAR pictures (called by ``desktop.ui.screenshots``): a nurse's round with
a dose chosen, the witness dialog, the PRN, homely remedy, stock, CD register, pharmacy import
and missed-doses tabs (``medication_panel_screenshots``), and page one of a resident's MAR
chart (the real PDF, rasterised with poppler's ``pdftoppm`` when it is installed)."""

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
from desktop.services.medication import PrescriptionInput
from desktop.services.medication.demo import demo_prescriptions, record_history
from desktop.ui.main_window import MainWindow
from desktop.ui.screens.medication_panel_screenshots import take_panel_screens
from desktop.ui.screens.witness_dialog import WitnessDialog
from shared.medication.scheduling import UK

Save = Callable[[QWidget, Path, str], None]
WaitUntil = Callable[[str, Callable[[], bool]], None]
HISTORY_DAYS = 10
MORE = ("Furosemide", "Levothyroxine", "Omeprazole", "Sertraline", "Ramipril")


def _seed(services: DesktopServices) -> str:
    """Prescriptions for the first residents and days of rounds for one; returns that one."""
    meds = services.medication
    residents = services.residents.list_residents()
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(UK)
    start = local.date() - dt.timedelta(days=HISTORY_DAYS)
    subject = residents[0].resident_id

    def has(resident_id: str, medicine: str) -> bool:
        lines = meds.prescriptions.medication_list(resident_id).lines
        return any(line.medicine.startswith(medicine) for line in lines)

    # The demo data's medicines start today; these began earlier, so the chart has history.
    for spec in demo_prescriptions(start):
        if not has(subject, spec.medicine):
            meds.prescriptions.add(subject, spec)
    record_history(meds.round, subject, days=HISTORY_DAYS, now=now - dt.timedelta(hours=3))
    for index, resident in enumerate(residents[:5]):
        due = (local - dt.timedelta(minutes=30 * index + 10)).strftime("%H:%M")
        if has(resident.resident_id, MORE[index]):
            continue
        meds.prescriptions.add(
            resident.resident_id,
            PrescriptionInput(
                MORE[index],
                "tablet", "oral", "1 tablet", {"kind": "daily", "times": [due]},
                local.date() - dt.timedelta(days=1),  # so a dose just before midnight counts
                strength=("40 mg", "50 micrograms", "20 mg", "50 mg", "2.5 mg")[index],
                dose_quantity=1, controlled_drug=False,
            ),
        )  # fmt: skip
    paracetamol = next(
        line.prescription_id
        for line in meds.prescriptions.medication_list(subject).lines
        if line.medicine.startswith("Paracetamol")
    )
    for days in (6, 4, 2):
        meds.prn.record_prn(paracetamol, "Knee pain", when=now - dt.timedelta(days=days, hours=5))
    meds.prn.record_prn(paracetamol, "Knee pain, 5/10", when=now - dt.timedelta(hours=2))
    return subject


def take_medication_screens(
    window: MainWindow,
    out: Path,
    save: Save,
    settle: Callable[[MainWindow], None],
    wait_until: WaitUntil,
) -> None:
    staff = window.sign_in.model.rows
    carer = next(
        s.username for s in staff if s.role == "care_assistant" and s.signed_in_here_before
    )
    seeded: list[str] = []
    services = window.ui.services
    window.runner.run(lambda: _seed(services), seeded.append)
    wait_until("the demo medicines", lambda: bool(seeded))

    window.resize(1280, 800)
    window.show_medication()
    panel = window.medication.round
    wait_until("the round", lambda: panel.model.rowCount() > 3)
    panel.choose(next(i for i, item in enumerate(panel.model.rows) if item.status == "due"))
    window.message_bar.clear()
    settle(window)
    save(window, out, "medicine-round")

    dialog = WitnessDialog(
        window.ui, "Oxycodone 5 mg (1 tablet) for Peggy Smith, due 08:00.", window
    )
    dialog.show()
    wait_until("the witness list", lambda: dialog.person_combo.count() > 0)
    dialog.choose(carer)
    dialog.secret_edit.setText("12345678")
    settle(window)
    save(dialog, out, "witness-dialog")
    dialog.close()
    take_panel_screens(window, out, seeded[0], save=save, settle=settle, wait_until=wait_until)

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.stdout.write("  (mar-chart.png skipped: install poppler-utils for pdftoppm)\n")
        return
    today = dt.datetime.now(dt.UTC).astimezone(UK).date()
    cycle = today - dt.timedelta(days=HISTORY_DAYS)  # the first day of the prescriptions
    made: list[bytes] = []
    reports = services.medication.reports
    window.runner.run(lambda: reports.mar_chart_pdf(seeded[0], cycle), made.append)
    wait_until("the MAR chart", lambda: bool(made))
    with tempfile.TemporaryDirectory(prefix="wcn-mar-") as folder:
        pdf = Path(folder) / "mar.pdf"
        pdf.write_bytes(made[0])
        page = [pdftoppm, "-png", "-r", "110", "-singlefile", "-f", "1", "-l", "1"]
        subprocess.run([*page, str(pdf), str(out / "mar-chart")], check=True)
    sys.stdout.write(f"  {out / 'mar-chart.png'}\n")
