"""The user guide's pictures of the Medicines page's other tabs (called from
``medication_screenshots`` with the demo resident whose medicines have days of history): a PRN
dose being given, a homely remedy, stock, the CD register, a pharmacy import with a rejected
line, and the missed-doses report."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from desktop.services.residents import ResidentSummary
from desktop.ui.main_window import MainWindow
from shared.medication.scheduling import UK

Save = Callable[[QWidget, Path, str], None]
WaitUntil = Callable[[str, Callable[[], bool]], None]


def _pharmacy_csv(residents: list[ResidentSummary], folder: Path) -> Path:
    start = dt.datetime.now(dt.UTC).astimezone(UK).date().isoformat()
    first, second = residents[0].nhs_number, residents[1].nhs_number
    path = folder / "riverside-pharmacy-cycle.csv"
    path.write_text(
        "nhs_number,medicine,strength,form,route,dose,times,frequency,start_date,"
        "quantity_received\n"
        f"{first},Ramipril,2.5 mg,capsule,oral,1 capsule,08:00,daily,{start},28\n"
        f"{second},Alendronic acid,70 mg,tablet,oral,1 tablet,07:00,weekly:Mon,{start},4\n"
        f"{second},Simple linctus,,lozenge,oral,5 ml,PRN,,{start},\n",
        encoding="utf-8",
    )
    return path


def take_panel_screens(
    window: MainWindow,
    out: Path,
    subject: str,
    *,
    save: Save,
    settle: Callable[[MainWindow], None],
    wait_until: WaitUntil,
) -> None:
    medication = window.medication

    def shoot(name: str) -> None:
        window.message_bar.clear()
        settle(window)
        save(window, out, name)

    prn = medication.prn
    medication.tabs.setCurrentWidget(prn)
    wait_until("the PRN residents", lambda: prn.picker.combo.count() > 0)
    prn.picker.choose(subject)
    wait_until(
        "the PRN medicines",
        lambda: any(o.medicine.startswith("Paracetamol") for o in prn.model.rows),
    )
    settle(window)
    prn.choose(next(i for i, o in enumerate(prn.model.rows) if o.medicine.startswith("Para")))
    prn.reason_edit.setText("Headache since lunch, 4/10")
    shoot("prn-giving")

    remedies = medication.remedies
    medication.tabs.setCurrentWidget(remedies)
    wait_until("the homely remedies", lambda: remedies.model.rowCount() > 0)
    wait_until("the residents", lambda: remedies.picker.combo.count() > 0)
    remedies.picker.choose(subject)
    settle(window)
    remedies.choose("Gaviscon Advance")
    remedies.reason_edit.setText("Heartburn after supper")
    remedies.quantity_spin.setValue(10)
    shoot("homely-remedy")

    stock = medication.stock
    medication.tabs.setCurrentWidget(stock)
    wait_until("the low-stock list", lambda: stock.low_model.rowCount() > 0)
    wait_until("the medicines", lambda: stock.medicine_combo.count() > 0)
    stock.kind.select("Received")
    stock.quantity_spin.setValue(28)
    stock.note_edit.setText("Mid-cycle delivery from Riverside Pharmacy")
    shoot("medicine-stock")

    register = medication.register
    medication.tabs.setCurrentWidget(register)
    wait_until("the register's residents", lambda: register.resident_combo.count() > 1)
    for index in range(register.resident_combo.count()):
        register.resident_combo.setCurrentIndex(index)
        settle(window)
        if register.model.rowCount() > 0:
            break
    register.movements.quantity_spin.setValue(2.5)
    register.movements.reason_edit.setText("Dropped while preparing the dose")
    shoot("cd-register")

    imports = medication.imports
    medication.tabs.setCurrentWidget(imports)
    people = list(medication.stock.picker.residents.values())
    with tempfile.TemporaryDirectory(prefix="wcn-import-") as folder:
        imports.load(str(_pharmacy_csv(people, Path(folder))))
        wait_until("the import preview", lambda: imports.rejected_model.rowCount() > 0)
        imports.source_edit.setText("Riverside Pharmacy, new cycle")
        shoot("pharmacy-import")

    missed = medication.missed
    medication.tabs.setCurrentWidget(missed)
    wait_until("the missed doses", lambda: missed.report is not None)
    shoot("missed-doses")
    medication.tabs.setCurrentWidget(medication.round)
