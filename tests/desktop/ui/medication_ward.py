"""A ward PC for the medicines panels' tests, on a provider with the demo medicines: a nurse
signed in on the Medicines page, a senior carer who can witness, and the witness dialog
replaced by that senior's confirmation (the dialog itself is tested in test_medication)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.services.app import DesktopServices
from desktop.services.session import VerifiedWitness
from desktop.ui.main_window import MainWindow
from desktop.ui.screens.witness_dialog import WitnessDialog
from shared.demo_data import DEMO_PASSWORD, DemoProvider, generate_provider
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS, MakeWindow, sign_in


@dataclass
class Ward:
    window: MainWindow
    witness: VerifiedWitness
    asked: list[str] = field(default_factory=list)  # what each witness was asked to confirm


def medicines_provider() -> DemoProvider:
    return generate_provider(
        tenant_name="Ward Medicines Care", residents_per_home=4, days=1, seed=21
    )


def open_ward(
    make_window: MakeWindow,
    pc_data_dir: Path,
    wcn_server: InProcessServer,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    *,
    prepare: Callable[[DesktopServices], None] | None = None,
) -> Ward:
    services = DesktopServices.open(pc_data_dir, http=wcn_server.http)
    try:
        senior = wcn_server.staff("senior_carer").username
        services.session.sign_in(senior, DEMO_PASSWORD)
        services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
        witness = services.session.verify_witness(senior, DEMO_PASSWORD)
        if prepare is not None:
            prepare(services)
    finally:
        services.close()
    window = make_window(pc_data_dir)
    qtbot.waitUntil(lambda: window.sign_in.model.rowCount() > 0, timeout=WAIT_MS)
    sign_in(qtbot, window, wcn_server.staff("nurse").username, DEMO_PASSWORD)
    ward = Ward(window, witness)

    def ask(_cls: object, _ui: object, purpose: str, _parent: object) -> VerifiedWitness:
        ward.asked.append(purpose)
        return witness

    monkeypatch.setattr(WitnessDialog, "ask", classmethod(ask))
    window.top_bar.medicines_button.click()
    return ward
