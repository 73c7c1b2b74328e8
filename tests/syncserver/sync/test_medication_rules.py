"""The medication safety rules at merge on the server (SQLite and PostgreSQL): two PCs record
the same dose, give PRN doses too close together, give a dose after it was discontinued, or
take controlled drugs from the same balance. Every record is kept; one review item is raised,
found in the stored records (pending ones of the same batch included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.ids import new_id
from shared.medication.scheduling import slot_id_for
from shared.protocol import Change
from syncserver.db.engine import Database
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    pull_all,
    push_ok,
    residents_of,
    staff_of,
    stored_record,
)

DUE = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def at(minutes: int) -> str:
    return (DUE + dt.timedelta(minutes=minutes)).isoformat()


def prescription(maker: ChangeMaker, resident: str, nurse: str, **extra: Any) -> Change:
    fields = {
        "resident_id": resident,
        "medicine": "Paracetamol",
        "strength": "500 mg",
        "form": "tablet",
        "route": "oral",
        "dose": "2 tablets",
        "dose_quantity": 2.0,
        "schedule": {"kind": "daily", "times": ["08:00"]},
        "start_date": "2024-01-01",
        "status": "active",
        **extra,
    }
    return maker.change("prescription", new_id(), "create", fields, nurse)


def dose(
    maker: ChangeMaker, resident: str, pid: str, user: str, minutes: int, **extra: Any
) -> Change:
    fields = {
        "resident_id": resident,
        "prescription_id": pid,
        "outcome": "given",
        "occurred_at": at(minutes),
        **extra,
    }
    return maker.change("medication_administration", new_id(), "create", fields, user)


def reviews(client: TestClient, device: EnrolledDevice, rule: str) -> list[dict[str, Any]]:
    records, _cursor = pull_all(client, device.headers)
    return [r.fields for r in records if r.entity == "review_item" and r.fields["rule"] == rule]


def people(provider: DemoProvider, home: str) -> tuple[str, str, str]:
    return (
        residents_of(provider, home)[0].record_id,
        staff_of(provider, "nurse", home).user_id,
        staff_of(provider, "senior_carer", home).user_id,
    )


def test_the_same_dose_from_two_pcs_keeps_both_and_raises_one_review(  # noqa: PLR0917
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    home_a: str,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    resident, nurse, senior = people(demo_provider, home_a)
    one, two = ChangeMaker("pc1"), ChangeMaker("pc2")
    p = prescription(one, resident, nurse)
    slot = slot_id_for(p.record_id, DUE)
    first = dose(one, resident, p.record_id, nurse, 3, slot_id=slot, scheduled_for=DUE.isoformat())
    push_ok(client, pc_a.headers, [p, first])
    second = dose(
        two, resident, p.record_id, senior, 5, slot_id=slot, scheduled_for=DUE.isoformat()
    )
    result = push_ok(client, pc_a2.headers, [second])
    assert result.review_items == 1
    tenant = demo_provider.tenant_id
    assert stored_record(seeded_db, tenant, first.record_id) is not None
    assert stored_record(seeded_db, tenant, second.record_id) is not None
    found = reviews(client, pc_a, "dose_recorded_twice")
    assert len(found) == 1 and "Paracetamol 500 mg" in found[0]["message"]
    assert found[0]["resident_id"] == resident


def test_rules_see_records_pending_in_the_same_batch(
    client: TestClient, demo_provider: DemoProvider, home_a: str, pc_a: EnrolledDevice
) -> None:
    resident, nurse, senior = people(demo_provider, home_a)
    maker = ChangeMaker()
    p = prescription(
        maker,
        resident,
        nurse,
        schedule={"kind": "prn", "times": []},
        prn_min_interval_minutes=240,
        prn_max_per_24h=8.0,
    )
    early = dose(maker, resident, p.record_id, nurse, 0, quantity=2.0)
    late = dose(maker, resident, p.record_id, senior, 60, quantity=2.0)
    result = push_ok(client, pc_a.headers, [p, early, late])
    assert result.review_items == 1
    found = reviews(client, pc_a, "prn_limit_broken")
    assert [f["subject_id"] for f in found] == [late.record_id]


def test_a_dose_after_discontinuation_from_another_pc(
    client: TestClient,
    demo_provider: DemoProvider,
    home_a: str,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    resident, nurse, senior = people(demo_provider, home_a)
    office, ward = ChangeMaker("office"), ChangeMaker("ward")
    p = prescription(office, resident, nurse)
    push_ok(client, pc_a.headers, [p])
    stop = office.update(
        "prescription",
        p.record_id,
        nurse,
        {"status": "discontinued", "discontinued_at": at(-60), "change_reason": "GP stopped it"},
        {},
    )
    push_ok(client, pc_a.headers, [stop])
    given = dose(ward, resident, p.record_id, senior, 0)
    assert push_ok(client, pc_a2.headers, [given]).review_items == 1
    assert [f["subject_id"] for f in reviews(client, pc_a, "dose_after_discontinuation")] == [
        given.record_id
    ]


def test_controlled_drug_balance_that_does_not_add_up_after_merge(
    client: TestClient,
    demo_provider: DemoProvider,
    home_a: str,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    resident, nurse, senior = people(demo_provider, home_a)
    one, two = ChangeMaker("pc1"), ChangeMaker("pc2")

    def entry(
        maker: ChangeMaker, kind: str, quantity: float, balance: float, minutes: int
    ) -> Change:
        fields = {
            "resident_id": resident,
            "medicine": "Morphine sulfate",
            "strength": "10 mg/5 ml",
            "kind": kind,
            "quantity": quantity,
            "balance_after": balance,
            "witness_id": senior,
            "occurred_at": at(minutes),
        }
        return maker.change("cd_register_entry", new_id(), "create", fields, nurse)

    push_ok(
        client,
        pc_a.headers,
        [entry(one, "receipt", 100, 100, 0), entry(one, "administration", 5, 95, 10)],
    )
    late = entry(two, "administration", 5, 95, 20)  # pc2 had not seen pc1's dose
    assert push_ok(client, pc_a2.headers, [late]).review_items == 1
    found = reviews(client, pc_a2, "cd_balance_mismatch")
    assert [f["subject_id"] for f in found] == [late.record_id]
    assert "add up to 90" in found[0]["message"]
