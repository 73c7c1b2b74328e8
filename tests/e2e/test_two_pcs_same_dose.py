"""eMAR across two ward PCs, over real HTTP (SQLite and PostgreSQL): both PCs are offline
and record the same scheduled dose; after they sync, both records are kept and BOTH PCs show
the one review item, on the review queue and beside the resident on the round."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.medication import PrescriptionInput
from desktop.store import records as records_repo
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.medication.scheduling import UK
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of


def test_the_same_dose_recorded_offline_on_two_pcs_is_flagged_on_both(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    nurse = staff_of(demo_provider, "nurse", home)
    senior = staff_of(demo_provider, "senior_carer", home)
    now = dt.datetime.now(dt.UTC)
    due = now.astimezone(UK).strftime("%H:%M")
    with serving(make_app(seeded_db)) as url:
        pcs = [
            DesktopServices(
                enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / name)
            )
            for name in ("pc1", "pc2")
        ]
        try:
            pc1, pc2 = pcs
            pc1.session.sign_in(nurse.username, DEMO_PASSWORD)
            pc2.session.sign_in(senior.username, DEMO_PASSWORD)
            resident = pc1.residents.list_residents()[0]
            pc1.medication.prescriptions.add(
                resident.resident_id,
                PrescriptionInput(
                    "Amlodipine", "tablet", "oral", "1 tablet", {"kind": "daily", "times": [due]},
                    now.astimezone(UK).date() - dt.timedelta(days=1), strength="5 mg",
                ),
            )  # fmt: skip
            pc1.sync.sync_now()
            pc2.sync.sync_now()

            # The network goes down for both; each gives the 'same' dose.
            live = [pc.context.device for pc in pcs]
            for pc in pcs:
                pc.context.device = dataclasses.replace(
                    pc.context.device, server_url="http://127.0.0.1:9"
                )
            ids = []
            for pc in pcs:
                item = next(
                    i
                    for i in pc.medication.round.round(now=now)
                    if i.resident.resident_id == resident.resident_id and i.status == "due"
                )
                ids.append(pc.medication.round.record_dose(item))
            assert len(set(ids)) == 2

            for pc, device in zip(pcs, live, strict=True):
                pc.context.device = device
            pc1.sync.sync_now()
            pc2.sync.sync_now()
            pc1.sync.sync_now()

            for pc in pcs:
                items = [i for i in pc.reviews.items() if i.rule == "dose_recorded_twice"]
                assert len(items) == 1, pc.context.device.device_id
                assert "Amlodipine 5 mg" in items[0].message
                with pc.context.store.read() as conn:
                    for record_id in ids:  # neither record was dropped
                        assert records_repo.get(conn, record_id) is not None
                on_round = next(
                    i
                    for i in pc.medication.round.round(now=now)
                    if i.resident.resident_id == resident.resident_id
                )
                assert any("recorded 2 times" in r for r in on_round.reviews)
            assert pc1.reviews.items()[0].review_id == pc2.reviews.items()[0].review_id
        finally:
            for pc in pcs:
                pc.close()
